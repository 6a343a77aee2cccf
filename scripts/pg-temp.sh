#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: no system service, no password,
# fsync off, everything (data, socket, log) inside one directory.
#
#   scripts/pg-temp.sh start DIR   prints postgresql://civgrid@127.0.0.1:PORT/civgrid
#                                  (also written to DIR/url; the log is DIR/log)
#   scripts/pg-temp.sh stop DIR    stops the server and removes DIR
#
# Several servers may run at once, each with its own DIR and port.
set -euo pipefail

die() {
    echo "pg-temp: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 64
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# The newest installed major version, e.g. /usr/lib/postgresql/15/bin.
find_bin() {
    local d best=""
    for d in /usr/lib/postgresql/*/bin; do
        if [ ! -x "$d/postgres" ] || [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ]; then
            continue
        fi
        if [ -z "$best" ] || [ "$(basename "$(dirname "$d")")" -gt "$(basename "$(dirname "$best")")" ] 2>/dev/null; then
            best=$d
        fi
    done
    echo "$best"
}

# initdb and postgres refuse to run as root; as any other user they run as is.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A TCP port nobody listens on now. Another process may take it before the
# server binds it; start() then tries another.
pick_port() {
    local port
    if port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null); then
        echo "$port"
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

start() {
    local bin
    bin=$(find_bin)
    if [ -z "$bin" ]; then
        echo "pg-temp: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres);" \
            "install it with 'scripts/deps.sh test'" >&2
        exit 2
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        die "running as root needs the 'postgres' system user to run the server as"
    fi

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    [ ! -e "$dir/data" ] || die "$dir/data already exists; run '$0 stop $dir' first"
    # The server's socket path must fit in sun_path (107 bytes).
    [ ${#dir} -le 80 ] || die "$dir is too long a path for a unix socket directory"
    local log=$dir/log
    : >"$log"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$dir"
        as_pg test -w "$dir" ||
            die "user postgres cannot write to $dir (a parent directory is closed to it?)"
    fi

    # UTF8 whatever the environment's locale is: names are Chinese.
    as_pg "$bin/initdb" -D "$dir/data" --auth=trust -U civgrid -E UTF8 --no-locale \
        --no-sync >>"$log" 2>&1 || die "initdb failed; see $log"

    local port="" attempt started=""
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        echo "pg-temp: starting on port $port (attempt $attempt)" >>"$log"
        # Durability is worthless for a test server; fsync and friends off
        # make it several times faster.
        # pg_ctl and the server both append to the log (O_APPEND).
        # shellcheck disable=SC2094
        if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 \
            -o "-k '$dir' -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >>"$log" 2>&1; then
            started=1
            break
        fi
        # A port taken in the meantime fails the start; any other failure
        # would fail again, so look at the log to tell them apart.
        grep -q "could not bind\|Address already in use" "$log" || break
    done
    [ -n "$started" ] || die "the server did not start; see $log: $(tail -n 3 "$log" | tr '\n' ' ')"

    local ok=""
    for attempt in $(seq 1 60); do
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U civgrid; then
            ok=1
            break
        fi
        sleep 0.5
    done
    if [ -z "$ok" ]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >>"$log" 2>&1 || true
        die "the server did not become ready; see $log"
    fi
    if ! "$bin/createdb" -h "$dir" -p "$port" -U civgrid civgrid >>"$log" 2>&1; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >>"$log" 2>&1 || true
        die "createdb failed; see $log"
    fi

    local url="postgresql://civgrid@127.0.0.1:$port/civgrid"
    echo "$url" >"$dir/url"
    echo "$url"
}

stop() {
    [ -d "$dir" ] || die "$dir does not exist"
    dir=$(cd "$dir" && pwd -P)
    # Refuse to delete a directory this script did not make.
    [ -e "$dir/data/PG_VERSION" ] || [ -e "$dir/log" ] ||
        die "$dir does not look like a pg-temp directory; not removing it"
    if [ -e "$dir/data/postmaster.pid" ]; then
        local bin
        bin=$(find_bin)
        [ -n "$bin" ] || die "PostgreSQL binaries not found; cannot stop the server in $dir"
        as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >>"$dir/log" 2>&1 ||
            die "pg_ctl stop failed; see $dir/log"
    fi
    rm -rf "$dir"
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
