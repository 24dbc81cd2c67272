package audience

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	"github.com/veil-data/veil/tagging"
)

// maxExprLen bounds an audience expression: it is typed by a person.
const maxExprLen = 4096

// Expr is a compiled audience expression: a CEL boolean over the tags of
// the tag file, consumer and merchant scope alike (a merchant tag is the
// consumer's tag with the merchant asking).
type Expr struct {
	Source string
	Hash   string // exprHash: SHA-256 of the expression, white space collapsed
	prg    cel.Program
	// consumer and merchant are the tags it reads, by scope.
	consumer, merchant []*tagging.Tag
}

// ErrBadExpression is wrapped by every compile error.
var ErrBadExpression = errors.New("bad audience expression")

// Compile type-checks an audience expression against spec's tags. It must
// be a bool.
func Compile(spec *tagging.Spec, src string) (*Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("%w: empty", ErrBadExpression)
	}
	if len(src) > maxExprLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadExpression, maxExprLen)
	}
	opts := []cel.EnvOption{ext.Strings(), ext.Lists()}
	byName := map[string]*tagging.Tag{}
	for _, t := range spec.Tags() {
		opts = append(opts, cel.Variable(t.Name, t.CELType()))
		byName[t.Name] = t
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("audience: %w", err)
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%w: %s", ErrBadExpression, strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("%w: type %s, want bool", ErrBadExpression, ast.OutputType())
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadExpression, err)
	}
	e := &Expr{Source: src, prg: prg}
	used := map[string]bool{}
	for _, r := range ast.NativeRep().ReferenceMap() {
		if r.Name != "" && len(r.OverloadIDs) == 0 && byName[r.Name] != nil {
			used[r.Name] = true
		}
	}
	for _, t := range spec.Consumer {
		if used[t.Name] {
			e.consumer = append(e.consumer, t)
		}
	}
	for _, t := range spec.Merchant {
		if used[t.Name] {
			e.merchant = append(e.merchant, t)
		}
	}
	e.Hash = exprHash(src)
	return e, nil
}

// exprHash is SHA-256 of the expression with white space collapsed,
// written with the letters a-p for the nibbles 0-15: no digit runs, so no
// hash can look like a card or phone number to a leak scan.
func exprHash(src string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(src), " ")))
	b := make([]byte, 0, 2*len(sum))
	for _, x := range sum {
		b = append(b, 'a'+x>>4, 'a'+x&15)
	}
	return string(b)
}

// Uses names the tags the expression reads.
func (e *Expr) Uses() []string {
	var n []string
	for _, t := range append(append([]*tagging.Tag{}, e.consumer...), e.merchant...) {
		n = append(n, t.Name)
	}
	return n
}
