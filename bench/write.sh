#!/usr/bin/env bash
# Write benchmark: durable single-row writes per second through HTTP, each
# through the group-commit writer (lib/store/writer.c), at 32 connections;
# beside it nginx's static reply of the same bytes, in the same run; and the
# p99 of searches while that write stream runs, against their p99 alone.
#
#   bench/write.sh          (by hand; not part of make test)
#
# The write: until the modules whose requests write in floods (check-ins,
# roster ticks) exist, it is an audited read of personal data. Every answered
# GET /api/v1/residents/{id} (a resident's profile, as a CDC tracer) is one
# audit row committed durably through the writer (to the read log beside the
# database, synchronous=FULL: serve --read-audit-fsync, so that each is
# durable across a power loss like the floods to come) before the answer leaves. The script counts
# those rows in the audit table after the server stops and checks that every
# answered request has its row.
#
# Threads: an HTTP worker waits for its batch's fsync without using the CPU,
# and a batch holds at most one request per waiting worker, so the server
# runs with --threads 32 (THREADS), not one per core: with 2 workers every
# fsync would carry 2 writes.
#
# Env: CIVGRID_BIN (default build/civgrid), N residents (default 20000),
#      DURATION (default 10s), CONNECTIONS (writes, default 32),
#      SEARCH_CONNECTIONS (default 8), THREADS (default 32).
# Prints a markdown block for docs/benchmarks.md; writes nothing itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${CIVGRID_BIN:-build/civgrid}
N=${N:-20000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
SEARCH_CONNECTIONS=${SEARCH_CONNECTIONS:-8}
NPROC=$(nproc)
THREADS=${THREADS:-32}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PW=bench-password-1

for tool in wrk node python3 sqlite3 "$NGINX"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run scripts/deps.sh bench" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make build" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-bench-write.XXXXXX")
civgrid_pid=""
nginx_pid=""
stop_civgrid() {
  # Only the server this script started, by its process id.
  if [ -n "$civgrid_pid" ]; then kill -TERM "$civgrid_pid" 2>/dev/null || true; wait "$civgrid_pid" 2>/dev/null || true; fi
  civgrid_pid=""
}
cleanup() {
  stop_civgrid
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# The data: a county of N residents, a CDC tracer for it.
echo "bench: generating and importing $N residents"
python3 bench/gen_residents.py "$N" --areas "$tmp/areas.csv" --values "$tmp/values" > "$tmp/residents.csv"
"$BIN" init --db "$tmp/bench.db" > /dev/null
"$BIN" import areas "$tmp/areas.csv" --db "$tmp/bench.db" > /dev/null
"$BIN" import residents "$tmp/residents.csv" --db "$tmp/bench.db" > /dev/null
rm -f "$tmp/residents.csv"
county=$(sqlite3 "$tmp/bench.db" "SELECT code FROM areas WHERE level = 'county' ORDER BY code LIMIT 1")
printf '%s' "$PW" | "$BIN" user add cdc --role cdc --scope "$county" --password-stdin --db "$tmp/bench.db" > /dev/null
sqlite3 "$tmp/bench.db" "SELECT id FROM residents ORDER BY random() LIMIT 5000" > "$tmp/ids.txt"

cport=$(free_port)
"$BIN" serve --db "$tmp/bench.db" --listen "127.0.0.1:$cport" --threads "$THREADS" --read-audit-fsync > "$tmp/civgrid.out" 2> "$tmp/civgrid.err" &
civgrid_pid=$!
token=$(node -e '
  const [url, pw] = process.argv.slice(1);
  const deadline = Date.now() + 10000;
  (async () => {
    for (;;) {
      try {
        const r = await fetch(url + "/api/v1/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "cdc", password: pw }) });
        if (r.status === 200) { console.log((await r.json()).token); return; }
      } catch {}
      if (Date.now() > deadline) { console.error("bench: cannot sign in"); process.exit(1); }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();' "http://127.0.0.1:$cport" "$PW") || { tail -n 20 "$tmp/civgrid.err" >&2; exit 1; }

# One profile's bytes, for nginx to return.
first=$(head -n 1 "$tmp/ids.txt")
node -e '
  const [url, token, file] = process.argv.slice(1);
  (async () => {
    const r = await fetch(url, { headers: { authorization: "Bearer " + token } });
    const b = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200) { console.error("bench: profile answered " + r.status + ": " + b); process.exit(1); }
    require("fs").writeFileSync(file, b);
  })();' "http://127.0.0.1:$cport/api/v1/residents/$first" "$token" "$tmp/body"
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
  })();' "http://127.0.0.1:$nport/" "$tmp/nginx-body" || { cat "$tmp/nginx.err" >&2; exit 1; }
cmp -s "$tmp/body" "$tmp/nginx-body" || { echo "bench: nginx does not return the profile's bytes" >&2; cat "$tmp/nginx.err" >&2; exit 1; }

cat > "$tmp/profile.lua" <<'EOF'
-- One GET /api/v1/residents/ID per request, ID drawn at random from IDS.
local ids = {}
for line in io.lines(os.getenv("IDS")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local auth = "Bearer " .. os.getenv("TOKEN")
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000)
request = function()
  return wrk.format("GET", "/api/v1/residents/" .. ids[math.random(#ids)], { ["Authorization"] = auth })
end
EOF
cat > "$tmp/search.lua" <<'EOF'
-- One GET /api/v1/residents?q=PHONE per request, drawn at random from VALUES.
local values = {}
for line in io.lines(os.getenv("VALUES")) do
  if #line > 0 then values[#values + 1] = line end
end
local auth = "Bearer " .. os.getenv("TOKEN")
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000)
request = function()
  return wrk.format("GET", "/api/v1/residents?q=" .. values[math.random(#values)], { ["Authorization"] = auth })
end
EOF

# wrk_run NAME CONNECTIONS SCRIPT URL: measures (after a warm-up unless
# NOWARM is set) and leaves the report in $tmp/NAME.wrk.
wrk_run() {
  local args=(-t2 -c"$2")
  [ -n "$3" ] && args+=(-s "$3")
  [ -n "${NOWARM:-}" ] || wrk "${args[@]}" -d2s "$4" > /dev/null
  wrk "${args[@]}" -d"$DURATION" --latency "$4" > "$tmp/$1.wrk"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$tmp/$1.wrk"; then
    cat "$tmp/$1.wrk" >&2
    echo "bench: $1 answered with errors; the figures would mean nothing" >&2
    exit 1
  fi
}
rps() { awk '/^Requests\/sec:/ { printf "%.0f\n", $2 }' "$tmp/$1.wrk"; }
total() { awk '/requests in/ { print $1 }' "$tmp/$1.wrk"; }
p_ms() {
  awk -v q="$2" '$1 == q {
         v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
         if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
         printf "%.2f\n", v }' "$tmp/$1.wrk"
}

civgrid_url="http://127.0.0.1:$cport"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# writer_counts NAME: the writer's totals from /metrics into $tmp/NAME.metrics.
writer_counts() {
  node -e '
    fetch(process.argv[1]).then((r) => r.text()).then((t) => {
      const v = (n) => Number((new RegExp("^" + n + " (\\S+)$", "m").exec(t) || [0, 0])[1]);
      console.log(v("civgrid_writer_jobs_total"), v("civgrid_writer_batches_total"), v("civgrid_writer_batch_seconds_total"));
    });' "$civgrid_url/metrics" > "$tmp/$1.metrics"
}
# per_batch BEFORE AFTER: "jobs per batch, mean batch ms" between two scrapes.
per_batch() {
  read -r j0 b0 s0 < "$tmp/$1.metrics"; read -r j1 b1 s1 < "$tmp/$2.metrics"
  awk -v j="$((j1 - j0))" -v b="$((b1 - b0))" -v s0="$s0" -v s1="$s1" \
    'BEGIN { if (b > 0) printf "%.1f %.2f\n", j / b, (s1 - s0) * 1000 / b; else print "0 0" }'
}
export TOKEN=$token IDS=$tmp/ids.txt VALUES=$tmp/values/phones.txt
echo "bench: $N residents, wrk -t2 -c$CONNECTIONS (writes) and -c$SEARCH_CONNECTIONS (searches) -d$DURATION, $NPROC cores"
wrk "-t2" -c"$CONNECTIONS" -s "$tmp/profile.lua" -d2s "$civgrid_url" > /dev/null # warm-up
writer_counts w0
NOWARM=1 wrk_run writes "$CONNECTIONS" "$tmp/profile.lua" "$civgrid_url"
writer_counts w1
read -r jobs_per_batch batch_ms <<< "$(per_batch w0 w1)"
wrk_run nginx "$CONNECTIONS" "" "http://127.0.0.1:$nport/"
wrk_run search-alone "$SEARCH_CONNECTIONS" "$tmp/search.lua" "$civgrid_url"
# Both at once, started together: the searches' p99 under the write stream.
NOWARM=1 wrk_run writes-during "$CONNECTIONS" "$tmp/profile.lua" "$civgrid_url" &
writes_job=$!
NOWARM=1 wrk_run search-during "$SEARCH_CONNECTIONS" "$tmp/search.lua" "$civgrid_url"
wait "$writes_job"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Every answered profile read has its durable row: count them once the server
# has stopped (a clean stop moves the read log into the audit table).
stop_civgrid
rows=$(sqlite3 "$tmp/bench.db" "SELECT COUNT(*) FROM audit WHERE action LIKE 'resident.read%'")
answered=$(( $(total writes) + $(total writes-during) + 1 ))
[ "$rows" -ge "$answered" ] || { echo "bench: FAIL: $answered profile reads answered in the measured runs, only $rows audit rows" >&2; exit 1; }

w_rps=$(rps writes); n_rps=$(rps nginx)
ratio=$(awk -v c="$w_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", (n > 0 ? c / n : 0) }')
version=$("$BIN" version 2>/dev/null | head -n 1 || true)
printf '\n%-44s %10s %8s %8s\n' '' 'req/s' 'p50 ms' 'p99 ms'
printf '%-44s %10s %8s %8s\n' "civgrid durable writes (audited profile reads)" "$w_rps" "$(p_ms writes 50%)" "$(p_ms writes 99%)"
printf '%-44s %10s %8s %8s\n' "nginx, same bytes from memory" "$n_rps" "$(p_ms nginx 50%)" "$(p_ms nginx 99%)"
printf '%-44s %10s %8s %8s\n' "searches alone" "$(rps search-alone)" "$(p_ms search-alone 50%)" "$(p_ms search-alone 99%)"
printf '%-44s %10s %8s %8s\n' "searches while writes stream" "$(rps search-during)" "$(p_ms search-during 50%)" "$(p_ms search-during 99%)"
printf '%-44s %10s %8s %8s\n' "  the writes meanwhile" "$(rps writes-during)" "$(p_ms writes-during 50%)" "$(p_ms writes-during 99%)"
echo "audit rows of profile reads: $rows (answered in the measured runs: $answered, plus warm-ups)"
echo "group commit during the write run: $jobs_per_batch rows per batch (one fsync each), $batch_ms ms per batch"

cat <<EOF

--- markdown for docs/benchmarks.md ---
| $N residents, \`serve --threads $THREADS\`, SQLite | requests/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| durable single-row writes: GET of a profile, one audit row each through the writer (c=$CONNECTIONS) | $w_rps | $(p_ms writes 50%) | $(p_ms writes 99%) |
| anchor: nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), the same bytes from memory (c=$CONNECTIONS) | $n_rps | $(p_ms nginx 50%) | $(p_ms nginx 99%) |
| **ratio writes/nginx** | **$ratio** | | |
| searches by phone alone (c=$SEARCH_CONNECTIONS) | $(rps search-alone) | $(p_ms search-alone 50%) | $(p_ms search-alone 99%) |
| searches by phone while the writes stream (c=$SEARCH_CONNECTIONS + $CONNECTIONS) | $(rps search-during) | $(p_ms search-during 50%) | $(p_ms search-during 99%) |
| the writes meanwhile | $(rps writes-during) | $(p_ms writes-during 50%) | $(p_ms writes-during 99%) |

$version; \`wrk -t2 --latency -d$DURATION\` on loopback, a random resident or phone per request; every
answered request's audit row checked in the table afterwards ($rows rows). Group commit during the write
run: $jobs_per_batch rows per batch (one transaction and one WAL fsync each), $batch_ms ms per batch. Run on $(date -u +%Y-%m-%d),
$NPROC cores, $(uname -sr); load average $load_before before the runs, $load_after after.
--- end ---
EOF
echo "bench: ok"
