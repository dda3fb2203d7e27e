#!/usr/bin/env bash
# Import and export speed and memory: ROWS units imported through `parkctl import
# units` (streamed COPY into staging, every rule checked, inserted, audited) against
# `psql \copy` of the same file into a bare table with no checks; then the same
# units exported by `parkctl export units --output FILE` against `psql \copy (same
# query) to FILE`: both write a file.
# Prints the medians, the ratios and parkctl's peak memory (max RSS), for 100,000
# rows and for ROWS. A third line puts the import ratio in context: psql \copy of
# the same rows, ids already resolved and nothing validated, straight into the real
# `unit` table (its indexes, foreign key, checks and audit trigger) -- the cost of
# the table's own invariants, which no import path can avoid.
#
#   bench/import.sh [ROWS] [ROUNDS]     (defaults: 1000000 rows, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
ROUNDS=${2:-3}

source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
bench_parks $(( (ROWS + 4999) / 5000 ))
"${PSQL[@]}" <<SQL
CREATE TABLE bench_bare (park text, building text, unit text, floor text, area_m2 text, kind text, list_rent text, off_market_reason text);
SQL
make_file() {   # rows file
    "${PSQL[@]}" -c "\\copy (SELECT p.code, 'B' || (1 + (g % 5000) / 500),
        lpad((1 + (g % 500) / 25)::text, 2, '0') || lpad((1 + g % 25)::text, 2, '0'), 1 + (g % 500) / 25,
        (50 + g % 950) || '.50', (ARRAY['office','factory','live_room','warehouse'])[1 + g % 4], 20 + g % 30,
        CASE WHEN g % 97 = 0 THEN '维修中' END
        FROM generate_series(0, $1 - 1) g JOIN park p ON p.code = 'P' || lpad((1 + g / 5000)::text, 3, '0')) TO '$2' (FORMAT csv, HEADER)"
    # The header the import reads.
    sed -i '1s/.*/park,building,unit,floor,area_m2,kind,list_rent,off_market_reason/' "$2"
}
reset() { "${PSQL[@]}" -c "TRUNCATE bench_bare; TRUNCATE unit CASCADE; TRUNCATE audit_log; CHECKPOINT" 2>/dev/null; }

for n in 100000 "$ROWS"; do
    [ "$n" -le "$ROWS" ] || continue
    file="$WORK/units-$n.csv"
    make_file "$n" "$file"
    echo "== $n units, $(( $(stat -c %s "$file") / 1048576 )) MiB, $ROUNDS rounds"
    declare -a TI=() TP=() MI=() TE=() TQ=() ME=() TR=()
    for _ in $(seq 1 "$ROUNDS"); do
        reset
        read -r t _ < <(measure "${PSQL[@]}" -c "\\copy bench_bare FROM '$file' (FORMAT csv, HEADER)"); TP+=("$t")
        "${PSQL[@]}" -c "\\copy (SELECT b.park_id, b.id, s.unit, s.floor, s.area_m2, s.kind, s.list_rent, s.off_market_reason FROM bench_bare s JOIN park p ON p.code = s.park JOIN building b ON b.park_id = p.id AND b.code = s.building) TO '$WORK/resolved.txt'"
        read -r t _ < <(measure "${PSQL[@]}" -c "\\copy unit (park_id, building_id, code, floor, area_m2, kind, list_rent, off_market_reason) FROM '$WORK/resolved.txt'"); TR+=("$t")
        "${PSQL[@]}" -c "TRUNCATE unit CASCADE; TRUNCATE audit_log; CHECKPOINT" 2>/dev/null
        read -r t m < <(measure "$BIN/parkctl" import units "$file"); TI+=("$t"); MI+=("$m")
        # Let autovacuum's work on the new rows not land inside the export timings.
        "${PSQL[@]}" -c "VACUUM ANALYZE unit" -c "VACUUM ANALYZE audit_log" -c "CHECKPOINT"
        read -r t _ < <(measure "${PSQL[@]}" -c "\\copy (SELECT p.code AS park, b.code AS building, u.code AS unit, u.floor, u.area_m2, u.kind, u.list_rent, u.off_market_reason FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id ORDER BY p.code, b.code, u.floor, u.code) TO '$WORK/out.csv' (FORMAT csv, HEADER)"); TQ+=("$t")
        # Both sides write the file (psql \copy ... TO a file, parkctl --output a file).
        read -r t m < <(measure "$BIN/parkctl" export units --output "$WORK/out-parkctl.csv"); TE+=("$t"); ME+=("$m")
    done
    awk -v n="$n" -v r="$(median "${TR[@]}")" -v p="$(median "${TP[@]}")" -v i="$(median "${TI[@]}")" -v mi="$(median "${MI[@]}")" \
        -v q="$(median "${TQ[@]}")" -v e="$(median "${TE[@]}")" -v me="$(median "${ME[@]}")" 'BEGIN {
        printf "import: psql \\copy (bare table) %.2f s, parkctl import (validated) %.2f s: rate ratio %.2f (target >= 0.5); parkctl peak memory %.1f MB\n", p, i, p / i, mi / 1024
        printf "        psql \\copy of resolved rows into the real unit table (no validation) %.2f s: ratio to bare %.2f; parkctl to it %.2f\n", r, p / r, r / i
        printf "export: psql \\copy to          %.2f s, parkctl export           %.2f s: rate ratio %.2f (target >= 0.9); parkctl peak memory %.1f MB\n", q, e, q / e, me / 1024
    }'
done
