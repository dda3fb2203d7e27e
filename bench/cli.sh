#!/usr/bin/env bash
# CLI latency: median wall time of `parkctl unit list --building SW/B1 --format json`
# on the demo data against `psql -c` running the same query on the same database,
# RUNS runs each, interleaved, in one run. Prints both medians and the ratio.
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

# The query parkctl runs for the listing (PortfolioService.units).
QUERY="SELECT p.code AS park, b.code AS building, u.code, u.floor, u.area_m2, u.kind, u.list_rent, u.off_market_reason
FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
WHERE p.code = 'SW' AND b.code = 'B1' ORDER BY p.code, b.code, u.floor, u.code"

ns() { date +%s%N; }
declare -a T_PSQL T_PARKCTL
for _ in $(seq 1 "$RUNS"); do
    t0=$(ns); psql -X -q -At "$CONN" -c "$QUERY" >/dev/null; t1=$(ns)
    T_PSQL+=($(( (t1 - t0) / 1000 )))
    t0=$(ns); "$BIN/parkctl" unit list --building SW/B1 --format json >/dev/null; t1=$(ns)
    T_PARKCTL+=($(( (t1 - t0) / 1000 )))
done
MP=$(median "${T_PSQL[@]}"); MK=$(median "${T_PARKCTL[@]}")
ROWS=$("$BIN/parkctl" unit list --building SW/B1 --format csv | tail -n +2 | wc -l)
awk -v p="$MP" -v k="$MK" -v n="$RUNS" -v rows="$ROWS" 'BEGIN {
    printf "%d runs each, interleaved; %d units listed\n", n, rows
    printf "psql -c           median %7.1f ms\n", p / 1000
    printf "parkctl unit list median %7.1f ms\n", k / 1000
    printf "ratio (parkctl / psql): %.2f  (target <= 1.5)\n", k / p
}'
