package model

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/internal/realdata"
)

// fraudRows reads the public Fraud_Data extract into raw point-in-time
// columns: purchase value, age, account age at purchase, hour of day, and
// how many earlier purchases (strictly before, by purchase time) share the
// device and the IP. Rows the file cuts short are skipped.
func fraudRows(t *testing.T, path string) (names []string, X [][]float64, y []bool, times []int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	type row struct {
		vals          [4]float64
		device, ip    string
		fraud         bool
		purchase, age int64
	}
	var rows []row
	parse := func(s string) (time.Time, error) { return time.Parse("1/2/2006 15:04", s) }
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) < len(head) || rec[col["class"]] == "" {
			continue
		}
		su, err1 := parse(rec[col["signup_time"]])
		pu, err2 := parse(rec[col["purchase_time"]])
		val, err3 := strconv.ParseFloat(rec[col["purchase_value"]], 64)
		age, err4 := strconv.ParseFloat(rec[col["age"]], 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatalf("fraud data row %d: %v", len(rows)+2, err)
		}
		rows = append(rows, row{
			vals:   [4]float64{val, age, pu.Sub(su).Seconds(), float64(pu.Hour())},
			device: rec[col["device_id"]], ip: rec[col["ip_address"]],
			fraud: rec[col["class"]] == "1", purchase: pu.Unix(),
		})
	}
	names = []string{"purchase_value", "age", "account_age_s", "hour", "device_prior", "ip_prior"}
	X = make([][]float64, len(names))
	for j := range X {
		X[j] = make([]float64, len(rows))
	}
	// Earlier purchases per device and IP: walk rows in time order, ties
	// (same minute) seeing none of each other.
	tm := make([]int64, len(rows))
	for i, rw := range rows {
		tm[i] = rw.purchase
	}
	order, err := SplitByTime(tm, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	idx := append(append([]int(nil), order.Train...), order.Test...)
	seenDev, seenIP := map[string]float64{}, map[string]float64{}
	for g := 0; g < len(idx); {
		e := g
		for e < len(idx) && tm[idx[e]] == tm[idx[g]] {
			rw := rows[idx[e]]
			X[4][idx[e]], X[5][idx[e]] = seenDev[rw.device], seenIP[rw.ip]
			e++
		}
		for _, i := range idx[g:e] {
			seenDev[rows[i].device]++
			seenIP[rows[i].ip]++
		}
		g = e
	}
	y = make([]bool, len(rows))
	for i, rw := range rows {
		for j, v := range rw.vals {
			X[j][i] = v
		}
		y[i] = rw.fraud
	}
	return names, X, y, tm
}

// TestFraudDataTimeSplit is the package end to end on real rows: prep and
// logistic regression trained on the earlier 70% of purchases, evaluated on
// the later 30%, beside scikit-learn on the same prepared columns when it
// is installed. The features are a handful computed here for the check,
// not veil's feature store.
func TestFraudDataTimeSplit(t *testing.T) {
	path := realdata.Path(t, "ecommerce-fraud/Fraud_Data_truncated_with_ip.csv")
	names, X, y, tm := fraudRows(t, path)
	split, err := SplitByTime(tm, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	Xtr, ytr := Rows(X, split.Train), Take(y, split.Train)
	Xte, yte := Rows(X, split.Test), Take(y, split.Test)
	a, err := Train(names, Xtr, ytr, PrepOptions{}, LogisticOptions{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	scores, err := a.Score(Xte)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Evaluate(scores, yte, 0, 0.01, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Fraud_Data: %d train rows before %s, %d test rows (%d fraud)", len(ytr),
		time.Unix(split.Cut, 0).UTC().Format(time.DateTime), len(yte), m.Positives)
	t.Logf("go model: test AUC %.4f; recall %.3f at fpr %.4f (threshold %.4f); brier %.4f, ece %.4f; %d steps",
		m.AUC, m.AtFPR.Recall, m.AtFPR.FPR, m.AtFPR.Threshold, m.Calibration.Brier, m.Calibration.ECE, a.Fit.Iterations)
	fa, err := FeatureAUCs(names, Xte, yte)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fa {
		t.Logf("  single column %-15s test AUC %.4f (higher is fraud: %v; log1p %v)", f.Name, f.AUC, f.Higher, logged(a.Prep, f.Name))
	}
	// For contrast, rows not split by time (every third row tests): the
	// file's sub-minute frauds all buy in January 2015, so a time-ordered
	// split leaves them all in training and only the slow kind to test.
	var tr, te []int
	for i := range y {
		if i%3 == 2 {
			te = append(te, i)
		} else {
			tr = append(tr, i)
		}
	}
	b, err := Train(names, Rows(X, tr), Take(y, tr), PrepOptions{}, LogisticOptions{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	bs, err := b.Score(Rows(X, te))
	if err != nil {
		t.Fatal(err)
	}
	bauc, err := AUC(bs, Take(y, te))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("not split by time (every third row tests): AUC %.4f", bauc)
	if bauc < 0.7 {
		t.Errorf("interleaved split AUC %.4f: the model learned nothing", bauc)
	}
	py := sklearnPython(t)
	Ztr, _ := a.Prep.Transform(Xtr)
	Zte, _ := a.Prep.Transform(Xte)
	req, err := json.Marshal(map[string]any{"X": Ztr, "y": Take(boolInts(y), split.Train), "X_test": Zte,
		"fits": []skFit{{C: 1 / a.Options.Lambda}}})
	if err != nil {
		t.Fatal(err)
	}
	ref := runSklearn(t, py, req)
	sk, err := AUC(ref.Fits[0].TestScores, yte)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scikit-learn %s LogisticRegression(C=%g, lbfgs) on the same prepared columns: test AUC %.4f (go %.4f)",
		ref.Version, 1/a.Options.Lambda, sk, m.AUC)
	if math.Abs(sk-m.AUC) > 1e-4 {
		t.Errorf("test AUC differs from scikit-learn's: go %.6f, sklearn %.6f", m.AUC, sk)
	}
}

func boolInts(y []bool) []int {
	out := make([]int, len(y))
	for i, v := range y {
		if v {
			out[i] = 1
		}
	}
	return out
}

func logged(p *Prep, name string) bool {
	for _, c := range p.Columns {
		if c.Name == name {
			return c.Log
		}
	}
	return false
}
