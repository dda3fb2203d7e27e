#!/usr/bin/env bash
# Receivables speed, each side by side with the raw tool on the same database:
#
# 1. A bill run for one quarter over PARKS × 5,000 leases (800,000 for 160 parks):
#    `parkctl bill run` against psql inserting the same rows, precomputed (the bills
#    the run issues, copied out of a rolled-back run), with the same triggers (the
#    audit, the credit check). Target: parkctl ≥ 0.5× psql's speed.
# 2. `report receivables` over the three quarters' bills (5,200,000 for 160 parks),
#    a third of the first quarter's paid: parkctl against its own SQL (captured with
#    PARKCTL_TRACE) in psql. Target: ≤ 1.2× psql's time.
# 3. Payments recorded by 8 clients, each for its own tenant, through PaymentService
#    (parkctl-bench payments) against pgbench running the statements parkctl sends
#    (PARKCTL_TRACE shows them). Target: ≥ 0.7× pgbench's rate.
#
#   bench/billing.sh [PARKS] [RUNS] [SECONDS]     (defaults: 160 parks, 3 runs, 10 s)
#
# PHASES="2 3" runs only those phases (the first takes 25 minutes at 160 parks).
set -euo pipefail
cd "$(dirname "$0")/.."
PARKS=${1:-160}
RUNS=${2:-3}
SECONDS_EACH=${3:-10}
CLIENTS=8
PHASES=${PHASES:-1 2 3}
phase() { [[ " $PHASES " == *" $1 "* ]]; }

source bench/common.sh
bench_setup -c release
PGBENCH=$(bench_pgbench)
echo "generating $PARKS parks..."
t0=$(date +%s)
"${PSQL[@]}" -v parks="$PARKS" -f bench/billing-data.sql
echo "generated in $(( $(date +%s) - t0 )) s"
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# 1. The bill run.
if phase 1; then
"${PSQL[@]}" <<SQL
BEGIN;
SELECT bill_run('2026-01-01');
\copy (SELECT number, park_id, lease_id, tenant_id, fee, period, due_on, amount, issued_on FROM bill) TO '$WORK/bills.csv' (FORMAT csv)
ROLLBACK;
CREATE TABLE bench_bill AS SELECT number, park_id, lease_id, tenant_id, fee, period, due_on, amount, issued_on FROM bill WITH NO DATA;
\copy bench_bill FROM '$WORK/bills.csv' (FORMAT csv)
ANALYZE bench_bill;
SQL
BILLS=$(psql -X -At "$CONN" -c "SELECT count(*) FROM bench_bill")
cat >"$WORK/insert.sql" <<'SQL'
BEGIN;
INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, issued_on)
SELECT number, park_id, lease_id, tenant_id, fee, period, due_on, amount, issued_on FROM bench_bill;
ROLLBACK;
SQL
# Between runs the issued bills go (as the owner, with the ledger's triggers off).
cat >"$WORK/reset.sql" <<'SQL'
SET session_replication_role = replica;
DELETE FROM bill;
DELETE FROM audit_log WHERE table_name = 'bill';
RESET session_replication_role;
VACUUM bill, audit_log;
SQL
declare -a TP=() TK=()
for _ in $(seq 1 "$RUNS"); do
    a=$(ms); "${PSQL[@]}" -f "$WORK/insert.sql" >/dev/null; b=$(ms); TP+=($((b - a)))
    a=$(ms); "$BIN/parkctl" bill run --through 2026-01-01 >"$WORK/run.txt"; b=$(ms); TK+=($((b - a)))
    grep -q "issued $BILLS bills" "$WORK/run.txt" || { echo "bench: the run issued $(cat "$WORK/run.txt"), not $BILLS bills" >&2; exit 1; }
    "${PSQL[@]}" -f "$WORK/reset.sql" >/dev/null
done
MP=$(median "${TP[@]}"); MK=$(median "${TK[@]}")
awk -v n="$BILLS" -v p="$MP" -v k="$MK" 'BEGIN {
    printf "bill run, one quarter: %d bills\n", n
    printf "  psql INSERT of the precomputed rows %8.0f ms\n  parkctl bill run                    %8.0f ms\n", p, k
    printf "  speed ratio (psql time / parkctl time): %.2f  (target >= 0.5)\n", p / k }'
fi

# 2. The receivables report over three quarters, a third of the first paid.
# The bills are issued quarter by quarter, as a park issues them: one run of all three
# quarters at 160 parks (5,200,000 bills in one statement) was stopped after 55 minutes.
if phase 2 || phase 3; then
for q in 2026-01-01 2026-04-01 2026-07-01; do
    a=$(ms); "$BIN/parkctl" bill run --through $q >"$WORK/run.txt"; b=$(ms)
    echo "  (setup: bill run --through $q: $(cut -d' ' -f2 "$WORK/run.txt") bills in $(( (b - a) / 1000 )) s)"
