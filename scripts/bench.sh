#!/usr/bin/env bash
# bench.sh — veil ingest throughput and memory against a DuckDB baseline,
# the tags stage and an audience selection over 10M generated consumers,
# then the Go micro-benchmarks.
#
#   scripts/bench.sh
#
# Steps (any failure stops the script with a non-zero status; a low ratio
# does not):
#   1. go build -o bin/veil ./cmd/veil
#   2. veil gen --out $WORK/data --days 1 --events $BENCH_EVENTS --seed $BENCH_SEED   (uncompressed)
#   3. veil keys init --dir $WORK/keys
#   4. veil once --stage ingest --date D --landing .. --warehouse .. --keys ..
#      under /usr/bin/time -v (peak RSS); also parses veil's own stderr line
#      "ingest: N events in S s (X events/s), peak RSS M MiB"
#   5. node scripts/duckdb-bench.mjs on the same landing files (read_json,
#      sha256 of the identifier columns, COPY to zstd Parquet), same threads
#      as cores, also under /usr/bin/time -v
#   6. comparison table and the veil/DuckDB throughput ratio
#   7. BenchmarkTags (tags stage over a generated 30-day window) and then
#      BenchmarkAudience (one Select over its tags) at $BENCH_CONSUMERS
#      consumers, -benchtime 1x, each test binary under /usr/bin/time -v;
#      the two share one generated warehouse ($WORK/tags), so the audience
#      run's peak RSS is its own. Table: consumers, events, seconds,
#      consumers/s, peak Go heap, peak RSS.
#   8. chat redaction throughput per core: anonymize/pii/pieval/piibench
#      (pii.Conversation.Redact per message, GOMAXPROCS=1, CPU time, best
#      of 3 alternating runs of 3 rounds) built from this tree and from $BENCH_PII_BASE (a git archive
#      of that commit with this tree's pieval copied in, so both run one
#      harness), on presidio-research full_text (English), CLUENER text and
#      JDDC chat lines (Chinese) from the shared real data. Table: corpus,
#      MB, previous MB/s, now MB/s, ratio. ~25 s.
#   9. go test -run '^$' -bench . -benchmem ./...  (step 7's benchmarks at
#      their small default size)
#  10. risk features (issue 10): risk/riskbench/cmd/riskbench setup writes
#      $BENCH_RISK_DAYS days of events_clean ($BENCH_RISK_EVENTS on the last
#      day, $BENCH_RISK_HISTORY on each earlier one) and folds all but the
#      last into risk_state (not timed); then `riskbench run` times the risk
#      stage on the last day under /usr/bin/time -v, and
#      scripts/duckdb-risk.mjs computes the same per-event window counts
#      (5 entities x 5 event types x 1h/24h/7d/30d) and the 30d distinct
#      devices per user and accounts per device with window functions over
#      the same Parquet, also under /usr/bin/time -v, then checks every
#      compared column of every row against veil's risk_features (a
#      mismatch fails the step). Table: engine, seconds, events/s, CPU,
#      peak RSS; the veil/DuckDB ratio.
#  11. outlier scores and clusters (issue 11): `veil anomaly blobs` writes
#      $BENCH_OUTLIER_N 8-d points (5 Gaussian blobs, 2% uniform outliers);
#      `veil anomaly lof|dbscan|optics` and scripts/sklearn-outlier.py fit
#      the same CSV, one thread each (GOMAXPROCS=1 --workers 1; n_jobs=1,
#      OMP/OpenBLAS/MKL threads 1) and then all cores; the script checks
#      veil's output against scikit-learn's (a mismatch fails the step).
#      Table: algorithm, threads, veil s, sklearn s, ratio. Then LOF and
#      DBSCAN at $BENCH_OUTLIER_BIG points, veil only, under /usr/bin/time -v.
#      ~13 min at the defaults on the shared 2-core host: the two 1M runs
#      (~4 min each) and scikit-learn's OPTICS (~3 min per thread count).
#  12. decide latency (issue 12): veil gen writes 2 days of $BENCH_DECIDE_EVENTS
#      events each; veil once runs ingest, risk and risklist on both (not timed); veil
#      serve starts on that warehouse (continuing from the second day's
#      risk_state) with a fresh service key; veil loadgen posts generator-like
#      events at $BENCH_DECIDE_RATE requests/s, open loop, from
#      $BENCH_DECIDE_WORKERS workers for $BENCH_DECIDE_DURATION, and prints
#      p50/p90/p99/max latency (send to answer, and due to answer) and the
#      throughput; the server is stopped with SIGTERM. Goal: p99 <= 5 ms at
#      2,000 requests/s.
#  13. one day at scale (issue 13): scripts/bench-day.sh generates one day of
#      $BENCH_DAY_EVENTS events as gzip (veil gen --gzip: 682 MiB at 10M) and
#      runs `veil once --stage S` for every stage in pipeline order, each
#      under /usr/bin/time -v, with the binary built from $BENCH_DAY_BASE (a
#      git archive of that commit; or $BENCH_DAY_BASE_BIN) on its own
#      warehouse and then with this tree's. Table: stage, seconds and peak
#      RSS before and after; the total; goal: no stage above 2 GiB, the
#      whole day < 134 s. ~15 min a binary at 10M on the shared 2-core host.
#
# Environment:
#   BENCH_EVENTS (1000000)  BENCH_SEED (7)
#   BENCH_DIR    work directory (default: a new mktemp dir, removed at the end)
#   BENCH_KEEP=1 keep the work directory
#   VEIL_BIN     use this veil binary instead of building bin/veil
#   BENCH_CONSUMERS (10000000)  consumers generated for step 7 (~4 events each;
#                at 10M: ~4 min and ~8 GiB of RAM for the tags run, 2 GiB of disk)
#   BENCH_SKIP_INGEST=1    skip steps 2-6
#   BENCH_SKIP_TAGS=1      skip step 7
#   BENCH_SKIP_PII=1       skip step 8
#   BENCH_PII_BASE (b4ffc6b)  the "previous" redactor of step 8: the commit
#                before issue 9's work; without git history, "previous: n/a"
#   VEIL_REAL_DATA  the shared real data folder (default ../shared/data/real
#                from the repository root); absent: step 8 is skipped
#   BENCH_SKIP_GO_BENCH=1  skip step 9
#   BENCH_SKIP_RISK=1      skip step 10
#   BENCH_RISK_EVENTS (1000000)  events of the timed day of step 10; the
#                issue's figure is 10000000 (with BENCH_RISK_HISTORY=1000000:
#                ~5 min of setup, ~1.5 min and ~5 GiB for veil's day, ~2 min
#                for DuckDB's queries on 2 cores)
#   BENCH_RISK_HISTORY (200000)  events of each of the days before it
#   BENCH_RISK_DAYS (30)          days, the timed one included
#   BENCH_RISK_DUCKDB_MEMORY (8GB)  DuckDB's memory_limit (it spills beyond)
#   BENCH_RISK_DISTINCT=0  leave the distinct-count windows out of DuckDB's
#                query and of the check
#   BENCH_SKIP_DECIDE=1    skip step 12
#   BENCH_DECIDE_EVENTS (100000) BENCH_DECIDE_RATE (2000) BENCH_DECIDE_WORKERS (32)
#   BENCH_DECIDE_DURATION (30s)  BENCH_DECIDE_REORDER (0s: veil serve --reorder-window)
#   BENCH_SKIP_OUTLIER=1   skip step 11
#   BENCH_OUTLIER_N (50000)  points of the veil/scikit-learn comparison
#   BENCH_OUTLIER_EPS (2.0)  DBSCAN's eps there
#   BENCH_OUTLIER_BIG (1000000)  points of the veil-only LOF and DBSCAN run;
#                BENCH_OUTLIER_BIG_EPS its eps (default: scaled to the density)
#   BENCH_SKIP_DAY=1       skip step 13
#   BENCH_DAY_EVENTS (10000000)  events of step 13's day
#   BENCH_DAY_BASE (752a3b7)  the "before" of step 13: the commit before
#                issue 13's bounded leak scans; BENCH_DAY_BASE_BIN=/path uses
#                that binary instead; BENCH_DAY_BASE=none runs this tree only
#   BENCH_DAY_STAGES  the stages of step 13 (default: all, in order)
#   VEIL_PYTHON  a python3 with scikit-learn (default /usr/bin/python3;
#                Debian's python3-sklearn); without one step 11 runs veil only,
#                or fails when VEIL_REQUIRE_SKLEARN is set
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EVENTS="${BENCH_EVENTS:-1000000}"
SEED="${BENCH_SEED:-7}"
CORES="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"

