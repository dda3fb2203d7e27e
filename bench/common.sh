# Sourced by the bench scripts (from the repository root): the build, the throw-away
# embedded cluster, and small helpers they all use.

# bench_setup [SWIFT BUILD ARGUMENTS...]
# Builds with `swift build ARGUMENTS`, sets BIN (the binaries), WORK (a scratch
# folder removed on exit), PARKCTL_HOME (a cluster inside it, started now and
# stopped on exit), CONN (its conninfo) and PSQL (psql on it, stopping on errors).
bench_setup() {
    # The build's output only when it fails (set -e would otherwise end the bench silently).
    local log
    if ! log=$(swift build "$@" 2>&1); then echo "$log" >&2; echo "bench: swift build $* failed" >&2; exit 1; fi
    BIN=$(swift build "$@" --show-bin-path)
    WORK=$(mktemp -d /tmp/parkctl-bench-XXXXXX)
    chmod 755 "$WORK"   # the server runs as postgres when we are root
    export PARKCTL_HOME="$WORK/cluster"
    trap '"$BIN/parkctl" db stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
    "$BIN/parkctl" db start >/dev/null
    CONN="host=$PARKCTL_HOME/run port=5432 user=parkctl dbname=parkctl"
    PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$CONN")
}

# bench_parks PARKS: parks P001… of 10 buildings B1…B10 (20 floors each), for 5,000 units
# a park (the triggers off: a bench's set-up, not what it measures).
bench_parks() {
    "${PSQL[@]}" <<SQL
SET session_replication_role = replica;
INSERT INTO park (code, name, kind) SELECT 'P' || lpad(g::text, 3, '0'), '园区' || g, 'mixed' FROM generate_series(1, $1) g;
INSERT INTO building (park_id, code, name, floors_above) SELECT p.id, 'B' || b, b || '号楼', 20 FROM park p, generate_series(1, 10) b;
SQL
}

# measure COMMAND...: runs it (its output to /dev/null) and prints "seconds maxrss_kb".
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.time()
with open("/dev/null", "wb") as null:
    r = subprocess.run(sys.argv[1:], stdout=null)
if r.returncode != 0:
    sys.exit(r.returncode)
print(f"{time.time() - t:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# The newest pgbench installed.
bench_pgbench() {
    local p
    p=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1)
    [ -x "$p" ] || p=$(command -v pgbench)
    echo "$p"
}

# The ticket INSERT TicketService.open sends (the database numbers the ticket, sets its
# due times and writes its created event), for PARK_ID TENANT_ID UNIT_ID: what
# bench/tickets.sh and bench/soak.sh replay with pgbench.
ticket_open_sql() {
    local PARK_ID=$1 TENANT_ID=$2 UNIT_ID=$3
    cat <<SQL
WITH t AS (INSERT INTO ticket (park_id, tenant_id, unit_id, category, priority, title, description, reporter, opened_at)
           VALUES ($PARK_ID, $TENANT_ID, $UNIT_ID, 'repair', 'normal', 'pgbench', NULL, 'pgbench', coalesce(NULL::timestamptz, now()))
           RETURNING *)
SELECT t.*, p.code AS park, tn.name AS tenant, tn.credit_code, parkctl_actor() AS created_by,
       CASE WHEN u.id IS NULL THEN NULL ELSE p.code || '/' || b.code || '/' || u.code END AS unit,
       t.status <> 'cancelled' AND coalesce(t.first_response_at, now()) > t.response_due_at AS response_breached,
       t.status <> 'cancelled' AND coalesce(t.resolved_at, now()) > t.resolution_due_at AS resolution_breached
FROM t JOIN park p ON p.id = t.park_id JOIN tenant tn ON tn.id = t.tenant_id
LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN building b ON b.id = u.building_id;
SQL
}

# replay_script TRACE.jsonl [all]
# The psql script for a command traced with PARKCTL_TRACE: its longest statement (the
# report or listing), or with "all" every statement it sent in order (the schema check,
# the lookups, the listing), with each $n replaced by its value as a literal of the
# type parkctl sent (untyped, like a quoted literal, where parkctl let the server infer
# it): the same statements, the same values.
replay_script() {
    python3 - "$1" "${2:-longest}" <<'PY'
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
chosen = lines if sys.argv[2] == "all" else [max(lines, key=lambda l: len(l["sql"]))]
names = {20: "int8", 21: "int2", 23: "int4", 16: "bool", 1700: "numeric", 1082: "date", 1184: "timestamptz",
         2950: "uuid", 1009: "text[]", 1016: "int8[]", 1007: "int4[]", 3912: "daterange", 25: "text"}
def lit(q, i):
    v, t = q["params"][i], q["types"][i]
    if v is None:
        return "NULL" + ("::" + names[t] if t in names else "")
    quoted = "'" + v.replace("'", "''") + "'"
    return quoted + ("::" + names[t] if t in names else "")
for q in chosen:
    print(re.sub(r"\$(\d+)", lambda m: lit(q, int(m.group(1)) - 1), q["sql"]) + ";")
PY
}
