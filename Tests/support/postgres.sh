#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: no service is assumed.
#
#   URL=$(Tests/support/postgres.sh start)   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   LUNAS_TEST_POSTGRES_URL=$URL swift test
#   Tests/support/postgres.sh stop           # stops the server and deletes its folder
#
# The server's folder is remembered in $LUNAS_PG_STATE (default /tmp/lunas-test-postgres.state),
# so `start` twice reuses the running server and `stop` finds it. As root the server runs as the
# `postgres` user (PostgreSQL refuses root); postgresql is installed with apt-get when missing.
set -euo pipefail

STATE=${LUNAS_PG_STATE:-/tmp/lunas-test-postgres.state}

die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
    return 1
}

as_owner() { # runs a command as the server's owner
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url_of() { echo "postgres://postgres@127.0.0.1:$(cat "$1/port")/postgres"; }

start() {
    if [ -f "$STATE" ]; then
        local old; old=$(cat "$STATE")
        if [ -f "$old/data/postmaster.pid" ] && as_owner "$(bindir)/pg_ctl" -D "$old/data" status >/dev/null 2>&1; then
            url_of "$old"; return
        fi
        rm -f "$STATE"
    fi
    local bin
    if ! bin=$(bindir); then
        [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
        echo "postgres.sh: installing postgresql" >&2
        apt-get install -y postgresql >&2 || { apt-get update >&2 && apt-get install -y postgresql >&2; }
        bin=$(bindir) || die "initdb not found after installing postgresql"
    fi
    local dir; dir=$(mktemp -d /tmp/lunas-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    local attempt port
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$(( 20000 + RANDOM % 40000 ))
        port_free "$port" || continue
        if as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 30 -l "$dir/server.log" start \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=on" >/dev/null 2>&1; then
            echo "$port" | as_owner tee "$dir/port" >/dev/null
            echo "$dir" >"$STATE"
            url_of "$dir"
            return
        fi
    done
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    die "could not start PostgreSQL"
}

stop() {
    [ -f "$STATE" ] || { echo "postgres.sh: no server to stop" >&2; return 0; }
    local dir; dir=$(cat "$STATE")
    local bin; bin=$(bindir) || die "initdb not found"
    if [ -d "$dir/data" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -w -m immediate stop >/dev/null 2>&1 || true
    fi
    case "$dir" in /tmp/lunas-pg.*) rm -rf "$dir" ;; esac
    rm -f "$STATE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) [ -f "$STATE" ] && url_of "$(cat "$STATE")" ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
