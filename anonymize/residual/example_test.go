package residual_test

import (
	"fmt"

	"github.com/veil-data/veil/anonymize/residual"
)

func Example() {
	// Each parse worker collects the raw values it reads.
	w1, w2 := residual.NewNeedles(0), residual.NewNeedles(0)
	w1.Add("u00012345")
	w2.Add("+86 138 1234 5678")
	w2.Add("13812345678") // the form the pipeline normalises it to
	w2.Add("CN")          // too short to look for

	needles := residual.NewNeedles(0)
	needles.Merge(w1)
	needles.Merge(w2)

	// Before committing, check what is about to be written.
	s := residual.NewScanner(needles)
	s.Check("events_clean", "user_token", residual.Token, "u00012345")
	s.Check("events_clean", "region", residual.Generalised, "Zhejiang")
	s.Check("chats_clean", "text", residual.Text, "call me on 13812345678")
	s.Check("events_clean", "item_id", residual.Kept, "1543462")

	r := s.Result()
	fmt.Println("passed:", r.Passed, "needles:", r.Needles)
	for _, f := range r.Findings {
		fmt.Println(f.Dataset, f.Column, f.Kind, f.Count)
	}
	// Output:
	// passed: false needles: 3
	// chats_clean text pii:PHONE 1
	// chats_clean text raw_substring 1
	// events_clean user_token malformed_token 1
	// events_clean user_token raw_exact 1
}
