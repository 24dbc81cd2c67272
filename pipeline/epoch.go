package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/veil-data/veil/sinks"
)

// Tokens made under one key cannot be joined with tokens of the same
// values made under another. veil's answer to key rotation is to
// re-tokenise history: after `veil keys rotate`, every partition whose
// manifest records a primary key id other than the current one is due, and
// the scheduler recomputes it from landing (downstream stages follow, since
// their inputs change). Until that is done, a stage that reads several
// partitions refuses to mix key epochs rather than silently split one
// person into two.

// primaryKeys returns the current primary key id of every keyset, or nil
// when the keys cannot be opened (the run itself will then fail with the
// reason).
func (r *Runner) primaryKeys(ctx context.Context) map[string]uint32 {
	if r.Env.Keys == nil {
		return nil
	}
	set, err := r.Env.Keys(ctx)
	if err != nil {
		return nil
	}
	ids := map[string]uint32{}
	for _, ks := range set.Info() {
		ids[ks.Name] = ks.PrimaryKeyID
	}
	return ids
}

// staleKeys describes the keysets whose primary key differs from the one
// a manifest records, or "" when none does.
func staleKeys(recorded, current map[string]uint32) string {
	var diffs []string
	for name, id := range recorded {
		if cur, ok := current[name]; ok && cur != id {
			diffs = append(diffs, fmt.Sprintf("%s %d -> %d", name, id, cur))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, ", ")
}

// checkEpochs fails when the manifests of inputs record different primary
// keys for the same keyset.
func checkEpochs(ms map[string]*sinks.Manifest) error {
	first := map[string]uint32{}
	from := map[string]string{}
	refs := make([]string, 0, len(ms))
	for ref := range ms {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		for name, id := range ms[ref].KeyIDs {
			if prev, ok := first[name]; ok && prev != id {
				return fmt.Errorf("inputs were tokenised under different %s keys (%s: %d, %s: %d); re-run the older partitions after the key rotation (veil backfill --force) before joining them",
					name, from[name], prev, ref, id)
			}
			first[name], from[name] = id, ref
		}
	}
	return nil
}
