package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/veil-data/veil/serve"
)

func TestServeHashKeyAndRefusals(t *testing.T) {
	var out, errb bytes.Buffer
	root := newRoot(&out, &errb)
	root.SetIn(strings.NewReader("a-service-key\n"))
	root.SetArgs([]string{"serve", "--hash-key"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != serve.DigestKey("a-service-key").String() {
		t.Fatalf("--hash-key printed %q", got)
	}
	if strings.Contains(out.String()+errb.String(), "a-service-key") {
		t.Fatal("the key itself was printed")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--warehouse", dir + "/wh", "--keys", dir + "/keys"}, "no service key"},
		{[]string{"serve", "--warehouse", dir + "/wh", "--keys", dir + "/keys", "--key-sha256", "abc"}, "64 hex digits"},
		{[]string{"loadgen", "--url", "http://127.0.0.1:1"}, "no service key"},
	} {
		t.Setenv("VEIL_SERVICE_KEY", "")
		code, _, e := run(t, tc.args...)
		if code == 0 || !strings.Contains(e, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, e, tc.want)
		}
	}
}
