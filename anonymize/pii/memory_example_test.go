package pii_test

import (
	"fmt"

	"github.com/veil-data/veil/anonymize/pii"
)

// A conversation read twice: Learn every message, then Redact each. The
// name given in the second message is masked in the first, in part too.
func ExampleConversation_Learn() {
	msgs := []string{
		"王小明明天来取件",
		"我叫王小明，电话13812345678",
		"好的王先生，小明的件放前台，电话138-1234-5678已备注",
		"My code is <PHONE_1>, not a phone",
	}
	c := pii.NewConversation()
	for _, m := range msgs {
		c.Learn(m)
	}
	for _, m := range msgs {
		out, _ := c.Redact(m)
		fmt.Println(out)
	}
	// Output:
	// <PERSON_1>明天来取件
	// 我叫<PERSON_1>，电话<PHONE_1>
	// 好的<PERSON_1>先生，<PERSON_1>的件放前台，电话<PHONE_1>已备注
	// My code is ＜PHONE_1＞, not a phone
}
