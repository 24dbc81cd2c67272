package residual

import "github.com/veil-data/veil/anonymize/policy"

// PolicyClasses returns the scan class of each column a policy fills, so
// that the scan before commit (ingest) and the scan after (report) check a
// column the same way: tokens as Token, redacted text as Text, columns
// kept from identifier fields as Kept and other kept columns as Label
// (both share number ranges with user ids, so equal strings there are
// coincidences), and generalised values with the full Generalised check.
func PolicyClasses(c *policy.Compiled) map[string]Class {
	m := map[string]Class{}
	ids := c.KeptIDs()
	for col, cl := range c.Classes() {
		switch {
		case cl == policy.ClassToken:
			m[col] = Token
		case cl == policy.ClassKept && ids[col]:
			m[col] = Kept
		case cl == policy.ClassKept:
			m[col] = Label
		case cl == policy.ClassText:
			m[col] = Text
		default:
			m[col] = Generalised
		}
	}
	return m
}
