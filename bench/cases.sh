#!/usr/bin/env bash
# Cases benchmark (issue 10, "Speed") at 1,000,000 cases in one county and
# one year (bench/gen_cases.sh), each figure beside its anchor measured in the
# same run:
#   1. filing a case through the API (POST /api/v1/cases as a grid worker),
#      p99 at 32 concurrent clients (target <= 20 ms); anchor: nginx's static
#      reply at the same concurrency (as bench/http.sh);
#   2. the centre's figures for the county and one year
#      (GET /api/v1/case-figures?by=domain), one client (target <= 50 ms);
#      anchor: the straightforward GROUP BY over the same tables in the
#      sqlite3 shell (target: civgrid >= 10x faster);
#   3. an export of 10,000 and 100,000 cases as CSV and xlsx
#      (GET /api/v1/cases/export): seconds and the server's peak RSS
#      (a fresh server each: its peak RssAnon sampled during the export, and
#      VmHWM, which also counts the mapped database pages; target <= 10 s and
#      memory that does not grow with the rows), beside a fresh server after
#      one small request.
#
#   bench/cases.sh     (by hand; KEEP=DIR reuses DIR/cases.db from a previous run)
#
# Env: CIVGRID_BIN, N (default 1000000), DURATION (default 10s), KEEP.
# Prints a markdown block for docs/benchmarks.md; writes nothing itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=$(realpath "${CIVGRID_BIN:-build/civgrid}")
N=${N:-1000000}
DURATION=${DURATION:-10s}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk node sqlite3 curl "$NGINX"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run scripts/deps.sh bench" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-bench-cases.XXXXXX")
dir=${KEEP:-$tmp}
srv_pid="" nginx_pid=""
stop_server() {
  if [ -n "$srv_pid" ]; then kill -TERM "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
  srv_pid=""
}
cleanup() {
  # Only the servers this script started, by their process ids.
  stop_server
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

if [ ! -f "$dir/cases.db" ]; then
  echo "bench: generating $N cases into $dir (a few minutes)"
  N=$N CIVGRID_BIN=$BIN bash bench/gen_cases.sh "$dir"
fi
db=$dir/cases.db
password=$(sed -n 's/.*password for all: \([^)]*\)).*/\1/p' "$dir/demo.log" | head -1)
ncases=$(sqlite3 "$db" "SELECT COUNT(*) FROM cases")

start_server() { # THREADS
  port=$(free_port)
  "$BIN" serve --db "$db" --listen "127.0.0.1:$port" --threads "$1" > "$tmp/serve.out" 2> "$tmp/serve.err" &
  srv_pid=$!
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.05; done
  cat "$tmp/serve.err" >&2; exit 1
}
login() { # USER -> token
  curl -fs -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$password\"}" \
    "http://127.0.0.1:$port/api/v1/session" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))'
}
ms() { # wrk report, percentile (50%, 99%) -> ms
  awk -v p="$2" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' "$1"
}
rps() { awk '/^Requests\/sec:/ { printf "%d", $2 }' "$1"; }
check_wrk() {
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$1"; then cat "$1" >&2; echo "bench: errors in $1" >&2; exit 1; fi
}

today=$(TZ=Asia/Shanghai date +%F)
from=$(TZ=Asia/Shanghai date -d "$today - 364 days" +%F)

# ---- 2. figures (first: the filing run adds cases) ----
start_server 2
centre=$(login centre_yanggao)
fig_url="http://127.0.0.1:$port/api/v1/case-figures?area_code=140221&from=$from&to=$today&by=domain"
filed=$(curl -fs -H "authorization: Bearer $centre" "$fig_url" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).total.filed))')
wrk -t1 -c1 -d2s -H "authorization: Bearer $centre" "$fig_url" >/dev/null
wrk -t1 -c1 -d"$DURATION" --latency -H "authorization: Bearer $centre" "$fig_url" > "$tmp/fig.wrk"
check_wrk "$tmp/fig.wrk"
stop_server

