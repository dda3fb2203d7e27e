#!/usr/bin/env bash
# Report speed on a large portfolio: each report through parkctl against the same
# SQL (captured with PARKCTL_TRACE, replayed with the same values) run by psql, RUNS
# runs each, interleaved, in one run; prints the medians and the ratios, and the
# plan of the single-park occupancy report (it must not read the whole lease table).
# Both run with the default planner settings (since 0011 no query can reach the
# exclusion constraint's GiST index, so no plain-index-scan workaround is needed).
#
#   bench/reports.sh [PARKS] [RUNS]     (defaults: 200 parks = 1,000,000 units; 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
PARKS=${1:-200}
RUNS=${2:-5}

source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
echo "generating $PARKS parks..."
t0=$(date +%s)
psql -X -q "$CONN" -v parks="$PARKS" -f bench/reports-data.sql
echo "generated in $(( $(date +%s) - t0 )) s"

# Report name | parkctl arguments
REPORTS=(
  "occupancy, one park|report occupancy --park P007 --format json"
  "occupancy, all parks by park|report occupancy --by park --format json"
  "occupancy, one park by floor|report occupancy --park P007 --by floor --format json"
  "vacancy, one park|report vacancy --park P007 --format json"
  "expiring within 90 days, all|report expiring --within 90 --format json"
  "rent roll, one park|report rent-roll --park P007 --format json"
  "tickets, one park, 30 days|report tickets --park P007 --format json"
  "trend, one park, 12 months|report trend --park P007 --months 12 --format json"
  "stacking plan, one building|report stacking P007/B3 --format json"
)

ms() { echo $(( $(date +%s%N) / 1000000 )); }
printf '%-36s %10s %10s %7s\n' "report" "psql ms" "parkctl ms" "ratio"
i=0
for entry in "${REPORTS[@]}"; do
    name=${entry%%|*}; args=${entry#*|}
    i=$((i + 1))
    rm -f "$WORK/trace.jsonl"
    # shellcheck disable=SC2086
    PARKCTL_TRACE="$WORK/trace.jsonl" "$BIN/parkctl" $args >/dev/null
    replay_script "$WORK/trace.jsonl" >"$WORK/r$i.sql"
    declare -a TP=() TK=()
    for _ in $(seq 1 "$RUNS"); do
        a=$(ms); psql -X -q "$CONN" -f "$WORK/r$i.sql" >/dev/null; b=$(ms); TP+=($((b - a)))
        # shellcheck disable=SC2086
        a=$(ms); "$BIN/parkctl" $args >/dev/null; b=$(ms); TK+=($((b - a)))
    done
    MP=$(median "${TP[@]}"); MK=$(median "${TK[@]}")
    awk -v n="$name" -v p="$MP" -v k="$MK" 'BEGIN { printf "%-36s %10.0f %10.0f %7.2f\n", n, p, k, (p > 0 ? k / p : 0) }'
done
echo "(target: ratio <= 1.2)"

echo
echo "plan of the single-park occupancy report (buffers show what is read):"
{ echo "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)"; cat "$WORK/r1.sql"; } >"$WORK/plan.sql"
psql -X -q "$CONN" -f "$WORK/plan.sql" >"$WORK/plan.txt"
grep -E "Scan|Execution Time|Buffers: shared" "$WORK/plan.txt" | head -30
if grep -qE "Seq Scan on lease( |$)|Seq Scan on lease_unit" "$WORK/plan.txt"; then
    echo "WARNING: the single-park occupancy reads a whole lease table"
else
    echo "no sequential scan of lease or lease_unit: only the park's rows are read"
fi