if [ -n "${BENCH_DIR:-}" ]; then
  WORK="$BENCH_DIR"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/veil-bench.XXXXXX")"
fi
cleanup() {
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ]; then
    echo "bench: work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

step() { printf '\n=== %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

TIME_BIN=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
  TIME_BIN=/usr/bin/time
else
  echo "bench: /usr/bin/time -v not available (apt-get install time); peak RSS comes from what each program reports"
fi

# run_measured NAME CMD...: runs CMD, copying its stderr to $WORK/NAME.stderr
# (and to the terminal), its stdout to $WORK/NAME.stdout, /usr/bin/time -v to
# $WORK/NAME.time, and the wall clock seconds to $WORK/NAME.wall.
run_measured() {
  local name=$1
  shift
  local t0 status=0
  t0=$(now)
  if [ -n "$TIME_BIN" ]; then
    "$TIME_BIN" -v -o "$WORK/$name.time" "$@" 2>&1 >"$WORK/$name.stdout" | tee "$WORK/$name.stderr" >&2 || status=$?
  else
    "$@" 2>&1 >"$WORK/$name.stdout" | tee "$WORK/$name.stderr" >&2 || status=$?
  fi
  elapsed "$t0" >"$WORK/$name.wall"
  if [ "$status" -ne 0 ]; then
    echo "bench: $name failed with status $status" >&2
    [ -s "$WORK/$name.stdout" ] && tail -n 20 "$WORK/$name.stdout" >&2
    return "$status"
  fi
  echo "($name: $(cat "$WORK/$name.wall") s wall)"
}

# Peak RSS in MiB from a /usr/bin/time -v report, or empty.
time_rss_mib() {
  [ -f "$1" ] || return 0
  awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.1f", $2 / 1024 }' "$1"
}

# ------------------------------------------------------------------ 1. build
if [ -n "${VEIL_BIN:-}" ]; then
  VEIL="$VEIL_BIN"
  step "using VEIL_BIN=$VEIL (not building)"
else
  step "go build -o bin/veil ./cmd/veil"
  t0=$(now)
  go build -o bin/veil ./cmd/veil
  VEIL="$ROOT/bin/veil"
  echo "(build: $(elapsed "$t0") s)"
fi

if [ "${BENCH_SKIP_INGEST:-0}" = 1 ]; then
  step "ingest comparison skipped (BENCH_SKIP_INGEST=1)"
else
  if [ ! -d "$ROOT/scripts/node_modules/@duckdb/node-api" ]; then
    step "npm ci (scripts/)"
    (cd "$ROOT/scripts" && npm ci --no-audit --no-fund)
  fi

  # ------------------------------------------------------------------ 2-3. data and keys
  DATA="$WORK/data"
  step "veil gen --out $DATA --days 1 --events $EVENTS --seed $SEED"
  rm -rf "$DATA" "$WORK/keys" "$WORK/warehouse" "$WORK/duckdb"
  t0=$(now)
  "$VEIL" gen --out "$DATA" --days 1 --events "$EVENTS" --seed "$SEED"
  echo "(gen: $(elapsed "$t0") s)"

  EVDIR="$(find "$DATA/landing/events" -mindepth 1 -maxdepth 1 -type d -name 'dt=*' | sort | head -n 1)"
  if [ -z "$EVDIR" ]; then
    echo "bench: veil gen wrote no $DATA/landing/events/dt=* partition" >&2
    exit 1
  fi
  DATE="${EVDIR##*/dt=}"
  shopt -s nullglob
  EVFILES=("$EVDIR"/*.jsonl "$EVDIR"/*.jsonl.gz)
  shopt -u nullglob
  if [ "${#EVFILES[@]}" -eq 0 ]; then
    echo "bench: no *.jsonl files in $EVDIR" >&2
    exit 1
  fi
  INPUT_MIB=$(du -cm "${EVFILES[@]}" | tail -n 1 | cut -f1)
  LINES=$(for f in "${EVFILES[@]}"; do case "$f" in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac; done | wc -l)
  echo "landing: $EVDIR: ${#EVFILES[@]} file(s), $LINES lines, ${INPUT_MIB} MiB"

  step "veil keys init --dir $WORK/keys"
  "$VEIL" keys init --dir "$WORK/keys"

  # ------------------------------------------------------------------ 4. veil ingest
  step "veil once --stage ingest --date $DATE  ($CORES cores)"
  run_measured veil "$VEIL" once --stage ingest --date "$DATE" \
    --landing "$DATA/landing" --warehouse "$WORK/warehouse" --keys "$WORK/keys"

  # Loosely: "ingest: 1000000 events|records|rows in 9.8 s (102040 events/s), peak RSS 412 MiB"
  VEIL_LINE="$(grep -E 'ingest:.*[0-9]+ *(events|records|rows)' "$WORK/veil.stderr" | tail -n 1 || true)"
  VEIL_EVENTS="$(printf '%s' "$VEIL_LINE" | sed -nE 's/.*ingest:[^0-9]*([0-9]+) *(events|records|rows).*/\1/p')"
  VEIL_RATE="$(printf '%s' "$VEIL_LINE" | grep -oE '[0-9]+(\.[0-9]+)? ?(events|records|rows)/s' | grep -oE '^[0-9.]+' || true)"
  VEIL_REPORTED_RSS="$(printf '%s' "$VEIL_LINE" | grep -oiE 'peak RSS:? *[0-9]+(\.[0-9]+)? ?MiB' | grep -oE '[0-9]+(\.[0-9]+)?' || true)"
  VEIL_WALL="$(cat "$WORK/veil.wall")"
  if [ -z "$VEIL_LINE" ]; then
    echo "bench: note: veil printed no 'ingest: N events in S s (X events/s), peak RSS M MiB' line; using input lines and wall clock"
  fi
  VEIL_EVENTS="${VEIL_EVENTS:-$LINES}"
  VEIL_RATE_SRC="reported"
  if [ -z "$VEIL_RATE" ]; then
    VEIL_RATE="$(awk -v n="$VEIL_EVENTS" -v s="$VEIL_WALL" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')"
    VEIL_RATE_SRC="wall clock"
  fi
  VEIL_RSS="$(time_rss_mib "$WORK/veil.time")"
  VEIL_RSS_SRC="/usr/bin/time -v"
  if [ -z "$VEIL_RSS" ]; then
    VEIL_RSS="${VEIL_REPORTED_RSS:-?}"
    VEIL_RSS_SRC="reported by veil"
  fi

  # ------------------------------------------------------------------ 5. duckdb
  step "DuckDB: read_json + sha256(identifiers) + COPY to zstd Parquet  ($CORES threads)"
  run_measured duckdb node "$ROOT/scripts/duckdb-bench.mjs" "$EVDIR" "$WORK/duckdb"
  DUCK_JSON="$(tail -n 1 "$WORK/duckdb.stdout")"
  duck_field() { node -e 'const o = JSON.parse(process.argv[1]); const v = o[process.argv[2]]; process.stdout.write(v === undefined ? "" : String(v))' "$DUCK_JSON" "$1"; }
  DUCK_EVENTS="$(duck_field events)"
  DUCK_RATE="$(duck_field events_per_s)"
  DUCK_SECONDS="$(duck_field seconds)"
  DUCK_REPORTED_RSS="$(duck_field peak_rss_mib)"
  DUCK_WALL="$(cat "$WORK/duckdb.wall")"
  DUCK_RSS="$(time_rss_mib "$WORK/duckdb.time")"
  DUCK_RSS_SRC="/usr/bin/time -v"
  if [ -z "$DUCK_RSS" ]; then
    DUCK_RSS="$DUCK_REPORTED_RSS"
    DUCK_RSS_SRC="process.resourceUsage().maxRSS"
  fi

  # ------------------------------------------------------------------ 6. comparison
  step "comparison: $EVENTS events, 1 day, uncompressed (${INPUT_MIB} MiB), $CORES cores"
  printf '%-8s %10s %9s %14s %14s\n' engine events "wall s" "events/s" "peak RSS MiB"
  printf '%-8s %10s %9s %14s %14s\n' -------- ---------- --------- -------------- --------------
  printf '%-8s %10s %9s %14s %14s\n' veil "$VEIL_EVENTS" "$VEIL_WALL" "$VEIL_RATE" "$VEIL_RSS"
  printf '%-8s %10s %9s %14s %14s\n' duckdb "$DUCK_EVENTS" "$DUCK_WALL" "$DUCK_RATE" "$DUCK_RSS"
  echo
  echo "veil events/s: $VEIL_RATE_SRC; DuckDB events/s: measured inside duckdb-bench.mjs (${DUCK_SECONDS} s, instance start to COPY end)."
  echo "peak RSS: veil from $VEIL_RSS_SRC${VEIL_REPORTED_RSS:+ (veil reports $VEIL_REPORTED_RSS MiB)}; DuckDB from $DUCK_RSS_SRC (node + DuckDB in one process; node reports $DUCK_REPORTED_RSS MiB)."
  echo "note: veil ingest also validates, quarantines, generalises and tokenises with Tink; DuckDB only hashes six columns."
  RATIO="$(awk -v a="$VEIL_RATE" -v b="$DUCK_RATE" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
  RSS_RATIO="$(awk -v a="$VEIL_RSS" -v b="$DUCK_RSS" 'BEGIN { if (b + 0 > 0 && a + 0 > 0) printf "%.2f", a / b; else print "n/a" }')"
  echo
  echo "veil/DuckDB throughput ratio: ${RATIO}x   (peak RSS ratio veil/DuckDB: ${RSS_RATIO}x)"
fi

# ------------------------------------------------------------------ 7. tags and audience at scale
# bench_metric FILE BENCHMARK UNIT: the value a benchmark line reports in UNIT.
bench_metric() {
  awk -v b="$2" -v u="$3" '$1 ~ "^" b "(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i + 1) == u) { print $i; exit } }' "$1"
}
CONSUMERS="${BENCH_CONSUMERS:-10000000}"
if [ "${BENCH_SKIP_TAGS:-0}" = 1 ]; then
  step "tags and audience benchmarks skipped (BENCH_SKIP_TAGS=1)"
else
  step "tags stage and one audience selection over $CONSUMERS generated consumers"
  go test -c -o "$WORK/tagging.test" ./tagging/
  go test -c -o "$WORK/audience.test" ./audience/
  # Generated by the first run, kept for the second.
  mkdir -p "$WORK/tags"
  for b in Tags Audience; do
    pkg=tagging
    [ "$b" = Audience ] && pkg=audience
    (cd "$ROOT/$pkg" && run_measured "bench$b" env VEIL_BENCH_CONSUMERS="$CONSUMERS" VEIL_BENCH_DIR="$WORK/tags" \
      "$WORK/$pkg.test" -test.run '^$' -test.bench "^Benchmark$b\$" -test.benchtime 1x -test.benchmem)
    cat "$WORK/bench$b.stdout"
  done
  T="$WORK/benchTags.stdout"
  A="$WORK/benchAudience.stdout"
  row() { # NAME FILE BENCHMARK RSS_FILE EVENTS
    local ns sec cons
    ns="$(bench_metric "$2" "$3" ns/op)"
    sec="$(awk -v n="$ns" 'BEGIN { printf "%.1f", n / 1e9 }')"
    cons="$(bench_metric "$2" "$3" consumers)"
    printf '%-22s %10s %10s %8s %12s %14s %13s\n' "$1" "$cons" "$5" "$sec" \
      "$(bench_metric "$2" "$3" consumers/s)" "$(bench_metric "$2" "$3" peak-heap-MiB)" "$(time_rss_mib "$4")"
  }
  step "tags and audience: $CONSUMERS consumers, 30 days, $CORES cores"
  printf '%-22s %10s %10s %8s %12s %14s %13s\n' benchmark consumers events seconds consumers/s "peak heap MiB" "peak RSS MiB"
  row "tags stage" "$T" BenchmarkTags "$WORK/benchTags.time" "$(bench_metric "$T" BenchmarkTags events)"
  row "audience largest" "$A" BenchmarkAudience/largest "$WORK/benchAudience.time" -
  row "audience reach" "$A" BenchmarkAudience/reach "$WORK/benchAudience.time" -
  echo
  echo "tags: CEL evaluations $(bench_metric "$T" BenchmarkTags evals), memo hits $(bench_metric "$T" BenchmarkTags memo-hits), CPU $(bench_metric "$T" BenchmarkTags cpu-s) s, peak live heap $(bench_metric "$T" BenchmarkTags peak-live-MiB) MiB."
  echo "audience: consumers/s is consumer_tags rows read a second (Select reads them all); largest merchant: $(bench_metric "$A" BenchmarkAudience/largest candidates) candidates."
  echo "peak heap: Go heap objects (live or not yet swept) sampled every 10 ms during the timed run; peak RSS: the whole test process (/usr/bin/time -v),"
  echo "so the tags row includes generating the data, and both audience rows are one process."
fi

# ------------------------------------------------------------------ 8. chat redaction
if [ "${BENCH_SKIP_PII:-0}" = 1 ]; then
  step "chat redaction throughput skipped (BENCH_SKIP_PII=1)"
else
  PII_BASE="${BENCH_PII_BASE:-b4ffc6b}"
  REAL="${VEIL_REAL_DATA:-$ROOT/../shared/data/real}"
  # name|language|file, the text the redactor reads in brackets
  PII_CORPORA=()
  for c in "presidio synth_dataset_v2 (full_text)|en|presidio-research/synth_dataset_v2.json" \
    "CLUENER train (text)|zh|cluener2020/train.json" \
    "JDDC chat (content)|zh|jddc-chat/chat_0.1per.txt"; do
    [ -f "$REAL/${c##*|}" ] && PII_CORPORA+=("$c")
  done
  step "chat redaction: Conversation.Redact per message, MB/s per core (GOMAXPROCS=1), now against $PII_BASE"
  if [ "${#PII_CORPORA[@]}" -eq 0 ]; then
    echo "bench: real data absent in $REAL (set VEIL_REAL_DATA to the shared data/real folder); chat redaction skipped"
  else
    PB="anonymize/pii/pieval/piibench"
    go build -o "$WORK/piibench-now" "./$PB"
    PREV_BIN=""
    PREV_WHY=""
    if ! git -C "$ROOT" rev-parse --verify -q "$PII_BASE^{commit}" >/dev/null 2>&1; then
      PREV_WHY="no git history with $PII_BASE"
    else
      # The earlier tree with this tree's harness: pieval uses only
      # pii.Find, pii.Span, pii.Types, pii.NewConversation and Redact.
      PREV_SRC="$WORK/pii-prev"
      rm -rf "$PREV_SRC"
      mkdir -p "$PREV_SRC"
      git -C "$ROOT" archive "$PII_BASE" | tar -x -C "$PREV_SRC"
      rm -rf "$PREV_SRC/anonymize/pii/pieval"
      mkdir -p "$PREV_SRC/$PB"
      for f in anonymize/pii/pieval/*.go "$PB"/*.go; do
        case "$f" in *_test.go) ;; *) cp "$f" "$PREV_SRC/$f" ;; esac
      done
      if (cd "$PREV_SRC" && go build -o "$WORK/piibench-prev" "./$PB") 2>"$WORK/piibench-prev.build"; then
        PREV_BIN="$WORK/piibench-prev"
      else
        PREV_WHY="the harness does not build against $PII_BASE (see below)"
        sed -n 1,10p "$WORK/piibench-prev.build" >&2
      fi
    fi
    [ -n "$PREV_WHY" ] && echo "previous: n/a ($PREV_WHY)"
    printf '%-40s %-4s %7s %13s %10s %7s\n' corpus lang MB "previous MB/s" "now MB/s" ratio
    printf '%-40s %-4s %7s %13s %10s %7s\n' ---------------------------------------- ---- ------- ------------- ---------- -------
    for c in "${PII_CORPORA[@]}"; do
      name="${c%%|*}"
      rest="${c#*|}"
      lang="${rest%%|*}"
      file="$REAL/${rest#*|}"
      # Alternate the two binaries and keep the best of each, so that a
      # burst of load elsewhere on the machine hurts neither alone.
      prev="n/a"
      now_mbps=0
      for _ in 1 2 3; do
        if [ -n "$PREV_BIN" ]; then
          p="$(GOMAXPROCS=1 "$PREV_BIN" -rounds 3 "$file" | cut -f4)"
          prev="$(awk -v a="$prev" -v b="$p" 'BEGIN { print (a == "n/a" || b + 0 > a + 0) ? b : a }')"
        fi
        line="$(GOMAXPROCS=1 "$WORK/piibench-now" -rounds 3 "$file")"
        now_mbps="$(awk -v a="$now_mbps" -v b="$(printf '%s' "$line" | cut -f4)" 'BEGIN { print (b + 0 > a + 0) ? b : a }')"
      done
      mb="$(printf '%s' "$line" | awk -F'\t' '{ printf "%.2f", $2 / 1e6 }')"
      ratio="$(awk -v a="$now_mbps" -v b="$prev" 'BEGIN { if (b + 0 > 0) printf "%.2fx", a / b; else print "n/a" }')"
      printf '%-40s %-4s %7s %13s %10s %7s\n' "$name" "$lang" "$mb" "$prev" "$now_mbps" "$ratio"
    done
    echo
    echo "MB = 1e6 bytes of message text. MB/s: process CPU time (user+sys, GC included), GOMAXPROCS=1, the fastest round of >= 0.2 s"
    echo "over the corpus, 3 rounds in each of 3 runs alternating previous and now; a new Conversation per record (presidio, CLUENER)"
    echo "or per session (JDDC). The host is shared: expect +-20% between runs. Goal (issue 9): >= 100 MB/s per core."
  fi
fi

# ------------------------------------------------------------------ 9. go benchmarks
if [ "${BENCH_SKIP_GO_BENCH:-0}" = 1 ]; then
  step "go test -bench skipped (BENCH_SKIP_GO_BENCH=1)"
else
  step "go test -run '^\$' -bench . -benchmem ./..."
  t0=$(now)
  # Step 7's benchmarks run here at their small default size.
  env -u VEIL_BENCH_CONSUMERS -u VEIL_BENCH_DIR go test -run '^$' -bench . -benchmem ./... | tee "$WORK/gobench.txt"
  echo "(go benchmarks: $(elapsed "$t0") s)"

  # Tokenisation once identifiers repeat (a day's users recur on many
  # events): the policy applied to one event row (6 tokens and the
  # generalisations) with the per-worker token cache, and with every token
  # computed (cold); then the six tokens alone.
  step "tokenisation cost per row, identifiers repeating (Zipf over 50k users)"
  awk '/^BenchmarkApplyEvent\/cached/ { printf "policy row, cached tokens:  %s ns/row\n", $3 }
       /^BenchmarkApplyEvent\/cold/   { printf "policy row, cold tokens:    %s ns/row\n", $3 }
       /^BenchmarkTokenize\//          { printf "%-27s %s ns/event (6 tokens)\n", $1 ":", $3 }' "$WORK/gobench.txt"
fi

# ------------------------------------------------------------------ 10. risk features
if [ "${BENCH_SKIP_RISK:-0}" = 1 ]; then
  step "risk features skipped (BENCH_SKIP_RISK=1)"
else
  # The default keeps the step to ~5 minutes; see the header for 10M.
  R_EVENTS="${BENCH_RISK_EVENTS:-1000000}"
  R_HISTORY="${BENCH_RISK_HISTORY:-200000}"
  R_DAYS="${BENCH_RISK_DAYS:-30}"
  RW="$WORK/risk"
  if [ ! -d "$ROOT/scripts/node_modules/@duckdb/node-api" ]; then
    step "npm ci (scripts/)"
    (cd "$ROOT/scripts" && npm ci --no-audit --no-fund)
  fi
  step "risk features: setup, $R_DAYS days of events_clean ($R_EVENTS on the last, $R_HISTORY before), state of all but the last (not timed)"
  go build -o "$WORK/riskbench" ./risk/riskbench/cmd/riskbench
  t0=$(now)
  "$WORK/riskbench" setup -dir "$RW" -days "$R_DAYS" -events "$R_EVENTS" -history-events "$R_HISTORY"
  echo "(setup: $(elapsed "$t0") s)"

  step "veil: the risk stage on the last day ($CORES cores)"
  run_measured riskveil "$WORK/riskbench" run -dir "$RW"
  RV_JSON="$(tail -n 1 "$WORK/riskveil.stdout")"
  jfield() { node -e 'const o = JSON.parse(process.argv[1]); const v = o[process.argv[2]]; process.stdout.write(v === undefined || v === null ? "" : String(v))' "$1" "$2"; }
  R_DT="$(jfield "$RV_JSON" dt)"

  DUCK_ARGS=(--days "$R_DAYS" --memory-limit "${BENCH_RISK_DUCKDB_MEMORY:-8GB}")
  [ "${BENCH_RISK_DISTINCT:-1}" = 0 ] && DUCK_ARGS+=(--no-distinct)
  step "DuckDB: window functions over the same $R_DAYS days of Parquet, then the check against risk_features/dt=$R_DT  ($CORES threads)"
  run_measured riskduck node "$ROOT/scripts/duckdb-risk.mjs" "$RW/warehouse" "$R_DT" "$RW/duckdb" "${DUCK_ARGS[@]}"
  RD_JSON="$(tail -n 1 "$WORK/riskduck.stdout")"

  time_cpu() { awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$1" 2>/dev/null; }
  R_SCORED="$(jfield "$RV_JSON" scored)"
  V_SEC="$(jfield "$RV_JSON" seconds)"
  V_CPU="$(awk -v c="$(jfield "$RV_JSON" cpu_seconds)" 'BEGIN { printf "%.1f", c }')"
  V_RSS="$(time_rss_mib "$WORK/riskveil.time")"
  V_RSS="${V_RSS:-$(jfield "$RV_JSON" peak_rss_mib)}"
  D_COUNTS="$(jfield "$RD_JSON" counts_seconds)"
  D_DISTINCT="$(jfield "$RD_JSON" distinct_seconds)"
  D_SEC="$(jfield "$RD_JSON" seconds)"
  D_RSS="$(jfield "$RD_JSON" peak_rss_mib)"
  rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
  step "risk features: $R_EVENTS-event day over $R_DAYS days ($(jfield "$RV_JSON" history) events before it), $R_SCORED scored events, $CORES cores"
  printf '%-26s %9s %12s %12s %8s %13s\n' engine seconds "events/s" "scored/s" "CPU s" "peak RSS MiB"
  printf '%-26s %9s %12s %12s %8s %13s\n' -------------------------- --------- ------------ ------------ -------- -------------
  printf '%-26s %9.2f %12s %12s %8s %13s\n' "veil risk stage" "$V_SEC" "$(rate "$R_EVENTS" "$V_SEC")" "$(rate "$R_SCORED" "$V_SEC")" "$V_CPU" "$V_RSS"
  printf '%-26s %9.2f %12s %12s %8s %13s\n' "duckdb counts" "$D_COUNTS" "$(rate "$R_EVENTS" "$D_COUNTS")" "$(rate "$R_SCORED" "$D_COUNTS")" "" ""
  if [ -n "$D_DISTINCT" ]; then
    printf '%-26s %9.2f %12s %12s %8s %13s\n' "duckdb distinct 30d" "$D_DISTINCT" "" "" "" ""
  fi
  printf '%-26s %9.2f %12s %12s %8s %13s\n' "duckdb total" "$D_SEC" "$(rate "$R_EVENTS" "$D_SEC")" "$(rate "$R_SCORED" "$D_SEC")" "$(time_cpu "$WORK/riskduck.time")" "$D_RSS"
  echo
  echo "veil: the whole risk stage (load risk_state of the day before, read the day's events_clean, every feature of risk/features.Defs for"
  echo "  each scored event, write risk_features, risk_entities and risk_state); CPU from getrusage, peak RSS from /usr/bin/time -v."
  echo "DuckDB: reads the $R_DAYS days of events_clean; compared: $(jfield "$RD_JSON" compared_columns) columns (the 100 counts$([ -n "$D_DISTINCT" ] && echo ', user_devices_30d, device_accounts_30d')),"
  echo "  each query COPY'd to Parquet; peak RSS is node's maxRSS after the queries (DuckDB in-process), CPU from /usr/bin/time (check included)."
  echo "check: $(jfield "$RD_JSON" veil_rows) veil rows, $(jfield "$RD_JSON" duckdb_rows) DuckDB rows, $(jfield "$RD_JSON" mismatched_rows) rows differ."
  echo
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
  R_ALL="$(ratio "$D_SEC" "$V_SEC")"
  R_COUNTS="$(ratio "$D_COUNTS" "$V_SEC")"
  R_RSS="$(ratio "$V_RSS" "$D_RSS")"
  echo "veil/DuckDB speed ratio (DuckDB seconds / veil seconds): ${R_ALL}x; against DuckDB's counts alone: ${R_COUNTS}x"
  echo "peak RSS veil/DuckDB: ${R_RSS}x   (goal, issue 10: veil within 8192 MiB and faster than DuckDB)"
fi

# ------------------------------------------------------------------ 11. outlier scores and clusters
if [ "${BENCH_SKIP_OUTLIER:-0}" = 1 ]; then
  step "outlier scores and clusters skipped (BENCH_SKIP_OUTLIER=1)"
else
  O_N="${BENCH_OUTLIER_N:-50000}"
  O_BIG="${BENCH_OUTLIER_BIG:-1000000}"
  # eps 2.0 at 50k: the 5 blobs come out as 5 clusters and every one of the
  # 1000 uniform points is noise (with ~400 blob fringe points); 1.5 splits
  # blobs, 2.5 makes each query slower for nothing.
  O_EPS="${BENCH_OUTLIER_EPS:-2.0}"
  PY="${VEIL_PYTHON:-/usr/bin/python3}"
  OW="$WORK/outlier"
  mkdir -p "$OW"
  O_COLS="x0,x1,x2,x3,x4,x5,x6,x7"
  HAVE_SK=1
  if ! "$PY" -c 'import sklearn' >/dev/null 2>&1; then
    [ -n "${VEIL_REQUIRE_SKLEARN:-}" ] && { echo "bench: $PY has no scikit-learn (VEIL_REQUIRE_SKLEARN is set)" >&2; exit 1; }
    echo "bench: $PY has no scikit-learn (apt-get install python3-sklearn, or set VEIL_PYTHON); veil only"
    HAVE_SK=0
  fi
  step "outlier: $O_N 8-d points, 5 Gaussian blobs + 2% uniform outliers (veil anomaly blobs --seed 11)"
  "$VEIL" anomaly blobs --n "$O_N" --dims 8 --outliers 0.02 --seed 11 --out "$OW/blobs.csv"
  fit_secs() { sed -n 's/.*fit \([0-9.]*\) s.*/\1/p' "$1" | head -n 1; }
  algo_args() {
    case $1 in
      dbscan) echo "--eps $O_EPS" ;;
      *) echo "" ;;
    esac
  }
  THREADS=(1)
  [ "$CORES" -gt 1 ] && THREADS+=("$CORES")
  ROWS=()
  for th in "${THREADS[@]}"; do
    for algo in lof dbscan optics; do
      step "outlier: $algo, $th thread(s): veil, then scikit-learn on the same file"
      # shellcheck disable=SC2046
      GOMAXPROCS="$th" "$VEIL" anomaly "$algo" --in "$OW/blobs.csv" --columns "$O_COLS" $(algo_args "$algo") \
        --workers "$th" --out "$OW/veil-$algo-$th.csv" | tee "$OW/veil-$algo-$th.txt"
      vs="$(fit_secs "$OW/veil-$algo-$th.txt")"
      ss="n/a"
      jobs="$th"
      # scikit-learn's OPTICS with n_jobs > 1 sends a joblib task per point
      # (10x slower); its best all-cores setting is n_jobs=None with BLAS
      # threads, which sklearn-outlier.py --n-jobs 0 gives.
      [ "$algo" = optics ] && [ "$th" -gt 1 ] && jobs=0
      if [ "$HAVE_SK" = 1 ]; then
        # shellcheck disable=SC2046
        if ! OMP_NUM_THREADS="$th" OPENBLAS_NUM_THREADS="$th" MKL_NUM_THREADS="$th" \
          "$PY" "$ROOT/scripts/sklearn-outlier.py" "$algo" --in "$OW/blobs.csv" --columns "$O_COLS" $(algo_args "$algo") \
          --n-jobs "$jobs" --check "$OW/veil-$algo-$th.csv" | tee "$OW/sk-$algo-$th.txt"; then
          echo "bench: veil's $algo differs from scikit-learn's ($th threads)" >&2
          exit 1
        fi
        ss="$(fit_secs "$OW/sk-$algo-$th.txt")"
      fi
      ROWS+=("$algo $th $vs $ss")
    done
  done
  step "outlier: $O_N 8-d points; seconds of fitting (file reading and writing excluded), same data, same run"
  printf '%-9s %8s %9s %11s %8s %s\n' algorithm threads "veil s" "sklearn s" ratio goal
  printf '%-9s %8s %9s %11s %8s %s\n' --------- -------- --------- ----------- -------- ----
  for r in "${ROWS[@]}"; do
    read -r algo th vs ss <<<"$r"
    goal=""
    if [ "$th" = 1 ]; then
      case $algo in lof) goal="<= 1.5 s" ;; dbscan) goal="<= 3 s" ;; optics) goal="<= 10 s" ;; esac
    fi
    ratio="$(awk -v a="$ss" -v b="$vs" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1fx", a / b; else print "n/a" }')"
    printf '%-9s %8s %9s %11s %8s %s\n' "$algo" "$th" "$vs" "$ss" "$ratio" "$goal"
  done
  echo "ratio = scikit-learn seconds / veil seconds. Parameters: scikit-learn's defaults (LOF n_neighbors 20, contamination auto;"
  echo "OPTICS min_samples 5, xi 0.05, max_eps inf), DBSCAN eps $O_EPS, min_samples 5. Labels, core flags, outlier flags and the OPTICS"
  echo "ordering were checked equal to scikit-learn's, scores and reachabilities within 1e-9 relative (a difference fails the step)."
  echo "scikit-learn on all cores: n_jobs=$CORES and $CORES BLAS/OpenMP threads, except OPTICS: n_jobs=None (a joblib task per point is 10x slower)."

  # Same density at $O_BIG points as at $O_N: eps shrinks as n^(-1/8), so a
  # neighbourhood holds about as many points (eps 2.0 at 1M would hold ~20x).
  O_BIG_EPS="${BENCH_OUTLIER_BIG_EPS:-$(awk -v e="$O_EPS" -v a="$O_N" -v b="$O_BIG" 'BEGIN { printf "%.3f", e * (a / b) ^ (1 / 8) }')}"
  step "outlier: $O_BIG 8-d points, veil only, $CORES cores (blobs written as Parquet)"
  "$VEIL" anomaly blobs --n "$O_BIG" --dims 8 --outliers 0.02 --seed 12 --out "$OW/big.parquet"
  run_measured outlier-big-lof "$VEIL" anomaly lof --in "$OW/big.parquet" --columns "$O_COLS" --out "$OW/big-lof.parquet"
  cat "$WORK/outlier-big-lof.stdout"
  run_measured outlier-big-dbscan "$VEIL" anomaly dbscan --in "$OW/big.parquet" --columns "$O_COLS" --eps "$O_BIG_EPS" --out "$OW/big-dbscan.parquet"
  cat "$WORK/outlier-big-dbscan.stdout"
  echo
  printf '%-9s %9s %8s %9s %13s %s\n' algorithm points "fit s" "wall s" "peak RSS MiB" summary
  printf '%-9s %9s %8s %9s %13s %s\n' --------- --------- -------- --------- ------------- -------
  for algo in lof dbscan; do
    f="$WORK/outlier-big-$algo"
    sum="$(sed -n 's/^[a-z]*: [0-9]* rows, [0-9]* columns: \([^;]*\);.*/\1/p' "$f.stdout")"
    printf '%-9s %9s %8s %9s %13s %s\n' "$algo" "$O_BIG" "$(fit_secs "$f.stdout")" "$(cat "$f.wall")" "$(time_rss_mib "$f.time")" "$sum"
  done
  echo "wall includes reading the Parquet input and writing the output; DBSCAN eps $O_BIG_EPS (= $O_EPS x ($O_N/$O_BIG)^(1/8))."
