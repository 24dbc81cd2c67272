package zhnames_test

import (
	"fmt"

	"github.com/veil-data/veil/anonymize/pii/zhnames"
)

func ExampleAppend() {
	text := "王小明明天来取件，快递员李建华说放门卫"
	for _, s := range zhnames.Append(nil, text) {
		fmt.Println(text[s.Start:s.End])
	}
	// Output:
	// 王小明
	// 李建华
}
