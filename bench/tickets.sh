#!/usr/bin/env bash
# Ticket throughput: 8 concurrent clients opening tickets through parkctl's service
# layer (TicketService.open, one connection each, one process) against pgbench
# running the same INSERT (the database's trigger numbers the ticket and puts its
# due times on the working calendar, and writes the created event) with 8 clients, on the same
# database, in one run. Prints both rates and
# the ratio, over ROUNDS interleaved rounds (medians).
#
#   bench/tickets.sh [SECONDS] [ROUNDS]     (defaults: 10 s, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
ROUNDS=${2:-3}
CLIENTS=8

source bench/common.sh
bench_setup -c release
"$BIN/parkctl" demo >/dev/null
PGBENCH=$(bench_pgbench)
TENANT=91350100MA4000103C   # 博思软件, a tenant of SW in the demo
UNIT=SW/B1/0301

IDS=$(psql -X -At "$CONN" -c "SELECT t.id, u.park_id, u.id FROM tenant t, unit u JOIN building b ON b.id = u.building_id
    WHERE t.credit_code = '$TENANT' AND b.code = 'B1' AND u.code = '0301'")
IFS='|' read -r TENANT_ID PARK_ID UNIT_ID <<<"$IDS"

# The statement TicketService.open runs, with the tenant, park and unit looked up.
ticket_open_sql "$PARK_ID" "$TENANT_ID" "$UNIT_ID" >"$WORK/open.sql"

declare -a R_PG R_PK
for _ in $(seq 1 "$ROUNDS"); do
    pg=$("$PGBENCH" -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_EACH" -f "$WORK/open.sql" "$CONN" 2>/dev/null |
         awk '/^tps = / {print $3}')
    R_PG+=("$pg")
    pk=$("$BIN/parkctl-bench" tickets "$CONN" "$CLIENTS" "$SECONDS_EACH" "$TENANT" "$UNIT")
    R_PK+=("$pk")
done
MPG=$(median "${R_PG[@]}"); MPK=$(median "${R_PK[@]}")
awk -v g="$MPG" -v k="$MPK" -v c="$CLIENTS" -v r="$ROUNDS" -v s="$SECONDS_EACH" 'BEGIN {
    printf "%d clients, %d rounds of %d s each, interleaved (medians)\n", c, r, s
    printf "pgbench INSERT        %8.1f tickets/s\n", g
    printf "parkctl ticket open   %8.1f tickets/s\n", k
    printf "ratio (parkctl / pgbench): %.2f  (target >= 0.7)\n", k / g
}'
