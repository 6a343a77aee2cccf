#!/usr/bin/env bash
# HTTP benchmark: civgrid's GET /api/v1/version against Debian's nginx
# returning the very same bytes from memory, measured with wrk in one run.
#
#   bench/http.sh          (or: make bench)
#
# Env: CIVGRID_BIN (default build/civgrid), DURATION (default 10s),
#      CONNECTIONS (default 32), MIN_RATIO (default 0.60), MAX_P99_MS (default 5).
# Fails if civgrid serves less than MIN_RATIO of nginx's requests/sec or its
# p99 latency is above MAX_P99_MS. Prints a markdown block for docs/benchmarks.md;
# writes nothing itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${CIVGRID_BIN:-build/civgrid}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
MIN_RATIO=${MIN_RATIO:-0.60}
MAX_P99_MS=${MAX_P99_MS:-5}
NPROC=$(nproc)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

for tool in wrk node "$NGINX"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run scripts/deps.sh bench" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make build" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-bench.XXXXXX")
civgrid_pid=""
nginx_pid=""
cleanup() {
  # Only the two servers this script started, by their process ids.
  if [ -n "$civgrid_pid" ]; then kill -TERM "$civgrid_pid" 2>/dev/null || true; wait "$civgrid_pid" 2>/dev/null || true; fi
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# fetch_body URL FILE: waits up to 10 s for a 200 and writes the body's exact bytes to FILE.
fetch_body() {
  node -e '
    const [url, file] = process.argv.slice(1);
    const deadline = Date.now() + 10000;
    (async () => {
      for (;;) {
        try {
          const r = await fetch(url);
          const b = Buffer.from(await r.arrayBuffer());
          if (r.status === 200) { require("fs").writeFileSync(file, b); return; }
        } catch {}
        if (Date.now() > deadline) { console.error("bench: no 200 from " + url); process.exit(1); }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();' "$1" "$2"
}

# run_wrk NAME URL: warms up, measures, and leaves wrk's report in $tmp/NAME.wrk.
run_wrk() {
  wrk -t2 -c"$CONNECTIONS" -d2s "$2" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2" > "$tmp/$1.wrk"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$tmp/$1.wrk"; then
    cat "$tmp/$1.wrk" >&2
    echo "bench: $1 answered with errors; the figures would mean nothing" >&2
    exit 1
  fi
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$tmp/$1.wrk"; }
# p99 in milliseconds from wrk's latency distribution (us, ms or s).
p99_ms() {
  awk '$1 == "99%" {
         v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
         if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
         printf "%.3f\n", v }' "$tmp/$1.wrk"
}

# civgrid on a fresh SQLite database.
"$BIN" init --db "$tmp/bench.db" > "$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }
cport=$(free_port)
"$BIN" serve --db "$tmp/bench.db" --listen "127.0.0.1:$cport" --threads "$NPROC" \
  > "$tmp/civgrid.out" 2> "$tmp/civgrid.err" &
civgrid_pid=$!
if ! fetch_body "http://127.0.0.1:$cport/api/v1/version" "$tmp/body"; then
  tail -n 20 "$tmp/civgrid.err" >&2; exit 1
fi

# nginx returning the same bytes. The body goes into a single-quoted nginx
# string: refuse what would need more escaping than newlines.
body=$(cat "$tmp/body"; printf x)
body=${body%x}
case "$body" in *"'"*|*'\'*|*'$'*) echo "bench: body has ' \\ or \$; extend the escaping" >&2; exit 1 ;; esac
shopt -u patsub_replacement 2>/dev/null || true
body_conf=${body//$'\n'/'\n'}
nport=$(free_port)
conf=$(cat bench/nginx.conf.in)
conf=${conf//@WORKERS@/"$NPROC"}
conf=${conf//@DIR@/"$tmp"}
conf=${conf//@PORT@/"$nport"}
conf=${conf//@BODY@/"$body_conf"}
printf '%s\n' "$conf" > "$tmp/nginx.conf"
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2> "$tmp/nginx.err" &
nginx_pid=$!
if ! fetch_body "http://127.0.0.1:$nport/api/v1/version" "$tmp/nginx-body"; then
  cat "$tmp/nginx.err" "$tmp/nginx-error.log" >&2 2>/dev/null; exit 1
fi
cmp -s "$tmp/body" "$tmp/nginx-body" || { echo "bench: nginx does not return the same bytes as civgrid" >&2; exit 1; }

echo "bench: GET /api/v1/version ($(wc -c < "$tmp/body") bytes), wrk -t2 -c$CONNECTIONS -d$DURATION, $NPROC cores"
run_wrk civgrid "http://127.0.0.1:$cport/api/v1/version"
run_wrk nginx "http://127.0.0.1:$nport/api/v1/version"

c_rps=$(rps civgrid); n_rps=$(rps nginx)
c_p99=$(p99_ms civgrid); n_p99=$(p99_ms nginx)
ratio=$(awk -v c="$c_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", (n > 0 ? c / n : 0) }')
version=$("$BIN" version 2>/dev/null | head -n 1 || true)

printf '\n%-10s %14s %10s\n' server 'requests/s' 'p99 ms'
printf '%-10s %14s %10s\n' civgrid "$c_rps" "$c_p99"
printf '%-10s %14s %10s\n' nginx "$n_rps" "$n_p99"
printf 'civgrid/nginx: %s (needs >= %s), civgrid p99 %s ms (needs <= %s)\n' "$ratio" "$MIN_RATIO" "$c_p99" "$MAX_P99_MS"

cat <<EOF

--- markdown for docs/benchmarks.md ---
| server | requests/s | p99 latency |
|---|---:|---:|
| civgrid ($version, --threads $NPROC, SQLite) | $c_rps | $c_p99 ms |
| nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), return 200 | $n_rps | $n_p99 ms |
| **ratio civgrid/nginx** | **$ratio** | |

Run on $(date -u +%Y-%m-%d), $NPROC cores, $(uname -sr); \`wrk -t2 -c$CONNECTIONS -d$DURATION --latency\` on loopback.
--- end ---
EOF

fail=0
awk -v c="$c_rps" -v n="$n_rps" -v m="$MIN_RATIO" 'BEGIN { exit !(c < m * n) }' &&
  { echo "bench: FAIL: civgrid serves $ratio of nginx's requests/s (minimum $MIN_RATIO)"; fail=1; }
awk -v p="$c_p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p > m) }' &&
  { echo "bench: FAIL: civgrid p99 $c_p99 ms is over $MAX_P99_MS ms"; fail=1; }
[ "$fail" -eq 0 ] && echo "bench: ok"
exit "$fail"
