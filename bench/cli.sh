#!/usr/bin/env bash
# CLI latency: median wall time of `parkctl unit list --building SW/B1 --format json`
# on the demo data against `psql -f` sending the very statements that command sends
# (captured with PARKCTL_TRACE: the schema check, the park and building lookups, the
# listing; replayed in order with the same values) on the same database, RUNS runs
# each, interleaved, in one run. Prints both medians and the ratio.
#
#   bench/cli.sh [RUNS]     (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}

# A release build with the Swift runtime and Foundation linked statically: it
# starts faster than one that loads them as shared libraries.
source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
"$BIN/parkctl" demo >/dev/null

# The statements parkctl sends for the listing, as it sends them.
PARKCTL_TRACE="$WORK/trace.jsonl" "$BIN/parkctl" unit list --building SW/B1 --format json >/dev/null
replay_script "$WORK/trace.jsonl" all >"$WORK/statements.sql"
STATEMENTS=$(wc -l <"$WORK/trace.jsonl")

ns() { date +%s%N; }
declare -a T_PSQL T_PARKCTL
for _ in $(seq 1 "$RUNS"); do
    t0=$(ns); psql -X -q -At -v ON_ERROR_STOP=1 "$CONN" -f "$WORK/statements.sql" >/dev/null; t1=$(ns)
    T_PSQL+=($(( (t1 - t0) / 1000 )))
    t0=$(ns); "$BIN/parkctl" unit list --building SW/B1 --format json >/dev/null; t1=$(ns)
    T_PARKCTL+=($(( (t1 - t0) / 1000 )))
done
MP=$(median "${T_PSQL[@]}"); MK=$(median "${T_PARKCTL[@]}")
ROWS=$("$BIN/parkctl" unit list --building SW/B1 --format csv | tail -n +2 | wc -l)
awk -v p="$MP" -v k="$MK" -v n="$RUNS" -v rows="$ROWS" -v st="$STATEMENTS" 'BEGIN {
    printf "%d runs each, interleaved; %d units listed; %d statements\n", n, rows, st
    printf "psql -f (same SQL) median %7.1f ms\n", p / 1000
    printf "parkctl unit list median %7.1f ms\n", k / 1000
    printf "ratio (parkctl / psql): %.2f  (target <= 1.5)\n", k / p
}'
