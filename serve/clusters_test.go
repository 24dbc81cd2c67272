package serve_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/clusters"
	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/serve"
	"github.com/veil-data/veil/synth"
)

func TestLoadClusters(t *testing.T) {
	w := newWorld(t, 1, 4_000)
	dt, err := serve.NewestCheckpoint(w.wh)
	if err != nil || dt != dayOf(0) {
		t.Fatalf("newest checkpoint %q, %v", dt, err)
	}
	if m, err := risklist.Clusters(context.Background(), w.wh, w.mem, dt); err != nil || m != nil {
		t.Fatalf("before the clusters stage: %d users, %v", len(m), err)
	}
	st := clusters.Stage{Config: clusters.DefaultConfig()}
	job := &pipeline.Job{Env: &pipeline.Env{Warehouse: w.wh, Mem: w.mem, Log: slog.New(slog.DiscardHandler)},
		Stage: st.Name(), Date: synth.DefaultStart, RunID: pipeline.NewRunID(time.Now())}
	if err := st.Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	m, err := risklist.Clusters(context.Background(), w.wh, w.mem, dt)
	if err != nil || len(m) == 0 {
		t.Fatalf("clusters: %d users, %v", len(m), err)
	}
	for u, c := range m {
		if u == "" || !c.Known || c.Size < 1 && c.Label >= 0 {
			t.Fatalf("cluster row %+v", c)
		}
	}
}
