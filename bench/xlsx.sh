#!/usr/bin/env bash
# Excel speed and memory, each beside the raw tool on the same database:
#
# 1. `parkctl export units --format xlsx` of ROWS units against `psql \copy` of the
#    same query to CSV. Targets: within 2x psql's time; parkctl's peak memory < 64 MB.
# 2. `parkctl import units` of IMPORT_ROWS units from an .xlsx workbook against the
#    same import from the same rows as CSV. Target: within 2x the CSV import's time.
#
#   bench/xlsx.sh [ROWS] [IMPORT_ROWS] [ROUNDS]     (defaults: 1000000, 200000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
IMPORT_ROWS=${2:-200000}
ROUNDS=${3:-3}

source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
bench_parks $(( (ROWS + 4999) / 5000 ))
"${PSQL[@]}" <<SQL
SET session_replication_role = replica;
INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, off_market_reason)
SELECT b.park_id, b.id, lpad((1 + (g % 500) / 25)::text, 2, '0') || lpad((1 + g % 25)::text, 2, '0'), 1 + (g % 500) / 25,
       (50 + g % 950) + 0.5, (ARRAY['office','factory','live_room','warehouse'])[1 + g % 4], 20 + g % 30,
       CASE WHEN g % 97 = 0 THEN '维修中' END
FROM generate_series(0, $ROWS - 1) g
JOIN park p ON p.code = 'P' || lpad((1 + g / 5000)::text, 3, '0')
JOIN building b ON b.park_id = p.id AND b.code = 'B' || (1 + (g % 5000) / 500);
RESET session_replication_role;
VACUUM ANALYZE unit;
SQL
QUERY="SELECT p.code AS park, b.code AS building, u.code AS unit, u.floor, u.area_m2, u.kind, u.list_rent, u.off_market_reason
       FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id ORDER BY p.code, b.code, u.floor, u.code"
declare -a TQ=() TX=() MX=()
for _ in $(seq 1 "$ROUNDS"); do
    read -r t _ < <(measure "${PSQL[@]}" -c "\\copy ($QUERY) TO '$WORK/units.csv' (FORMAT csv, HEADER)"); TQ+=("$t")
    read -r t m < <(measure "$BIN/parkctl" export units --format xlsx --output "$WORK/units.xlsx"); TX+=("$t"); MX+=("$m")
done
awk -v n="$ROWS" -v q="$(median "${TQ[@]}")" -v x="$(median "${TX[@]}")" -v m="$(median "${MX[@]}")" \
    -v size="$(( $(stat -c %s "$WORK/units.xlsx") / 1048576 ))" 'BEGIN {
    printf "export %d units: psql \\copy to CSV %.2f s, parkctl export --format xlsx %.2f s (%d MiB): time ratio %.2f (target <= 2); parkctl peak memory %.1f MB (target < 64)\n", n, q, x, size, x / q, m / 1024 }'

# 2. Import from a workbook and from CSV: the first IMPORT_ROWS units of park P001...,
# into the same database emptied of units each time.
"${PSQL[@]}" -c "\\copy ($QUERY LIMIT $IMPORT_ROWS) TO '$WORK/in.csv' (FORMAT csv, HEADER)"
python3 - "$WORK/in.csv" "$WORK/in.xlsx" <<'PY'
# The same rows as a workbook, written by openpyxl (write-only, streamed), as Excel would save them.
import csv, sys
import openpyxl
book = openpyxl.Workbook(write_only=True)
sheet = book.create_sheet("units")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for i, row in enumerate(csv.reader(f)):
        if i > 0:
            row[3], row[4], row[6] = int(row[3]), float(row[4]), float(row[6])
        sheet.append(row)
book.save(sys.argv[2])
PY
reset() { "${PSQL[@]}" -c "TRUNCATE unit CASCADE; TRUNCATE audit_log; CHECKPOINT" >/dev/null 2>&1; }
declare -a TC=() TW=() MW=()
for _ in $(seq 1 "$ROUNDS"); do
    reset; read -r t _ < <(measure "$BIN/parkctl" import units "$WORK/in.csv"); TC+=("$t")
    reset; read -r t m < <(measure "$BIN/parkctl" import units "$WORK/in.xlsx"); TW+=("$t"); MW+=("$m")
done
awk -v n="$IMPORT_ROWS" -v c="$(median "${TC[@]}")" -v w="$(median "${TW[@]}")" -v m="$(median "${MW[@]}")" 'BEGIN {
    printf "import %d units: from CSV %.2f s, from .xlsx %.2f s: time ratio %.2f (target <= 2); parkctl peak memory %.1f MB\n", n, c, w, w / c, m / 1024 }'
