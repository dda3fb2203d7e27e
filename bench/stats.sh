#!/usr/bin/env bash
# `parkctl report stats` at scale (bench/stats-data.sql: 100,000 enterprises in ten parks,
# each filing 12 quarters, 1,200,000 filings), beside psql running the statement parkctl
# sends (captured with PARKCTL_TRACE, replayed with the same values), for the report by
# park, by industry and the top 100 enterprises of 2026-Q3. Target: within 1.2× psql.
#
#   bench/stats.sh [ROUNDS]     (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
"${PSQL[@]}" -f bench/stats-data.sql

printf '%-40s %9s %9s %7s\n' "report stats --period 2026-Q3" "psql s" "parkctl s" "ratio"
i=0
for args in "--by park" "--by industry" "--by enterprise --top 100"; do
    i=$((i + 1))
    rm -f "$WORK/trace.jsonl"
    # shellcheck disable=SC2086
    PARKCTL_TRACE="$WORK/trace.jsonl" "$BIN/parkctl" report stats --period 2026-Q3 $args --format json >/dev/null
    replay_script "$WORK/trace.jsonl" >"$WORK/s$i.sql"
    declare -a TP=() TK=()
    for _ in $(seq 1 "$ROUNDS"); do
        read -r t _ < <(measure "${PSQL[@]}" -f "$WORK/s$i.sql"); TP+=("$t")
        # shellcheck disable=SC2086
        read -r t _ < <(measure "$BIN/parkctl" report stats --period 2026-Q3 $args --format json); TK+=("$t")
    done
    awk -v n="$args" -v p="$(median "${TP[@]}")" -v k="$(median "${TK[@]}")" 'BEGIN {
        printf "%-40s %9.2f %9.2f %7.2f\n", n, p, k, k / p }'
done
echo "(target: ratio <= 1.2)"