fi

# ------------------------------------------------------------------ 12. decide latency
if [ "${BENCH_SKIP_DECIDE:-0}" = 1 ]; then
  step "decide latency skipped (BENCH_SKIP_DECIDE=1)"
else
  DW="$WORK/decide"
  D_EVENTS="${BENCH_DECIDE_EVENTS:-100000}"
  D_RATE="${BENCH_DECIDE_RATE:-2000}"
  D_WORKERS="${BENCH_DECIDE_WORKERS:-32}"
  D_DUR="${BENCH_DECIDE_DURATION:-30s}"
  D_REORDER="${BENCH_DECIDE_REORDER:-2s}"
  rm -rf "$DW"
  mkdir -p "$DW"
  step "decide: 2 days of $D_EVENTS events generated, ingested and folded into risk_state (not timed)"
  "$VEIL" gen --out "$DW" --days 2 --events $((2 * D_EVENTS)) --seed "$SEED"
  "$VEIL" keys init --dir "$DW/keys" >/dev/null
  D_PATHS=(--landing "$DW/landing" --warehouse "$DW/warehouse" --keys "$DW/keys")
  for d in 0 1; do
    dt="$(date -u -d "2026-11-19 + $d day" +%F)"
    for s in ingest risk risklist; do
      "$VEIL" once --stage "$s" --date "$dt" "${D_PATHS[@]}" 2>/dev/null
    done
  done
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DW/service.key")
  "$VEIL" serve --hash-key <"$DW/service.key" >"$DW/key-digests"
  "$VEIL" serve "${D_PATHS[@]}" --key-digests "$DW/key-digests" --reorder-window "$D_REORDER" --addr 127.0.0.1:0 >"$DW/serve.out" 2>"$DW/serve.err" &
  SERVE_PID=$!
  trap 'kill "$SERVE_PID" 2>/dev/null || true; cleanup' EXIT
  D_URL=""
  for _ in $(seq 1 300); do
    D_URL="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$DW/serve.out")"
    [ -n "$D_URL" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$D_URL" ]; then
    echo "bench: veil serve did not start:" >&2
    cat "$DW/serve.err" >&2
    exit 1
  fi
  cat "$DW/serve.out"
  D_CMD=("$VEIL" loadgen --url "$D_URL" --key-file "$DW/service.key" --workers "$D_WORKERS" --rate "$D_RATE" --duration "$D_DUR")
  step "decide: ${D_CMD[*]}"
  # Tail latency on a shared host follows its load: print it beside the figures.
  D_LOAD="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
  "${D_CMD[@]}" | tee "$DW/loadgen.txt"
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || { echo "bench: veil serve exited with an error:" >&2; cat "$DW/serve.err" >&2; exit 1; }
  trap cleanup EXIT
  step "decide latency: POST /v1/decide against veil serve on this machine ($CORES cores, load generator on the same cores)"
  lat="$(grep 'send to answer' "$DW/loadgen.txt")"
  thr="$(sed -n 's/.*s: \([0-9]*\) req\/s.*/\1/p' "$DW/loadgen.txt")"
  printf '%-10s %8s %8s %8s %10s %s\n' workers "target" "req/s" "p50 ms" "p99 ms" goal
  printf '%-10s %8s %8s %8s %10s %s\n' "$D_WORKERS" "$D_RATE" "$thr" "$(awk '{print $7}' <<<"$lat")" "$(awk '{print $11}' <<<"$lat")" "p99 <= 5 ms at 2000 req/s"
  echo "load average (1, 5, 15 min) when the run began: $D_LOAD"
  echo "decisions logged to $DW/warehouse/_decisions/ (tokens only); command: ${D_CMD[*]}"
fi
# ------------------------------------------------------------------ 13. one day at scale
if [ "${BENCH_SKIP_DAY:-0}" = 1 ]; then
  step "one day at scale skipped (BENCH_SKIP_DAY=1)"
else
  DAY_BASE="${BENCH_DAY_BASE:-752a3b7}"
  DAY_BASE_BIN="${BENCH_DAY_BASE_BIN:-}"
  if [ -z "$DAY_BASE_BIN" ] && [ "$DAY_BASE" != none ]; then
    if git -C "$ROOT" rev-parse --verify -q "$DAY_BASE^{commit}" >/dev/null 2>&1; then
      step "one day at scale: building the previous veil from $DAY_BASE (git archive)"
      rm -rf "$WORK/day-base-src"
      mkdir -p "$WORK/day-base-src"
      git -C "$ROOT" archive "$DAY_BASE" | tar -x -C "$WORK/day-base-src"
      (cd "$WORK/day-base-src" && go build -o "$WORK/veil-day-base" ./cmd/veil)
      DAY_BASE_BIN="$WORK/veil-day-base"
    else
      echo "bench: no git history with $DAY_BASE: step 13 runs this tree only"
    fi
  fi
  step "one day of ${BENCH_DAY_EVENTS:-10000000} events through every stage${DAY_BASE_BIN:+, before ($DAY_BASE_BIN) and after}"
  "$ROOT/scripts/bench-day.sh" "$WORK/day" "$VEIL" $DAY_BASE_BIN
fi

echo
echo "bench: done"
