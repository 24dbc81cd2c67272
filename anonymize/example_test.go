package anonymize_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
)

func ExampleAgeBand() {
	band, _ := anonymize.AgeBand("1990-03-07", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(band)
	// Output: 25-34
}

func ExampleIPPrefix() {
	v4, _ := anonymize.IPPrefix("203.0.113.77", 24, 48)
	v6, _ := anonymize.IPPrefix("2001:db8:1234:5678::1", 24, 48)
	fmt.Println(v4, v6)
	// Output: 203.0.113.0/24 2001:db8:1234::/48
}

func ExampleRegion() {
	fmt.Println(anonymize.Region("浙江省杭州市西湖区文三路 100 号", "CN"))
	fmt.Println(anonymize.Region("742 Evergreen Terrace, Springfield, IL 62704, US", "US"))
	fmt.Println(anonymize.Region("10 Downing Street, London", "GB"))
	fmt.Printf("%q\n", anonymize.Region("somewhere", ""))
	// Output:
	// CN-ZJ
	// US-IL
	// GB
	// ""
}

// Example_tokens creates keys, opens them and makes tokens.
func Example_tokens() {
	dir, _ := os.MkdirTemp("", "veil-keys")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	keysDir := filepath.Join(dir, "keys")
	kek, err := keys.InitKEK(filepath.Join(keysDir, keys.DefaultKEKFile))
	if err != nil {
		panic(err)
	}
	if err := keys.Init(ctx, keysDir, kek); err != nil {
		panic(err)
	}
	set, err := keys.Open(ctx, keysDir, kek)
	if err != nil {
		panic(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		panic(err)
	}
	w := tok.Worker() // one per goroutine
	r := w.Reversible("user_id", "u12345")
	o := w.OneWay("email", "alice@example.com")
	id, _ := anonymize.TokenKeyID(r)
	fmt.Println(r[:2], o[:2], len(o), id == tok.KeyIDs()[keys.TokensReversible])
	// Output: r_ o_ 29 true
}

// Example_reveal re-identifies a reversible token. The pipeline's keys
// cannot: only the re-identification keyset, under its own KEK, opens it.
func Example_reveal() {
	dir, _ := os.MkdirTemp("", "veil-keys")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	keysDir := filepath.Join(dir, "keys")
	kek, err := keys.InitKEK(filepath.Join(keysDir, keys.DefaultKEKFile))
	if err != nil {
		panic(err)
	}
	// In production a KMS key held by compliance, not a file beside kek.json.
	reidKEK, err := keys.InitKEK(filepath.Join(dir, "compliance", keys.DefaultReidentifyKEKFile))
	if err != nil {
		panic(err)
	}
	if err := keys.Init(ctx, keysDir, kek, keys.WithReidentifyKEK(reidKEK)); err != nil {
		panic(err)
	}

	// The pipeline makes a token.
	set, err := keys.Open(ctx, keysDir, kek)
	if err != nil {
		panic(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		panic(err)
	}
	token := tok.Reversible("user_id", "u12345")

	// Compliance reveals it (and records that in the audit log first).
	reid, err := keys.OpenReidentify(ctx, keysDir, reidKEK)
	if err != nil {
		panic(err)
	}
	rv, err := anonymize.NewRevealer(reid)
	if err != nil {
		panic(err)
	}
	value, err := rv.Reveal("user_id", token)
	fmt.Println(value, err)
	_, err = rv.Reveal("user_id", tok.OneWay("user_id", "u12345"))
	fmt.Println(err)
	// Output:
	// u12345 <nil>
	// anonymize: one-way tokens cannot be re-identified
}
