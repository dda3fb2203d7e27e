#!/usr/bin/env bash
# COPY throughput: 1,000,000 rows through parkctl's COPY path (Connection.copyIn,
# driven by parkctl-bench) and through `psql \copy` of the same file into the same
# table, interleaved, in one run. Prints each side's median rate and the ratio.
#
#   bench/copy.sh [ROWS] [ROUNDS]      (defaults: 1000000 rows, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
ROUNDS=${2:-5}

source bench/common.sh
bench_setup -c release

"${PSQL[@]}" -c "SET client_min_messages = warning; DROP TABLE IF EXISTS bench_unit; CREATE TABLE bench_unit (
    id bigint, park text, building text, code text, floor int, area_m2 numeric(12,2),
    list_rent numeric(10,2), name text)"
"${PSQL[@]}" -c "\\copy (SELECT g, 'SW', 'B' || (g % 40), lpad((g % 9999)::text, 4, '0'), g % 30 + 1,
    (g % 900) + 20.5, 30 + (g % 17), '湘南湘西软件产业园 单元 ' || g FROM generate_series(1, $ROWS) g) TO '$WORK/units.csv' (FORMAT csv)"
SIZE=$(stat -c %s "$WORK/units.csv")
echo "file: $ROWS rows, $((SIZE / 1048576)) MiB; $ROUNDS interleaved rounds"

now() { date +%s.%N; }
declare -a T_PSQL T_PARKCTL
for r in $(seq 1 "$ROUNDS"); do
    "${PSQL[@]}" -c "TRUNCATE bench_unit; CHECKPOINT"
    t0=$(now); "${PSQL[@]}" -c "\\copy bench_unit FROM '$WORK/units.csv' (FORMAT csv)"; t1=$(now)
    T_PSQL+=("$(awk "BEGIN {print $t1 - $t0}")")
    "${PSQL[@]}" -c "TRUNCATE bench_unit; CHECKPOINT"
    t0=$(now); n=$("$BIN/parkctl-bench" copy-in "$CONN" "$WORK/units.csv"); t1=$(now)
    [ "$n" = "$ROWS" ] || { echo "parkctl copied $n rows, expected $ROWS" >&2; exit 1; }
    T_PARKCTL+=("$(awk "BEGIN {print $t1 - $t0}")")
done
MP=$(median "${T_PSQL[@]}"); MK=$(median "${T_PARKCTL[@]}")
awk -v rows="$ROWS" -v p="$MP" -v k="$MK" 'BEGIN {
    printf "psql \\copy   median %.3f s  %10.0f rows/s\n", p, rows / p
    printf "parkctl COPY median %.3f s  %10.0f rows/s\n", k, rows / k
    printf "ratio (parkctl rate / psql rate): %.2f  (target >= 0.90)\n", p / k
}'
