package pii

// Counts is the number of spans found, per Type.
type Counts struct {
	Email, Phone, BankCard, CNResidentID int
	IP, Passport, QQ, WeChat             int
	Address, Person                      int
	IBAN, USSSN, DateOfBirth             int
}

// field returns the count of t in c, or nil for an unknown type.
func (c *Counts) field(t Type) *int {
	switch t {
	case Email:
		return &c.Email
	case Phone:
		return &c.Phone
	case BankCard:
		return &c.BankCard
	case CNResidentID:
		return &c.CNResidentID
	case IP:
		return &c.IP
	case Passport:
		return &c.Passport
	case QQ:
		return &c.QQ
	case WeChat:
		return &c.WeChat
	case Address:
		return &c.Address
	case Person:
		return &c.Person
	case IBAN:
		return &c.IBAN
	case USSSN:
		return &c.USSSN
	case DateOfBirth:
		return &c.DateOfBirth
	}
	return nil
}

// Get returns the count of t.
func (c Counts) Get(t Type) int {
	if f := c.field(t); f != nil {
		return *f
	}
	return 0
}

func (c *Counts) inc(t Type) {
	if f := c.field(t); f != nil {
		*f++
	}
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Email += o.Email
	c.Phone += o.Phone
	c.BankCard += o.BankCard
	c.CNResidentID += o.CNResidentID
	c.IP += o.IP
	c.Passport += o.Passport
	c.QQ += o.QQ
	c.WeChat += o.WeChat
	c.Address += o.Address
	c.Person += o.Person
	c.IBAN += o.IBAN
	c.USSSN += o.USSSN
	c.DateOfBirth += o.DateOfBirth
}

// Total returns the number of spans of every type.
func (c Counts) Total() int {
	return c.Email + c.Phone + c.BankCard + c.CNResidentID + c.IP + c.Passport + c.QQ + c.WeChat +
		c.Address + c.Person + c.IBAN + c.USSSN + c.DateOfBirth
}

// Map returns the non-zero counts by Type, for reports.
func (c Counts) Map() map[Type]int {
	m := make(map[Type]int)
	for _, t := range allTypes {
		if n := c.Get(t); n > 0 {
			m[t] = n
		}
	}
	return m
}
