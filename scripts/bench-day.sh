#!/usr/bin/env bash
# bench-day.sh — one generated day through every stage, each stage's wall
# time and peak RSS (issue 13: bounded memory at scale).
#
#   scripts/bench-day.sh WORK VEIL [BASE_VEIL]
#
# Generates (once, reused when WORK/data holds the same day) one day of
# $BENCH_DAY_EVENTS events as gzip JSON Lines (veil gen --gzip, as the
# issue's 682 MB figure), inits keys, then runs `veil once --stage S` for
# every stage in pipeline order under /usr/bin/time -v, first with
# BASE_VEIL (if given) on its own warehouse, then with VEIL. Prints a table:
# stage, seconds and peak RSS for each binary, the total, and the goal.
#
# Environment: BENCH_DAY_EVENTS (10000000), BENCH_SEED (7),
# BENCH_DAY_STAGES (every stage of `veil once`, in order).
set -euo pipefail

WORK=$1
VEIL=$2
BASE=${3:-}
EVENTS="${BENCH_DAY_EVENTS:-10000000}"
SEED="${BENCH_SEED:-7}"
STAGES=(${BENCH_DAY_STAGES:-ingest chats optouts labels appeals tags risk clusters risklist review training report})
DATE=2026-11-19
mkdir -p "$WORK"

GEN_ID="events=$EVENTS seed=$SEED date=$DATE gzip"
if [ "$(cat "$WORK/data/.gen" 2>/dev/null)" != "$GEN_ID" ]; then
  echo "bench-day: veil gen --gzip --days 1 --events $EVENTS --seed $SEED --out $WORK/data"
  rm -rf "$WORK/data"
  t0=$(date +%s.%N)
  "$VEIL" gen --gzip --days 1 --events "$EVENTS" --seed "$SEED" --start "$DATE" --out "$WORK/data"
  echo "$GEN_ID" >"$WORK/data/.gen"
  echo "(gen: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
fi
echo "landing: $(du -sm "$WORK/data/landing/events" | cut -f1) MiB of events (gzip), $(du -sm "$WORK/data/landing/chats" | cut -f1) MiB of chats"

# run_day NAME BIN: every stage on a fresh warehouse; writes WORK/NAME/S.time.
run_day() {
  local name=$1 bin=$2 dir="$WORK/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  "$bin" keys init --dir "$dir/keys" >/dev/null
  for s in "${STAGES[@]}"; do
    local t0 status=0
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$dir/$s.time" "$bin" once --stage "$s" --date "$DATE" \
      --landing "$WORK/data/landing" --warehouse "$dir/warehouse" --keys "$dir/keys" \
      >"$dir/$s.out" 2>"$dir/$s.err" || status=$?
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }' >"$dir/$s.wall"
    echo "$status" >"$dir/$s.status"
    printf 'bench-day: %-5s %-9s %7s s %8s MiB%s\n' "$name" "$s" "$(cat "$dir/$s.wall")" "$(rss "$dir/$s.time")" \
      "$([ "$status" -ne 0 ] && echo "  FAILED ($status): $(tail -n 1 "$dir/$s.err")")"
  done
}
rss() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.0f", $2 / 1024 }' "$1" 2>/dev/null; }

[ -n "$BASE" ] && run_day before "$BASE"
run_day after "$VEIL"

echo
echo "one day of $EVENTS events (gzip landing), $(nproc) cores; seconds are wall clock, peak RSS from /usr/bin/time -v"
if [ -n "$BASE" ]; then
  printf '%-10s %10s %12s %10s %12s\n' stage "before s" "before MiB" "after s" "after MiB"
  printf '%-10s %10s %12s %10s %12s\n' ---------- ---------- ------------ ---------- ------------
else
  printf '%-10s %10s %12s\n' stage seconds "peak MiB"
  printf '%-10s %10s %12s\n' ---------- ---------- ------------
fi
tb=0 ta=0 mb=0 ma=0
for s in "${STAGES[@]}"; do
  a="$(cat "$WORK/after/$s.wall")" am="$(rss "$WORK/after/$s.time")"
  ta=$(awk -v x="$ta" -v y="$a" 'BEGIN { print x + y }')
  ma=$(( am > ma ? am : ma ))
  if [ -n "$BASE" ]; then
    b="$(cat "$WORK/before/$s.wall")" bm="$(rss "$WORK/before/$s.time")"
    tb=$(awk -v x="$tb" -v y="$b" 'BEGIN { print x + y }')
    mb=$(( bm > mb ? bm : mb ))
    printf '%-10s %10s %12s %10s %12s\n' "$s" "$b" "$bm" "$a" "$am"
  else
    printf '%-10s %10s %12s\n' "$s" "$a" "$am"
  fi
done
if [ -n "$BASE" ]; then
  printf '%-10s %10.2f %12s %10.2f %12s\n' "total/max" "$tb" "$mb" "$ta" "$ma"
else
  printf '%-10s %10.2f %12s\n' "total/max" "$ta" "$ma"
fi
ok=yes
[ "$ma" -gt 2048 ] && ok=no
for s in "${STAGES[@]}"; do
  if [ "$(cat "$WORK/after/$s.status")" != 0 ]; then
    ok=no
    echo "stage $s failed: see $WORK/after/$s.err"
  fi
done
awk -v t="$ta" 'BEGIN { exit !(t >= 134) }' && ok=no
echo "goal: no stage above 2 GiB (2048 MiB), the whole day < 134 s: $ok"
