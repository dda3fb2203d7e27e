# Sourced by the bench scripts (from the repository root): the build, the throw-away
# embedded cluster, and small helpers they all use.

# bench_setup [SWIFT BUILD ARGUMENTS...]
# Builds with `swift build ARGUMENTS`, sets BIN (the binaries), WORK (a scratch
# folder removed on exit), PARKCTL_HOME (a cluster inside it, started now and
# stopped on exit), CONN (its conninfo) and PSQL (psql on it, stopping on errors).
bench_setup() {
    swift build "$@" >/dev/null
    BIN=$(swift build "$@" --show-bin-path)
    WORK=$(mktemp -d /tmp/parkctl-bench-XXXXXX)
    chmod 755 "$WORK"   # the server runs as postgres when we are root
    export PARKCTL_HOME="$WORK/cluster"
    trap '"$BIN/parkctl" db stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
    "$BIN/parkctl" db start >/dev/null
    CONN="host=$PARKCTL_HOME/run port=5432 user=parkctl dbname=parkctl"
    PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$CONN")
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
