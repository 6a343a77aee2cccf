#!/usr/bin/env bash
# Search benchmark: GET /api/v1/residents?q= on a county of N residents (by
# full ID number, by its last 4 digits, by phone, by name), as a CDC tracer
# (the whole county) and as a grid worker (one grid), with wrk choosing a
# random value for every request; and, in the same run, the anchor: the same
# lookups as plain SQL through the sqlite3 shell.
#
#   bench/search.sh          (by hand; not part of make test)
#
# Every civgrid search checks scope, masks by role and commits an audit record
# (to the read log, lib/readlog.c); the anchor does none of that and runs in the
# database's own process, so the ratio prices the whole request path.
#
# Env: CIVGRID_BIN (default build/civgrid), N (default 1000000), DURATION
#      (default 10s), CONNECTIONS (default 8), MAX_P99_MS (default 10),
#      KEEP (a directory holding a previous `bench/import.sh` run with the same
#      KEEP: its database is reused instead of generating and importing again).
# Prints a markdown block for docs/benchmarks.md; exits 1 when a p99 is over
# MAX_P99_MS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${CIVGRID_BIN:-build/civgrid}
N=${N:-1000000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
MAX_P99_MS=${MAX_P99_MS:-10}
NPROC=$(nproc)
PW=bench-password-1

for tool in wrk node python3 sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run scripts/deps.sh bench" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make build" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-bench-search.XXXXXX")
civgrid_pid=""
cleanup() {
  # Only the server this script started, by its process id.
  if [ -n "$civgrid_pid" ]; then kill -TERM "$civgrid_pid" 2>/dev/null || true; wait "$civgrid_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The data: reuse an import.sh run, or generate and import now.
if [ -n "${KEEP:-}" ] && [ -f "$KEEP/civgrid.db" ] && [ -d "$KEEP/values" ]; then
  echo "bench: reusing $KEEP/civgrid.db"
  cp "$KEEP/civgrid.db" "$tmp/bench.db"
  [ -f "$KEEP/civgrid.db-wal" ] && cp "$KEEP/civgrid.db-wal" "$tmp/bench.db-wal"
  cp -r "$KEEP/values" "$tmp/values"
else
  echo "bench: generating and importing $N residents"
  python3 bench/gen_residents.py "$N" --areas "$tmp/areas.csv" --values "$tmp/values" > "$tmp/residents.csv"
  "$BIN" init --db "$tmp/bench.db" > /dev/null
  "$BIN" import areas "$tmp/areas.csv" --db "$tmp/bench.db" > /dev/null
  "$BIN" import residents "$tmp/residents.csv" --db "$tmp/bench.db"
  rm -f "$tmp/residents.csv"
fi
N=$(sqlite3 "$tmp/bench.db" 'SELECT COUNT(*) FROM residents')

# A grid worker on the first grid, and lookup values from its own residents.
grid=$(sqlite3 "$tmp/bench.db" "SELECT code FROM areas WHERE level = 'grid' ORDER BY code LIMIT 1")
gpath=$(sqlite3 "$tmp/bench.db" "SELECT path FROM areas WHERE code = '$grid'")
county=$(sqlite3 "$tmp/bench.db" "SELECT code FROM areas WHERE level = 'county' ORDER BY code LIMIT 1")
mkdir -p "$tmp/grid"
sqlite3 "$tmp/bench.db" "SELECT id_number FROM residents WHERE substr(area_path, 1, length('$gpath')) = '$gpath' LIMIT 1000" > "$tmp/grid/ids.txt"
sed 's/.*\(....\)$/\1/' "$tmp/grid/ids.txt" > "$tmp/grid/tails.txt"
sqlite3 "$tmp/bench.db" "SELECT phone FROM residents WHERE substr(area_path, 1, length('$gpath')) = '$gpath' LIMIT 1000" > "$tmp/grid/phones.txt"
sqlite3 "$tmp/bench.db" "SELECT name FROM residents WHERE substr(area_path, 1, length('$gpath')) = '$gpath' LIMIT 1000" > "$tmp/grid/names.txt"
for u in "gw:grid_worker:$grid" "cdc:cdc:$county"; do
  IFS=: read -r name role scope <<< "$u"
  printf '%s' "$PW" | "$BIN" user add "$name" --role "$role" --scope "$scope" --password-stdin --db "$tmp/bench.db" > /dev/null
done

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$BIN" serve --db "$tmp/bench.db" --listen "127.0.0.1:$port" --threads "$NPROC" > "$tmp/civgrid.out" 2> "$tmp/civgrid.err" &
civgrid_pid=$!
token() {
  node -e '
    const [url, user, pw] = process.argv.slice(1);
    const deadline = Date.now() + 10000;
    (async () => {
      for (;;) {
        try {
          const r = await fetch(url + "/api/v1/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: user, password: pw }) });
          if (r.status === 200) { console.log((await r.json()).token); return; }
        } catch {}
        if (Date.now() > deadline) { console.error("bench: cannot sign in as " + user); process.exit(1); }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();' "http://127.0.0.1:$port" "$1" "$PW"
}
gw_token=$(token gw) || { tail -n 20 "$tmp/civgrid.err" >&2; exit 1; }
cdc_token=$(token cdc)

cat > "$tmp/search.lua" <<'EOF'
-- One GET /api/v1/residents?q=VALUE per request, VALUE drawn at random from
-- the file VALUES, signed in with TOKEN.
local values = {}
for line in io.lines(os.getenv("VALUES")) do
  if #line > 0 then values[#values + 1] = line end
end
local auth = "Bearer " .. os.getenv("TOKEN")
local function enc(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000)
request = function()
  local v = values[math.random(#values)]
  return wrk.format("GET", "/api/v1/residents?q=" .. enc(v), { ["Authorization"] = auth })
end
EOF

# run_wrk NAME TOKEN VALUES: warms up, measures, leaves wrk's report in $tmp/NAME.wrk.
run_wrk() {
  TOKEN=$2 VALUES=$3 wrk -t2 -c"$CONNECTIONS" -d2s -s "$tmp/search.lua" "http://127.0.0.1:$port" > /dev/null
  TOKEN=$2 VALUES=$3 wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$tmp/search.lua" "http://127.0.0.1:$port" > "$tmp/$1.wrk"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$tmp/$1.wrk"; then
    cat "$tmp/$1.wrk" >&2
    echo "bench: $1 answered with errors; the figures would mean nothing" >&2
    exit 1
  fi
}
rps() { awk '/^Requests\/sec:/ { printf "%.0f\n", $2 }' "$tmp/$1.wrk"; }
p_ms() {
  awk -v q="$2" '$1 == q {
         v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
         if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
         printf "%.2f\n", v }' "$tmp/$1.wrk"
}

# The anchor: the same lookups as plain SQL, one after another in the sqlite3
# shell (1000 of each kind, all values of the CDC set), LIMIT 50 like the API.
anchor_ms() { # KIND VALUES -> mean milliseconds per lookup
  local kind=$1 file=$2
  python3 - "$kind" "$file" > "$tmp/anchor-$kind.sql" <<'EOF'
import sys
kind, path = sys.argv[1], sys.argv[2]
cols = "SELECT r.id, r.id_number, r.name, r.sex, r.birth_date, r.phone, r.household, r.unit, r.room, r.resident_type, r.status, a.code, a.name FROM residents r JOIN areas a ON a.id = r.area_id WHERE "
q = lambda v: "'" + v.replace("'", "''") + "'"
for v in open(path, encoding="utf-8").read().split():
    if kind == "id":
        w = f"r.id_number = {q(v)}"
    elif kind == "tail":
        w = f"r.id_tail = {q(v)}"
    elif kind == "phone":
        w = f"r.phone = {q(v)}"
    else:
        w = f"r.name >= {q(v)} AND r.name < {q(v + chr(0x10FFFF))}"
    print(cols + w + " ORDER BY r.id LIMIT 50;")
EOF
  local n t0 t1
  n=$(wc -l < "$tmp/anchor-$kind.sql")
  sqlite3 "$tmp/bench.db" < "$tmp/anchor-$kind.sql" > /dev/null # warm the page cache
  t0=$(date +%s.%N)
  sqlite3 "$tmp/bench.db" < "$tmp/anchor-$kind.sql" > /dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.3f\n", (b - a) * 1000 / n }'
}

echo "bench: GET /api/v1/residents?q= on $N residents, wrk -t2 -c$CONNECTIONS -d$DURATION, $NPROC cores"
rows=""
fail=0
for kind in id tail phone name; do
  case $kind in id) label="full ID number"; f=ids ;; tail) label="last 4 digits"; f=tails ;; phone) label=phone; f=phones ;; name) label="name (prefix)"; f=names ;; esac
  run_wrk "cdc-$kind" "$cdc_token" "$tmp/values/$f.txt"
  run_wrk "gw-$kind" "$gw_token" "$tmp/grid/$f.txt"
  a=$(anchor_ms "$kind" "$tmp/values/$f.txt")
  for who in cdc gw; do
    p99=$(p_ms "$who-$kind" 99%)
    awk -v p="$p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p > m) }' && { echo "bench: FAIL: $who by $label p99 $p99 ms > $MAX_P99_MS ms"; fail=1; }
  done
  printf '%-16s cdc %7s req/s p50 %6s p99 %6s ms | grid worker %7s req/s p50 %6s p99 %6s ms | sqlite3 %s ms/lookup\n' \
    "$label" "$(rps "cdc-$kind")" "$(p_ms "cdc-$kind" 50%)" "$(p_ms "cdc-$kind" 99%)" \
    "$(rps "gw-$kind")" "$(p_ms "gw-$kind" 50%)" "$(p_ms "gw-$kind" 99%)" "$a"
  rows+="| $label | $(rps "cdc-$kind") | $(p_ms "cdc-$kind" 50%) | $(p_ms "cdc-$kind" 99%) | $(rps "gw-$kind") | $(p_ms "gw-$kind" 50%) | $(p_ms "gw-$kind" 99%) | $a |"$'\n'
done
version=$("$BIN" version 2>/dev/null | head -n 1 || true)

cat <<EOF

--- markdown for docs/benchmarks.md ---
| search among $N residents | CDC tracer (county) req/s | p50 ms | p99 ms | grid worker (one grid) req/s | p50 ms | p99 ms | anchor: sqlite3 shell, ms per lookup |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows%$'\n'}

$version, \`serve --threads $NPROC\`, SQLite; \`wrk -t2 -c$CONNECTIONS -d$DURATION --latency\` on loopback, a random
value per request (audited, scoped, masked). Anchor: the same lookups (LIMIT 50) as plain SQL, one after another in
one sqlite3 $(sqlite3 --version | cut -d' ' -f1) process on the same database. Run on $(date -u +%Y-%m-%d), $NPROC cores, $(uname -sr).
--- end ---
EOF
[ "$fail" -eq 0 ] && echo "bench: ok"
exit "$fail"
