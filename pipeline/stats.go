package pipeline

import (
	"encoding/json"
	"regexp"
	"sort"
)

// Stats is a stage's account of one run, recorded in each output manifest
// and gathered by the report. For the stages that read landing records,
// every record that entered is counted out: RecordsIn = RecordsOut +
// sum(Quarantined) + Duplicates + OtherPartition (Balanced). Aggregating stages (tags, risk)
// count the rows they read and the rows they wrote; Balanced does not apply.
type Stats struct {
	Inputs []InputFile `json:"inputs,omitempty"`
	// RefusedFiles are the entries of the landing partition that were
	// not read, each with its reason (ListLanding); their records are not
	// in RecordsIn.
	RefusedFiles []RefusedFile `json:"refused_files,omitempty"`
	// DamagedFiles are landing files of which only a part could be read
	// (a damaged gzip file under files.on_damaged_file: quarantine); the
	// rest is one damaged_file quarantine row each.
	DamagedFiles []DamagedFile    `json:"damaged_files,omitempty"`
	RecordsIn    int64            `json:"records_in"`
	RecordsOut   int64            `json:"records_out"`
	Quarantined  map[string]int64 `json:"quarantined,omitempty"` // by reason
	Duplicates   int64            `json:"duplicates"`
	// OtherPartition counts rows of historical batches that another day's
	// run writes or quarantines (their event time places them there):
	// read, and neither written nor quarantined by this run.
	OtherPartition int64 `json:"other_partition,omitempty"`
	// DroppedFields counts undeclared fields by name; names that do not
	// look like field names are counted under "<other>" since a hostile
	// feed can put anything in a key.
	DroppedFields map[string]int64 `json:"dropped_fields,omitempty"`
	// Transforms says what happened to each input field.
	Transforms map[string]string `json:"transforms,omitempty"`
	// PII counts what the desensitiser found, by type.
	PII map[string]int64 `json:"pii,omitempty"`
	// Residual is the residual leak scan a stage ran over its output
	// before committing (anonymize/residual.Result as JSON): counts and
	// where, never values.
	Residual json.RawMessage `json:"residual,omitempty"`
	// OptOutsHonoured counts consumers left out of a marketing output
	// because they had opted out of marketing.
	OptOutsHonoured int64 `json:"optouts_honoured,omitempty"`
	// Pairs counts the chatbot training pairs the chats stage made, and
	// the candidate pairs it dropped by reason.
	Pairs *PairStats `json:"chat_pairs,omitempty"`
	// Leak is the report stage's re-scan of every output of the day for
	// raw values and PII patterns (reporting.LeakCheck in short), so that
	// metrics can read it from the manifest like any other stage's stats.
	Leak *LeakScan `json:"leak_scan,omitempty"`
}

// LeakScan summarises a leak scan: counts, never values.
type LeakScan struct {
	Passed   bool  `json:"passed"`
	Cells    int64 `json:"cells_scanned"`
	Findings int   `json:"findings"`
}

// PairStats counts chat_pairs: a candidate is each buyer turn of a
// conversation; it is made into a pair or dropped for one reason:
// greeting (a side holds only greetings, thanks or acknowledgements),
// empty (a side holds nothing to read), no_answer (no seller or bot turn
// follows), duplicate (the same normalised question and answer already
// made for the merchant that day).
type PairStats struct {
	Made    int64            `json:"made"`
	Dropped map[string]int64 `json:"dropped,omitempty"`
}

// Drop counts one candidate dropped for reason.
func (p *PairStats) Drop(reason string) {
	if p.Dropped == nil {
		p.Dropped = make(map[string]int64)
	}
	p.Dropped[reason]++
}

// Add adds o into p.
func (p *PairStats) Add(o *PairStats) {
	if o == nil {
		return
	}
	p.Made += o.Made
	for k, v := range o.Dropped {
		if p.Dropped == nil {
			p.Dropped = make(map[string]int64)
		}
		p.Dropped[k] += v
	}
}

// InputFile is one landing file a stage read.
type InputFile struct {
	Path    string `json:"path"` // relative to the landing root
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
	Records int64  `json:"records"`
}

// DamagedFile is a landing file read only up to its damage.
type DamagedFile struct {
	Path string `json:"path"` // relative to the landing root
	// Damage is truncated, bad_checksum, corrupt, trailing_garbage or
	// not_gzip.
	Damage string `json:"damage"`
	// BytesLost counts the file's bytes, as stored, after the last gzip
	// member whose CRC-32 and length checked out: no record was kept
	// from them.
	BytesLost int64 `json:"bytes_lost"`
	// UnverifiedLines counts the line ends decoded from those bytes
	// before the damage: a measure of the records lost, not records.
	UnverifiedLines int64 `json:"unverified_lines"`
}

var fieldName = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// Quarantine counts one quarantined record.
func (s *Stats) Quarantine(reason string) {
	if s.Quarantined == nil {
		s.Quarantined = make(map[string]int64)
	}
	s.Quarantined[reason]++
}

// DropField counts one undeclared field.
func (s *Stats) DropField(name string) {
	if s.DroppedFields == nil {
		s.DroppedFields = make(map[string]int64)
	}
	if !fieldName.MatchString(name) {
		name = "<other>"
	}
	s.DroppedFields[name]++
}

// AddPII adds n findings of type t.
func (s *Stats) AddPII(t string, n int64) {
	if s.PII == nil {
		s.PII = make(map[string]int64)
	}
	s.PII[t] += n
}

// QuarantinedTotal sums the quarantined records.
func (s *Stats) QuarantinedTotal() int64 {
	var n int64
	for _, c := range s.Quarantined {
		n += c
	}
	return n
}

// Merge adds o into s.
func (s *Stats) Merge(o Stats) {
	s.Inputs = append(s.Inputs, o.Inputs...)
	sort.Slice(s.Inputs, func(i, j int) bool { return s.Inputs[i].Path < s.Inputs[j].Path })
	s.RefusedFiles = append(s.RefusedFiles, o.RefusedFiles...)
	s.DamagedFiles = append(s.DamagedFiles, o.DamagedFiles...)
	s.RecordsIn += o.RecordsIn
	s.RecordsOut += o.RecordsOut
	s.Duplicates += o.Duplicates
	s.OtherPartition += o.OtherPartition
	s.OptOutsHonoured += o.OptOutsHonoured
	for k, v := range o.Quarantined {
		if s.Quarantined == nil {
			s.Quarantined = make(map[string]int64)
		}
		s.Quarantined[k] += v
	}
	for k, v := range o.DroppedFields {
		if s.DroppedFields == nil {
			s.DroppedFields = make(map[string]int64)
		}
		s.DroppedFields[k] += v
	}
	for k, v := range o.PII {
		s.AddPII(k, v)
	}
	if o.Pairs != nil {
		if s.Pairs == nil {
			s.Pairs = &PairStats{}
		}
		s.Pairs.Add(o.Pairs)
	}
	for k, v := range o.Transforms {
		if s.Transforms == nil {
			s.Transforms = make(map[string]string)
		}
		s.Transforms[k] = v
	}
}

// Balanced reports whether every record is accounted for.
func (s *Stats) Balanced() bool {
	return s.RecordsIn == s.RecordsOut+s.QuarantinedTotal()+s.Duplicates+s.OtherPartition
}
