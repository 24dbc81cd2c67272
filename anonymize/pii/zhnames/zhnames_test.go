package zhnames

import (
	"os"
	"strings"
	"testing"
)

func names(text string) []string {
	var out []string
	for _, s := range Append(nil, text) {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

func TestAppend(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string // names joined by |
	}{
		{"王小明明天来取件", "王小明"},
		{"记者李华报道", "李华"},
		{"欧阳娜娜说", "欧阳娜娜"},
		{"副总经理张建国表示", "张建国"},
		{"客服您好，刘德华的身份证号码是多少", "刘德华"},
		{"我叫陈晓东，电话<PHONE_1>", "陈晓东"},
		{"[姓名x]您好，[金额x]已退", ""},
		{"地址是[地址x] 金泉名府", ""},
		{"高兴", ""},
		{"方便面", ""},
		{"周末发货", ""},
		{"江苏南京", ""},
		{"金额不对", ""},
		{"黄金手链", ""},
		{"石头记", ""},
		{"文件已发", ""},
		{"这个白色的", ""},
		{"马上发货", ""},
		{"王者荣耀", ""},
		{"李宁运动鞋", ""},
		{"安全送达", ""},
		{"任何问题", ""},
		{"谢谢亲，好的", ""},
		{"提高兴趣", ""},
		{"你好，我叫陈静，想退货", "陈静"},
		{"刘洋说他没收到", "刘洋"},
		{"快递员王建军已经出发了", "王建军"},
		{"帮我转告赵丽颖一下", "赵丽颖"},
		{"记者于海说，后来于海又来了", "于海|于海"},
		{"客服小王为您服务", ""},
		{"请联系马经理", ""},
		{"周大福金店", ""},
		{"华为手机和小米手机", ""},
		{"马克杯", ""},
		{"安装师傅什么时候来", ""},
		{"钱包里的钱", ""},
		{"何时到货", ""},
		{"关于退款", ""},
		{"苏宁易购", ""},
		{"《白鹿原》", ""},
		{"主帅穆里尼奥说", "穆里尼奥"},
		{"前锋西摩尔·霍夫曼表示", "西摩尔·霍夫曼"},
		{"我们去了莫斯科", ""},
		{"桑德兰主场", ""},
		{"张伟、李娜和王芳", "张伟|李娜|王芳"},
		{"李娜、张伟说", "李娜|张伟"},
		{"记者王小明报道，小明说", "王小明|小明"},
		{"关注的焦点，温家宝总理表示", "温家宝"},
		{"韩亚银行王宪章董事长说", "王宪章"},
		{"房地产业协会宋春华会长", "宋春华"},
		{"书架上有王小波的《黄金时代》", "王小波"},
		{"据张丽萍（化名）回忆", "张丽萍"},
		{"谢谢", ""},
		{"好的，谢谢老板", ""},
		{"快递员师傅就可以了", ""},
		{"周三表示", ""},
		{"徐悲鸿纪念馆", ""},
		{"张家口", ""},
	} {
		if got := strings.Join(names(tc.text), "|"); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestKnownMisses logs names the model misses today: names the
// dictionary holds as words (李白 is also 李子白), given names that make
// common words (张永和), lists where no name is found on its own.
func TestKnownMisses(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"一个背景。（张永和）设计完以后", "张永和"},
		{"杨帆和赵敏都没收到优惠券", "杨帆|赵敏"},
		{"近些年来，范曾的作品价格不菲", "范曾"},
	} {
		if got := strings.Join(names(tc.text), "|"); got != tc.want {
			t.Logf("known miss: %s: got %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	text := "您好，请问有什么可以帮您？订单已经发货了，高兴为您服务。"
	Append(nil, text)
	if n := testing.AllocsPerRun(100, func() { Append(nil, text) }); n != 0 {
		t.Errorf("%v allocations on a text without names", n)
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("王小明明天来取件")
	f.Add("[姓名x]欧阳<PHONE_1>")
	f.Fuzz(func(t *testing.T, text string) {
		last := 0
		for _, s := range Append(nil, text) {
			if s.Start < last || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("bad span %v after %d in %q", s, last, text)
			}
			last = s.End
		}
	})
}

// TestChatSamples scores testdata/chat.tsv, chat lines written for veil:
// names found whole, and detections that are no name.
func TestChatSamples(t *testing.T) {
	b, err := os.ReadFile("testdata/chat.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var names, found, dets, wrong int
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, want, _ := strings.Cut(line, "\t")
		wanted := map[string]bool{}
		for _, n := range strings.Split(want, "|") {
			if n != "" {
				wanted[n] = true
				names++
			}
		}
		for _, s := range Append(nil, text) {
			dets++
			if got := text[s.Start:s.End]; wanted[got] {
				found++
				delete(wanted, got)
			} else {
				wrong++
				t.Logf("wrong: %s in %s", got, text)
			}
		}
		for n := range wanted {
			t.Logf("missed: %s in %s", n, text)
		}
	}
	t.Logf("chat samples: %d of %d names found whole, %d of %d detections wrong", found, names, wrong, dets)
	if found*10 < names*7 || wrong*10 > dets {
		t.Errorf("chat samples below 0.70 recall or above 0.10 wrong")
	}
}
