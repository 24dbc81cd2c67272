package schemas

// STUB until the blacklist branch lands (the lead deletes this file).
var Blacklist = Dataset{Name: "blacklist", Version: 1}
