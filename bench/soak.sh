#!/usr/bin/env bash
# Soak: CLIENTS concurrent clients for SECONDS mixing park work through parkctl's
# service layer (`parkctl-bench soak`: tickets opened and moved along, leases signed
# on random units with random dates so that some overlap, leases terminated, reports),
# on a throw-away embedded cluster that the soak seeds with the demo portfolio; then
# the database's invariants. For a comparable raw number, pgbench then runs with as
# many clients for as long on the same database the transaction TicketService.open
# sends (the tenant/unit lookup and the ticket INSERT, as in bench/tickets.sh).
# Prints the soak's report and, as context only, pgbench's rate and latencies: the
# workloads differ (mixed and contended against one insert), so no ratio is printed.
# Exit status: the soak's (0 only when every invariant holds and no client saw an
# unexpected error).
#
#   bench/soak.sh [CLIENTS] [SECONDS]     (defaults: 16 clients, 60 s)
#   PARKCTL_BENCH_SCRATCH=DIR bench/soak.sh   builds in DIR instead of .build
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-16}
SECONDS_EACH=${2:-60}

BUILD=(-c release)
[ -n "${PARKCTL_BENCH_SCRATCH:-}" ] && BUILD+=(--scratch-path "$PARKCTL_BENCH_SCRATCH")
source bench/common.sh
bench_setup "${BUILD[@]}"
PGBENCH=$(bench_pgbench)

# The soak (it seeds the demo portfolio into the empty database).
set +e
"$BIN/parkctl-bench" soak "$CONN" "$CLIENTS" "$SECONDS_EACH" | tee "$WORK/soak.out"
SOAK_STATUS=${PIPESTATUS[0]}
set -e
[ -s "$WORK/soak.out" ] || exit "$SOAK_STATUS"

# pgbench: what TicketService.open sends for 博思软件 at SW/B1/0301, one transaction.
TENANT=91350100MA4000103C
IDS=$(psql -X -At "$CONN" -c "SELECT t.id, u.park_id, u.id FROM tenant t, unit u JOIN building b ON b.id = u.building_id
    JOIN park p ON p.id = u.park_id WHERE t.credit_code = '$TENANT' AND p.code = 'SW' AND b.code = 'B1' AND u.code = '0301'")
IFS='|' read -r TENANT_ID PARK_ID UNIT_ID <<<"$IDS"
cat >"$WORK/open.sql" <<SQL
BEGIN;
SELECT set_config('parkctl.actor', 'pgbench', true);
WITH t AS (SELECT id, name FROM tenant WHERE credit_code = '$TENANT'),
     u AS (SELECT u.id, u.park_id FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
           WHERE p.code = 'SW' AND b.code = 'B1' AND u.code = '0301'),
     parks AS (SELECT DISTINCT o.park_id FROM onboarding o, t WHERE o.tenant_id = t.id AND o.stage NOT IN ('rejected', 'exited'))
SELECT (SELECT id FROM t) AS tenant_id, (SELECT name FROM t) AS tenant_name,
       (SELECT id FROM u) AS unit_id, (SELECT park_id FROM u) AS unit_park_id,
       (SELECT id FROM park WHERE code = 'SW') AS named_park_id,
       ARRAY(SELECT park_id FROM parks ORDER BY park_id) AS tenant_park_ids,
       ARRAY(SELECT p.code FROM parks JOIN park p ON p.id = parks.park_id ORDER BY p.code) AS tenant_parks;
$(ticket_open_sql "$PARK_ID" "$TENANT_ID" "$UNIT_ID")
COMMIT;
SQL
mkdir "$WORK/pglog"
PG_TPS=$(cd "$WORK/pglog" && "$PGBENCH" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_EACH" -l --log-prefix=open \
             -f "$WORK/open.sql" "$CONN" 2>/dev/null | awk '/^tps = / {print $3}')
# Median and 99th percentile of pgbench's per-transaction latencies (3rd field, µs).
PG_LAT=$(cat "$WORK"/pglog/open.* | awk '{print $3}' | sort -n |
         awk '{a[NR]=$1} END {p50=a[int((NR+1)/2)]; i=int(NR*0.99); if (i<NR*0.99) i++; if (i<1) i=1; printf "%.2f %.2f", p50/1000, a[i]/1000}')
read -r PG_P50 PG_P99 <<<"$PG_LAT"

read -r _ _ _ SOAK_OPS _ _ < <(grep '^total ' "$WORK/soak.out")
read -r _ _ _ OPEN_OPS OPEN_P50 OPEN_P99 < <(grep '^ticket.open ' "$WORK/soak.out")
echo
awk -v c="$CLIENTS" -v s="$SECONDS_EACH" -v tps="$PG_TPS" -v p50="$PG_P50" -v p99="$PG_P99" \
    -v sops="$SOAK_OPS" -v op50="$OPEN_P50" -v op99="$OPEN_P99" 'BEGIN {
    printf "%d clients, %d s each, one after the other, same database\n", c, s
    printf "soak, mixed service operations       %8.1f ops/s    ticket.open p50 %7.2f ms  p99 %7.2f ms\n", sops, op50, op99
    printf "pgbench, TicketService.open raw SQL  %8.1f tx/s     ticket open p50 %7.2f ms  p99 %7.2f ms\n", tps, p50, p99
    # No ratio: the soak mixes sixteen kinds of operation under contention, pgbench
    # repeats one insert; the two rates are context for each other, not a comparison.
    # Like-for-like ratios are bench/tickets.sh (ticket open) and bench/cli.sh.
    printf "(no ratio: a mixed, contended workload against one repeated insert; see bench/tickets.sh)\n"
}'
exit "$SOAK_STATUS"