lo=$(TZ=Asia/Shanghai date -d "$from" +%s); hi=$(( $(TZ=Asia/Shanghai date -d "$today" +%s) + 86400 ))
now=$(date +%s)
scope="c.area_path >= (SELECT path FROM areas WHERE code = '140221') AND c.area_path < (SELECT path FROM areas WHERE code = '140221') || '~' AND c.created_at >= $lo AND c.created_at < $hi"
counts_sql="SELECT c.domain, COUNT(*), SUM(c.state = 'closed'),
  SUM(c.state = 'closed' AND (c.finish_due IS NULL OR c.closed_at <= c.finish_due)),
  SUM(c.state <> 'closed' AND c.finish_due < $now) FROM cases c WHERE $scope GROUP BY c.domain;"
full_sql="SELECT c.domain, COUNT(*), SUM(c.state = 'closed'),
  SUM(c.state = 'closed' AND (c.finish_due IS NULL OR c.closed_at <= c.finish_due)),
  SUM(c.state <> 'closed' AND c.finish_due < $now), SUM(d.sr), SUM(d.nr), SUM(d.sh), SUM(d.nh), SUM(d.sd), SUM(d.nd)
  FROM cases c LEFT JOIN (SELECT case_id,
    SUM(CASE WHEN from_state = 'reported' THEN at - prev ELSE 0 END) AS sr, MAX(from_state = 'reported') AS nr,
    SUM(CASE WHEN from_state = 'handling' THEN at - prev ELSE 0 END) AS sh, MAX(from_state = 'handling') AS nh,
    SUM(CASE WHEN from_state = 'done' THEN at - prev ELSE 0 END) AS sd, MAX(from_state = 'done') AS nd
    FROM (SELECT case_id, from_state, at, LAG(at) OVER (PARTITION BY case_id ORDER BY id) AS prev FROM case_events)
    GROUP BY case_id) d ON d.case_id = c.id WHERE $scope GROUP BY c.domain;"
shell_ms() { # SQL -> best of 3 runs, ms of real time as the shell's .timer reports
  for _ in 1 2 3; do
    printf '.timer on\n%s\n' "$1" | sqlite3 "$db" | awk '/^Run Time:/ { printf "%.1f\n", $4 * 1000 }'
  done | sort -n | head -1
}
counts_ms=$(shell_ms "$counts_sql")
full_ms=$(shell_ms "$full_sql")

# ---- 1. filing ----
start_server 32
worker=$(login grid_worker)
cat > "$tmp/file.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $worker"
wrk.body = '{"type":"event","category":"sanitation.garbage","title":"路口垃圾堆放","description":"bench"}'
LUA
curl -fs -o "$tmp/filed.json" -H "authorization: Bearer $worker" -H 'content-type: application/json' \
  -d '{"type":"event","category":"sanitation.garbage","title":"路口垃圾堆放"}' "http://127.0.0.1:$port/api/v1/cases"
wrk -t2 -c32 -d2s -s "$tmp/file.lua" "http://127.0.0.1:$port/api/v1/cases" >/dev/null
wrk -t2 -c32 -d"$DURATION" --latency -s "$tmp/file.lua" "http://127.0.0.1:$port/api/v1/cases" > "$tmp/file.wrk"
check_wrk "$tmp/file.wrk"
stop_server

