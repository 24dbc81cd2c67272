package rules

import (
	"fmt"
	"math"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"github.com/veil-data/veil/risk/features"
)

// varKind is a rule variable's type.
type varKind uint8

const (
	kDouble varKind = iota
	kInt
	kBool
	kString
)

// variable is one name a rule may read, and where its value comes from.
type variable struct {
	name string
	kind varKind
	doc  string
	// feature is the index in features.Defs, or -1 for the variables
	// that are not features.
	feature int
}

// Variables that are not features. cluster_size is a feature (the linked
// component in the user-device-IP-card graph), so the DBSCAN cluster's
// size is cluster_members.
const (
	vEventType = iota
	vModelScore
	vClusterKnown
	vClusterLabel
	vClusterMembers
	vLOFScore
	vLOFOutlier
	nExtra
)

var extras = [nExtra]variable{
	vEventType:      {"event_type", kString, "the scored event's type (login, purchase, ...)", -1},
	vModelScore:     {"model_score", kDouble, "the risk model's score; null (NaN) when no model is loaded", -1},
	vClusterKnown:   {"cluster_known", kBool, "whether the user has outlier outputs (risk_clusters) as of the day before", -1},
	vClusterLabel:   {"cluster_label", kInt, "the user's DBSCAN label, -1 noise; 0 when cluster_known is false", -1},
	vClusterMembers: {"cluster_members", kInt, "members of the user's DBSCAN cluster; 0 when cluster_known is false", -1},
	vLOFScore:       {"lof_score", kDouble, "the user's LOF score (larger is more outlying); null when cluster_known is false", -1},
	vLOFOutlier:     {"lof_outlier", kBool, "whether LOF flagged the user as an outlier", -1},
}

// vars are every variable: the features in Defs order, then the extras.
// byName indexes them.
var vars, byName = buildVars()

func buildVars() ([]variable, map[string]int) {
	var vars []variable
	for i, d := range features.Defs {
		vars = append(vars, variable{name: d.Name, kind: kDouble, doc: d.Doc, feature: i})
	}
	vars = append(vars, extras[:]...)
	byName := make(map[string]int, len(vars))
	for i, v := range vars {
		if _, dup := byName[v.name]; dup {
			panic(fmt.Sprintf("rules: variable %s declared twice", v.name))
		}
		byName[v.name] = i
	}
	return vars, byName
}

// Variable is a name rules may read.
type Variable struct {
	Name, Type, Doc string
	Feature         bool // a column of features.Defs
}

// Variables lists every name rules may read, the features first, for
// `veil rules check` and the docs.
func Variables() []Variable {
	out := make([]Variable, len(vars))
	for i, v := range vars {
		out[i] = Variable{v.name, v.kind.String(), v.doc, v.feature >= 0}
	}
	return out
}

func (k varKind) String() string { return [...]string{"double", "int", "bool", "string"}[k] }

func (k varKind) celType() *cel.Type {
	return [...]*cel.Type{cel.DoubleType, cel.IntType, cel.BoolType, cel.StringType}[k]
}

// nullSafe replaces CEL's ordering operators (<, <=, >, >=) so that a
// comparison with NaN is false, as in IEEE 754, where CEL's own raises
// "NaN values cannot be ordered": a null feature must make a threshold
// not fire, not fail the event. Other operands compare as CEL does.
func nullSafe(i interpreter.Interpretable) (interpreter.Interpretable, error) {
	call, ok := i.(interpreter.InterpretableCall)
	if !ok || len(call.Args()) != 2 {
		return i, nil
	}
	var want func(c types.Int) bool
	switch call.Function() {
	case operators.Less:
		want = func(c types.Int) bool { return c < 0 }
	case operators.LessEquals:
		want = func(c types.Int) bool { return c <= 0 }
	case operators.Greater:
		want = func(c types.Int) bool { return c > 0 }
	case operators.GreaterEquals:
		want = func(c types.Int) bool { return c >= 0 }
	default:
		return i, nil
	}
	return &ordering{InterpretableCall: call, a: call.Args()[0], b: call.Args()[1], want: want}, nil
}

// ordering is a null-safe comparison.
type ordering struct {
	interpreter.InterpretableCall
	a, b interpreter.InterpretableV2
	want func(types.Int) bool
}

func (o *ordering) Eval(act interpreter.Activation) ref.Val {
	return o.compare(o.a.Eval(act), o.b.Eval(act))
}

func (o *ordering) Exec(f *interpreter.ExecutionFrame) ref.Val {
	return o.compare(o.a.Exec(f), o.b.Exec(f))
}

func isNaN(v ref.Val) bool { d, ok := v.(types.Double); return ok && d != d }

func (o *ordering) compare(a, b ref.Val) ref.Val {
	if types.IsUnknownOrError(a) {
		return a
	}
	if types.IsUnknownOrError(b) {
		return b
	}
	if isNaN(a) || isNaN(b) {
		return types.False
	}
	c, ok := a.(traits.Comparer)
	if !ok {
		return types.MaybeNoSuchOverloadErr(a)
	}
	r := c.Compare(b)
	if n, ok := r.(types.Int); ok {
		return types.Bool(o.want(n))
	}
	return r
}

// env declares every variable, is_null and the null-safe comparisons.
var env = func() *cel.Env {
	opts := []cel.EnvOption{cel.CrossTypeNumericComparisons(true)}
	for _, v := range vars {
		opts = append(opts, cel.Variable(v.name, v.kind.celType()))
	}
	opts = append(opts, cel.Function("is_null",
		cel.Overload("is_null_double", []*cel.Type{cel.DoubleType}, cel.BoolType,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return types.Bool(math.IsNaN(float64(v.(types.Double)))) }))))
	e, err := cel.NewEnv(opts...)
	if err != nil {
		panic(err)
	}
	return e
}()