done
"${PSQL[@]}" <<'SQL'
SET session_replication_role = replica;
INSERT INTO payment (number, park_id, tenant_id, amount, received_on)
SELECT 'P-2026-' || lpad(b.id::text, 8, '0'), b.park_id, b.tenant_id, b.amount, '2026-01-03'
FROM bill b WHERE lower(b.period) = '2026-01-01' AND b.lease_id % 3 = 0 AND b.amount > 0;
INSERT INTO allocation (park_id, tenant_id, bill_id, payment_id, amount, applied_on)
SELECT b.park_id, b.tenant_id, b.id, p.id, b.amount, '2026-01-03'
FROM bill b JOIN payment p ON p.number = 'P-2026-' || lpad(b.id::text, 8, '0');
RESET session_replication_role;
ANALYZE;
SQL
fi
if phase 2; then
TOTAL=$(psql -X -At "$CONN" -c "SELECT count(*) FROM bill")
rm -f "$WORK/trace.jsonl"
PARKCTL_TRACE="$WORK/trace.jsonl" "$BIN/parkctl" report receivables --as-of 2026-08-15 --format json >/dev/null
replay_script "$WORK/trace.jsonl" >"$WORK/receivables.sql"
declare -a RP=() RK=()
for _ in $(seq 1 "$RUNS"); do
    a=$(ms); psql -X -q "$CONN" -f "$WORK/receivables.sql" >/dev/null; b=$(ms); RP+=($((b - a)))
    a=$(ms); "$BIN/parkctl" report receivables --as-of 2026-08-15 --format json >/dev/null; b=$(ms); RK+=($((b - a)))
done
MP=$(median "${RP[@]}"); MK=$(median "${RK[@]}")
awk -v n="$TOTAL" -v p="$MP" -v k="$MK" 'BEGIN {
    printf "report receivables over %d bills\n", n
    printf "  psql (its SQL) %8.0f ms\n  parkctl        %8.0f ms\n  ratio (parkctl / psql): %.2f  (target <= 1.2)\n", p, k, k / p }'
fi

# 3. Payments by 8 clients, each for its own tenant of park Q001.
phase 3 || exit 0
IDS=$(psql -X -At "$CONN" -c "SELECT string_agg(t.credit_code, ',' ORDER BY t.id), min(t.id), (SELECT id FROM park WHERE code = 'Q001')
    FROM (SELECT DISTINCT l.tenant_id FROM lease l JOIN park p ON p.id = l.park_id WHERE p.code = 'Q001' ORDER BY 1 LIMIT $CLIENTS) x
    JOIN tenant t ON t.id = x.tenant_id")
IFS='|' read -r CODES FIRST_TENANT PARK_ID <<<"$IDS"
# The statements PaymentService.record sends (see PARKCTL_TRACE), client k paying the
# k-th tenant: only the credit code is found by id, since pgbench has no text variables.
cat >"$WORK/pay.sql" <<SQL
\set tenant $FIRST_TENANT + :client_id
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT set_config('parkctl.actor', 'pgbench', true);
SELECT id FROM park WHERE code = 'Q001';
SELECT id, name FROM tenant WHERE credit_code = (SELECT credit_code FROM tenant WHERE id = :tenant);
INSERT INTO payment (number, park_id, tenant_id, amount, received_on, method, reference)
VALUES (payment_next_number('2026-01-05'), $PARK_ID, :tenant, 100, '2026-01-05', 'bank', NULL)
RETURNING number AS payment \gset
WITH made AS (SELECT * FROM receivables_allocate($PARK_ID, :tenant, NULL::bigint, NULL::bigint, NULL::bigint[]))
SELECT b.number AS bill, b.fee, coalesce(p.number, c.number) AS source, a.amount, a.applied_on
FROM made a JOIN bill b ON b.id = a.bill_id LEFT JOIN payment p ON p.id = a.payment_id LEFT JOIN bill c ON c.id = a.credit_bill_id
ORDER BY a.id;
SELECT p.number, t.name AS tenant, t.credit_code, k.code AS park, p.amount, p.received_on, p.method, p.reference,
       coalesce((SELECT sum(a.amount) FROM allocation a WHERE a.payment_id = p.id), 0) AS allocated,
       payment_left(p.id) AS unallocated, r.reversed_on, r.reason AS reversal_reason
FROM payment p JOIN tenant t ON t.id = p.tenant_id JOIN park k ON k.id = p.park_id
LEFT JOIN payment_reversal r ON r.payment_id = p.id WHERE p.number = :payment;
COMMIT;
SQL
declare -a R_PG=() R_PK=()
for _ in $(seq 1 "$RUNS"); do
    pg=$("$PGBENCH" -n -M extended -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_EACH" -f "$WORK/pay.sql" "$CONN" 2>"$WORK/pgbench.err" |
         awk '/^tps = / {print $3}')
    [ -n "$pg" ] || { cat "$WORK/pgbench.err" >&2; exit 1; }
    R_PG+=("$pg")
    R_PK+=("$("$BIN/parkctl-bench" payments "$CONN" "$CLIENTS" "$SECONDS_EACH" Q001 "$CODES")")
done
MPG=$(median "${R_PG[@]}"); MPK=$(median "${R_PK[@]}")
awk -v g="$MPG" -v k="$MPK" -v c="$CLIENTS" 'BEGIN {
    printf "payments, %d clients (each its own tenant)\n", c
    printf "  pgbench, the same statements %8.1f payments/s\n  parkctl PaymentService        %8.1f payments/s\n", g, k
    printf "  ratio (parkctl / pgbench): %.2f  (target >= 0.7)\n", k / g }'