nport=$(free_port)
conf=$(cat bench/nginx.conf.in)
conf=${conf//@WORKERS@/"$(nproc)"}; conf=${conf//@DIR@/"$tmp"}; conf=${conf//@PORT@/"$nport"}
conf=${conf//@BODY@/'{"id":1000001,"state":"reported"}'}
printf '%s\n' "$conf" > "$tmp/nginx.conf"
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2> "$tmp/nginx.err" &
nginx_pid=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$nport/" && break; sleep 0.05; done
wrk -t2 -c32 -d2s -s "$tmp/file.lua" "http://127.0.0.1:$nport/api/v1/cases" >/dev/null
wrk -t2 -c32 -d"$DURATION" --latency -s "$tmp/file.lua" "http://127.0.0.1:$nport/api/v1/cases" > "$tmp/nginx.wrk"
check_wrk "$tmp/nginx.wrk"
kill -QUIT "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""

# ---- 3. exports ----
hwm() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$srv_pid/status"; }
start_server 2
base_rss=$(curl -fs -o /dev/null "http://127.0.0.1:$port/api/v1/version"; printf 'RssAnon %s MB, VmHWM %s MB' "$(awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$srv_pid/status")" "$(hwm)")
stop_server
export_rows=() export_secs=() export_rss=() export_bytes=()
for rows in 10000 100000; do
  # The period that holds exactly $rows of the county's cases, oldest first.
  upto=$(sqlite3 "$db" "SELECT created_at + 1 FROM cases c WHERE $scope ORDER BY created_at, id LIMIT 1 OFFSET $((rows - 1))")
  first=$(sqlite3 "$db" "SELECT MIN(created_at) FROM cases c WHERE $scope")
  for format in csv xlsx; do
    start_server 2
    token=$(login centre_yanggao)
    curl -fs -o "$tmp/export.$format" -D "$tmp/export.h" -w '%{time_total}' -H "authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/v1/cases/export?format=$format&area_code=140221&created_from=$first&created_to=$upto" \
      > "$tmp/export.t" &
    curl_pid=$!
    # The server's own memory (heap, stacks: RssAnon), sampled while it
    # exports; VmHWM also counts the database's pages it has mapped.
    anon=0
    while kill -0 "$curl_pid" 2>/dev/null; do
      a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$srv_pid/status"); [ "$a" -gt "$anon" ] && anon=$a
      sleep 0.02
    done
    wait "$curl_pid"
    t=$(cat "$tmp/export.t")
    got=$(awk 'tolower($1) == "x-export-rows:" { print $2 + 0 }' "$tmp/export.h")
    export_rows+=("$format $got") export_secs+=("$t") export_bytes+=("$(stat -c %s "$tmp/export.$format")")
    export_rss+=("peak RssAnon $(awk -v k="$anon" 'BEGIN { printf "%.1f", k / 1024 }') MB, VmHWM $(hwm) MB")
    stop_server
  done
done

version=$("$BIN" version | head -1)
f_p50=$(ms "$tmp/fig.wrk" 50%); f_p99=$(ms "$tmp/fig.wrk" 99%); f_rps=$(rps "$tmp/fig.wrk")
c_p50=$(ms "$tmp/file.wrk" 50%); c_p99=$(ms "$tmp/file.wrk" 99%); c_rps=$(rps "$tmp/file.wrk")
n_p50=$(ms "$tmp/nginx.wrk" 50%); n_p99=$(ms "$tmp/nginx.wrk" 99%); n_rps=$(rps "$tmp/nginx.wrk")
x_counts=$(awk -v a="$counts_ms" -v b="$f_p50" 'BEGIN { printf "%.0f", a / b }')
x_full=$(awk -v a="$full_ms" -v b="$f_p50" 'BEGIN { printf "%.0f", a / b }')
cat <<EOF2

--- markdown for docs/benchmarks.md ---
$ncases cases in the database ($filed in 阳高县 in the year $from .. $today); $version, SQLite.

| what | civgrid | anchor (same run) |
|---|---|---|
| filing a case, \`POST /api/v1/cases\`, c=32, \`serve --threads 32\` | $c_rps req/s, p50 $c_p50 ms, **p99 $c_p99 ms** | nginx static reply, c=32: $n_rps req/s, p50 $n_p50 ms, p99 $n_p99 ms |
| the centre's figures, county × year, \`by=domain\`, c=1 | p50 **$f_p50 ms**, p99 **$f_p99 ms** ($f_rps req/s) | sqlite3 shell, straightforward GROUP BY: $full_ms ms with time in each state (**${x_full}×** civgrid's p50), $counts_ms ms for the counts alone (**${x_counts}×**) |
EOF2
for i in 0 1 2 3; do
  echo "| export ${export_rows[$i]} rows | ${export_secs[$i]} s, ${export_bytes[$i]} bytes, server ${export_rss[$i]} | a fresh server after one small request: $base_rss |"
done
echo
echo "Run on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "--- end ---"
