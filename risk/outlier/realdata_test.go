package outlier

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/veil-data/veil/internal/realdata"
	"github.com/veil-data/veil/internal/sklearnref"
)

// fraudFeatures reads the first n rows of the shared Fraud_Data file as
// (purchase value, age, minutes from signup to purchase): whole numbers
// with many repeats, so real ties, the case veil must break as sklearn does.
func fraudFeatures(t *testing.T, n int) Matrix {
	t.Helper()
	f, err := os.Open(realdata.Path(t, "ecommerce-fraud/Fraud_Data_truncated_with_ip.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // the last row is cut off
	m := Matrix{Cols: 3}
	const layout = "1/2/2006 15:04"
	for line := 1; m.Rows < n; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		if line == 1 || len(rec) < 9 {
			continue // header, or the truncated last row
		}
		signup, err1 := time.Parse(layout, rec[1])
		buy, err2 := time.Parse(layout, rec[2])
		value, err3 := strconv.ParseFloat(rec[3], 64)
		age, err4 := strconv.ParseFloat(rec[8], 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			continue
		}
		m.Data = append(m.Data, value, age, buy.Sub(signup).Minutes())
		m.Rows++
	}
	if m.Rows < 100 {
		t.Fatalf("only %d usable rows", m.Rows)
	}
	return m
}

// TestFraudDataMatchesSklearn runs the pipeline's own chain (Standardize,
// then LOF and DBSCAN) and the raw integer features through sklearn.
func TestFraudDataMatchesSklearn(t *testing.T) {
	n := 6000
	if testing.Short() || raceBuild {
		n = 1500
	}
	raw := fraudFeatures(t, n)
	py := sklearnref.Python(t)
	std := Standardize(raw)
	lofReq := []map[string]any{{"n_neighbors": 20, "contamination": 0, "algorithm": "kd_tree"},
		{"n_neighbors": 10, "contamination": 0.05, "algorithm": "auto"}}
	req := func(m Matrix, eps float64) map[string]any {
		return map[string]any{"rows": m.Rows, "cols": m.Cols, "X": m.Data, "lof": lofReq, "scale": true,
			"dbscan": []map[string]any{{"eps": eps, "min_samples": 8, "algorithm": "kd_tree"}}}
	}
	// eps 3 on whole numbers is an exact lattice distance (0,0,3).
	refs := sklearnRefs(t, py, []map[string]any{req(raw, 3), req(std, 0.2)})
	worst := checkClose(t, "StandardScaler", std.Data, refs[0].Scale, 1e-12)
	for ci, m := range []Matrix{raw, std} {
		ref := refs[ci]
		for i, p := range []LOFParams{{}, {NNeighbors: 10, Contamination: 0.05}} {
			got, err := LOF(context.Background(), m, p)
			if err != nil {
				t.Fatal(err)
			}
			worst = max(worst, checkClose(t, "negative_outlier_factor_", got.NegativeOutlierFactor, ref.LOF[i].NOF, 1e-12))
			worst = max(worst, checkClose(t, "offset_", []float64{got.Offset}, []float64{ref.LOF[i].Offset}, 1e-12))
		}
		eps := []float64{3, 0.2}[ci]
		got, err := DBSCAN(context.Background(), m, DBSCANParams{Eps: eps, MinSamples: 8})
		if err != nil {
			t.Fatal(err)
		}
		for j := range got.Labels {
			if got.Labels[j] != ref.DBSCAN[0].Labels[j] || got.Core[j] != ref.DBSCAN[0].Core[j] {
				t.Fatalf("data %d point %d: label %d core %v, sklearn %d %v", ci, j, got.Labels[j], got.Core[j], ref.DBSCAN[0].Labels[j], ref.DBSCAN[0].Core[j])
			}
		}
	}
	t.Logf("Fraud_Data (%d rows): worst relative difference to sklearn %.3g", raw.Rows, worst)
}
