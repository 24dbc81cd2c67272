package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// riskListSummary prints each day's decisions, risk list and blacklist,
// and what the review found.
func (a *app) riskListSummary(wh *sinks.Warehouse, start time.Time, days int) error {
	for d := 0; d < days; d++ {
		dt := start.AddDate(0, 0, d).Format(time.DateOnly)
		m, err := wh.Manifest(schemas.RiskDecisions, sinks.Partition{DT: dt})
		if err != nil {
			return err
		}
		var st risklist.Stats
		if err := json.Unmarshal(m.Stats, &st); err != nil {
			return fmt.Errorf("%s/dt=%s: stats: %w", schemas.RiskDecisions.Name, dt, err)
		}
		lead := "decisions"
		if d > 0 {
			lead = "         "
		}
		fmt.Fprintf(a.stdout, "%s %s: %d events decided (%s); risk list %s; blacklist +%d admitted, %d lifted, %d in force (version %d)\n",
			lead, dt, st.RecordsOut, counts(st.Actions), counts(st.Listed), st.Admitted, st.Lifted, st.InForce, st.Version)
		rm, err := wh.Manifest(schemas.RiskReview, sinks.Partition{DT: dt})
		if err != nil {
			return err
		}
		var rs risklist.ReviewStats
		if err := json.Unmarshal(rm.Stats, &rs); err != nil {
			return fmt.Errorf("%s/dt=%s: stats: %w", schemas.RiskReview.Name, dt, err)
		}
		fpr := "n/a"
		if rs.Day.FPR != nil {
			fpr = fmt.Sprintf("%.4f", *rs.Day.FPR)
		}
		fmt.Fprintf(a.stdout, "          review: %d users flagged, %d with a fraud label by %s; false-positive rate %s; %d live sessions flagged; %.2f at stake blocked\n",
			rs.Day.Flagged, rs.Day.FlaggedFraud, rs.Cutoff.Format(time.DateOnly), fpr, rs.Sessions, rs.Day.AmountBlocked)
		if am, err := wh.Manifest(schemas.AppealsClean, sinks.Partition{DT: dt}); err == nil {
			fmt.Fprintf(a.stdout, "          appeals: %d filed (appeals_clean); decide with: veil appeals list, veil appeals decide --case C --decision uphold|lift --reason \"...\"\n", am.Rows)
		}
	}
	return nil
}
