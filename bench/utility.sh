#!/usr/bin/env bash
# Utility billing at scale, each beside the raw tool on the same database (bench/utility-data.sql:
# one park of 100,000 leased units, 100,200 meters read on 2026-10-31 and 2026-11-30):
#
# 1. `parkctl utility period calc` of November (own lines by days, public meters by
#    area, the masters' loss by tenant, tiers) against psql sending the same statements
#    (captured with PARKCTL_TRACE). Target: within 1.5x psql's time.
# 2. `parkctl import readings` of 100,000 readings (the sub-meters' 2026-12-01) from CSV
#    against `psql \copy` of the same readings into meter_reading (its checks on in both).
#    Target: within 2x psql's time.
#
#   bench/utility.sh [ROUNDS]     (default 3; PHASES="2" runs only the import)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
PHASES=${PHASES:-1 2}
phase() { [[ " $PHASES " == *" $1 "* ]]; }

source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
"${PSQL[@]}" -f bench/utility-data.sql
"$BIN/parkctl" utility period open UB --kind electricity --from 2026-11-01 --to 2026-11-30 >/dev/null
NUMBER=$(psql -X -At "$CONN" -c "SELECT number FROM utility_period")

# 1. The statements parkctl sends for a calculation, replayed by psql in one transaction.
if phase 1; then
PARKCTL_TRACE="$WORK/trace.jsonl" "$BIN/parkctl" utility period calc "$NUMBER" --format json >/dev/null
python3 - "$WORK/trace.jsonl" >"$WORK/calc.sql" <<'PY'
import json, re, sys
names = {20: "int8", 21: "int2", 23: "int4", 16: "bool", 1700: "numeric", 1082: "date", 1184: "timestamptz",
         2950: "uuid", 1009: "text[]", 1016: "int8[]", 1007: "int4[]", 3912: "daterange", 25: "text"}
print("BEGIN;")
for q in (json.loads(l) for l in open(sys.argv[1], encoding="utf-8")):
    if q["sql"].strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK"):
        continue
    def lit(m):
        i = int(m.group(1)) - 1
        v, t = q["params"][i], q["types"][i]
        if v is None:
            return "NULL" + ("::" + names[t] if t in names else "")
        return "'" + v.replace("'", "''") + "'" + ("::" + names[t] if t in names else "")
    print(re.sub(r"\$(\d+)", lit, q["sql"]) + ";")
print("COMMIT;")
PY
LEASES=$(psql -X -At "$CONN" -c "SELECT count(*) FROM utility_period_lease")
declare -a TP=() TK=()
for _ in $(seq 1 "$ROUNDS"); do
    read -r t _ < <(measure "${PSQL[@]}" -f "$WORK/calc.sql"); TP+=("$t")
    read -r t _ < <(measure "$BIN/parkctl" utility period calc "$NUMBER" --format json); TK+=("$t")
done
awk -v n="$LEASES" -v p="$(median "${TP[@]}")" -v k="$(median "${TK[@]}")" 'BEGIN {
    printf "calc one month of 100,200 meters (%d leases billed): psql %.2f s, parkctl %.2f s: time ratio %.2f (target <= 1.5)\n", n, p, k, k / p }'
fi

# 2. 100,000 readings of 2026-12-01: as a meter reader's CSV for parkctl, with ids for psql.
if phase 2; then
"${PSQL[@]}" -c "\\copy (SELECT p.code AS park, m.code AS meter, '2026-12-01' AS day, r.value + 400 + m.id % 97 AS value
                       FROM meter m JOIN park p ON p.id = m.park_id JOIN meter_reading r ON r.meter_id = m.id AND r.read_on = '2026-11-30'
                       WHERE m.unit_id IS NOT NULL ORDER BY m.code) TO '$WORK/readings.csv' (FORMAT csv, HEADER)"
"${PSQL[@]}" -c "\\copy (SELECT m.park_id, m.id, '2026-12-01', r.value + 400 + m.id % 97
                       FROM meter m JOIN meter_reading r ON r.meter_id = m.id AND r.read_on = '2026-11-30'
                       WHERE m.unit_id IS NOT NULL ORDER BY m.code) TO '$WORK/readings-ids.csv' (FORMAT csv)"
reset() {
    "${PSQL[@]}" -c "SET session_replication_role = replica" -c "DELETE FROM meter_reading WHERE read_on = '2026-12-01'" \
                 -c "DELETE FROM audit_log WHERE table_name = 'meter_reading'" -c "VACUUM meter_reading, audit_log" >/dev/null
}
declare -a TC=() TI=()
for _ in $(seq 1 "$ROUNDS"); do
    reset; read -r t _ < <(measure "${PSQL[@]}" -c "\\copy meter_reading (park_id, meter_id, read_on, value) FROM '$WORK/readings-ids.csv' (FORMAT csv)"); TC+=("$t")
    reset; read -r t _ < <(measure "$BIN/parkctl" import readings "$WORK/readings.csv"); TI+=("$t")
done
awk -v c="$(median "${TC[@]}")" -v i="$(median "${TI[@]}")" 'BEGIN {
    printf "import 100,000 readings: psql \\copy %.2f s, parkctl import %.2f s: time ratio %.2f (target <= 2)\n", c, i, i / c }'
fi
