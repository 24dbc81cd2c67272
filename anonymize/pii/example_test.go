package pii_test

import (
	"fmt"

	"github.com/veil-data/veil/anonymize/pii"
)

func ExampleConversation_Redact() {
	c := pii.NewConversation()
	for _, msg := range []string{
		"我的手机号是13812345678，邮箱 bob@example.com",
		"Or call +86 138-1234-5678; card 4111 1111 1111 1111",
	} {
		out, n := c.Redact(msg)
		fmt.Println(out, n.Total())
	}
	// Output:
	// 我的手机号是<PHONE_1>，邮箱 <EMAIL_1> 2
	// Or call <PHONE_1>; card <BANK_CARD_1> 2
}
