#!/usr/bin/env bash
# Backup and restore speed on the large portfolio of bench/reports.sh (1,000,000 units,
# 816,000 leases, 2,000,000 tickets for 200 parks): parkctl against the same work done
# by hand with PostgreSQL's tools, ROUNDS rounds each, interleaved; prints the medians
# and the ratios (target: by hand ÷ parkctl >= 0.9, i.e. parkctl at most ~11 % slower).
#
#   backup            parkctl db backup          pg_dump -Fc (its default compression)
#   verified backup   parkctl db backup --verify pg_dump, createdb, pg_restore, dropdb
#   restore           parkctl db restore --into  createdb, pg_restore
#   base backup       (what the embedded cluster adds for point-in-time recovery)
#                     parkctl's base, timed alone  pg_basebackup -Ft -z -X fetch
#
# parkctl reaches the cluster by URL, as it would a server, so that its backup is the
# dump alone (an embedded cluster's backup also takes the base, timed on its own line).
# parkctl does more than the tools: the figures of every table in the dump's snapshot
# and again after the restore (rows and checksum), the sha256 of each file, the
# migrations after a restore. It also chooses differently: gzip level 3 (pg_dump's
# default is 6) and a parallel pg_restore (--jobs, one per core).
#
#   bench/backup.sh [PARKS] [ROUNDS]     (defaults: 200 parks = 1,000,000 units; 2 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
PARKS=${1:-200}
ROUNDS=${2:-2}

source bench/common.sh
bench_setup -c release --static-swift-stdlib --product parkctl
echo "generating $PARKS parks..."
t0=$(date +%s)
psql -X -q "$CONN" -v parks="$PARKS" -f bench/reports-data.sql
"${PSQL[@]}" -c "VACUUM ANALYZE"
echo "generated in $(( $(date +%s) - t0 )) s; database $("${PSQL[@]}" -Atc "SELECT pg_size_pretty(pg_database_size('parkctl'))")"
BINDIR=$(dirname "$(readlink -f "$(command -v pg_dump)")")
[ -x "/usr/lib/postgresql/15/bin/pg_dump" ] && BINDIR=/usr/lib/postgresql/15/bin
HOST="$PARKCTL_HOME/run"
URL="postgresql:///parkctl?host=$HOST&user=parkctl"
mkdir -p "$WORK/pk" "$WORK/raw"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
declare -a PB=() RB=() PV=() RV=() PR=() RR=() PBASE=() RBASE=()
for round in $(seq 1 "$ROUNDS"); do
    rm -rf "$WORK/pk"/* "$WORK/raw"/*
    a=$(ms); "$BIN/parkctl" db backup --to "$WORK/pk" --database-url "$URL" >/dev/null; b=$(ms); PB+=($((b - a)))
    a=$(ms); "$BINDIR/pg_dump" -h "$HOST" -U parkctl -Fc -f "$WORK/raw/raw.dump" parkctl; b=$(ms); RB+=($((b - a)))

    rm -rf "$WORK/pk"/*
    a=$(ms); "$BIN/parkctl" db backup --to "$WORK/pk" --verify --database-url "$URL" >/dev/null; b=$(ms); PV+=($((b - a)))
    a=$(ms)
    "$BINDIR/pg_dump" -h "$HOST" -U parkctl -Fc -f "$WORK/raw/raw.dump" parkctl
    "$BINDIR/createdb" -h "$HOST" -U parkctl -T template0 raw_check
    "$BINDIR/pg_restore" -h "$HOST" -U parkctl --exit-on-error -d raw_check "$WORK/raw/raw.dump"
    "$BINDIR/dropdb" -h "$HOST" -U parkctl raw_check
    b=$(ms); RV+=($((b - a)))

    FOLDER=$(ls -d "$WORK"/pk/parkctl-backup-* | head -1)
    a=$(ms); "$BIN/parkctl" db restore "$FOLDER" --into pk_restored --database-url "$URL" >/dev/null; b=$(ms); PR+=($((b - a)))
    a=$(ms)
    "$BINDIR/createdb" -h "$HOST" -U parkctl -T template0 raw_restored
    "$BINDIR/pg_restore" -h "$HOST" -U parkctl --exit-on-error -d raw_restored "$WORK/raw/raw.dump"
    b=$(ms); RR+=($((b - a)))
    "$BINDIR/dropdb" -h "$HOST" -U parkctl pk_restored
    "$BINDIR/dropdb" -h "$HOST" -U parkctl raw_restored

    # The base backup the embedded cluster's backup adds: parkctl's (the embedded backup
    # less its dump, as timed above) against pg_basebackup by hand.
    rm -rf "$WORK/pk"/* "$WORK/raw"/*
    a=$(ms); "$BIN/parkctl" db backup --to "$WORK/pk" >/dev/null; b=$(ms); PBASE+=($(( b - a - ${PB[$((round - 1))]} )))
    a=$(ms); "$BINDIR/pg_basebackup" -h "$HOST" -U parkctl -D "$WORK/raw/base" -Ft -z -X fetch --checkpoint=fast; b=$(ms); RBASE+=($((b - a)))
done

printf '%-42s %10s %10s %7s\n' "" "by hand ms" "parkctl ms" "ratio"
row() { awk -v n="$1" -v r="$2" -v p="$3" 'BEGIN { printf "%-42s %10.0f %10.0f %7.2f\n", n, r, p, (p > 0 ? r / p : 0) }'; }
row "backup (pg_dump -Fc)" "$(median "${RB[@]}")" "$(median "${PB[@]}")"
row "verified backup (dump, restore, compare)" "$(median "${RV[@]}")" "$(median "${PV[@]}")"
row "restore into a new database" "$(median "${RR[@]}")" "$(median "${PR[@]}")"
row "base backup (embedded cluster only)" "$(median "${RBASE[@]}")" "$(median "${PBASE[@]}")"
echo "(ratio = by hand ÷ parkctl; target >= 0.9)"
