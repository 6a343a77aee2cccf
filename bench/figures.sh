#!/usr/bin/env bash
# Figures benchmark: GET /api/v1/areas/{code}/figures (the home page) and
# GET /api/v1/areas/{code}/card (the area card) for a city of N residents (two
# counties under the root city, bench/gen_residents.py --counties 2) at city, county, town and grid
# level, signed in as the city's centre (ledgers counted); and, in the same
# run, the anchor: the straightforward GROUP BY over the same tables (what the
# home page ran before the figure counts) in the sqlite3 shell.
#
#   bench/figures.sh          (by hand; not part of make test)
#
# civgrid reads the subtree's rows of figure_counts (lib/counts.c); the anchor
# counts the residents and their ledger entries of the subtree, grouped by
# area, as one process reading the same file. The ratio is civgrid's median
# request time (HTTP, JSON, scope check, the week's changes included) over the
# anchor's time for its two queries.
#
# Env: CIVGRID_BIN (default build/civgrid), N (default 1000000), REPEAT
#      (default 20 requests per figure), MAX_CITY_MS (default 100: the city's
#      median figures time), KEEP (a directory: keep or reuse the database).
# Prints a markdown block for docs/benchmarks.md; exits 1 when the city's
# figures take more than MAX_CITY_MS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${CIVGRID_BIN:-build/civgrid}
N=${N:-1000000}
REPEAT=${REPEAT:-20}
MAX_CITY_MS=${MAX_CITY_MS:-100}
PW=bench-password-1

for tool in node python3 sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run scripts/deps.sh bench" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make build" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-bench-figures.XXXXXX")
civgrid_pid=""
cleanup() {
  # Only the server this script started, by its process id.
  if [ -n "$civgrid_pid" ]; then kill -TERM "$civgrid_pid" 2>/dev/null || true; wait "$civgrid_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=${KEEP:-$tmp}/figures.db
import_s="(reused)"
rebuild_s="(reused)"
if [ -n "${KEEP:-}" ] && [ -f "$db" ]; then
  echo "bench: reusing $db"
else
  mkdir -p "$(dirname "$db")"
  echo "bench: generating and importing $N residents (two counties of the root city)"
  python3 bench/gen_residents.py "$N" --counties 2 --areas "$tmp/areas.csv" > "$tmp/residents.csv"
  "$BIN" init --db "$db" > /dev/null
  "$BIN" import areas "$tmp/areas.csv" --db "$db" > /dev/null
  t0=$(date +%s.%N)
  "$BIN" import residents "$tmp/residents.csv" --db "$db" > /dev/null
  t1=$(date +%s.%N)
  import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  rm -f "$tmp/residents.csv"
  printf '%s' "$PW" | "$BIN" user add bench-centre --role centre --scope 000000 --password-stdin --db "$db" > /dev/null
  t0=$(date +%s.%N)
  "$BIN" figures rebuild --db "$db" > /dev/null
  t1=$(date +%s.%N)
  rebuild_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
fi
N=$(sqlite3 "$db" "SELECT COUNT(*) FROM residents WHERE status = 'active'")
city=000000 county=C01 town=C01T00 grid=C01T00M00G0

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$BIN" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 > "$tmp/civgrid.out" 2> "$tmp/civgrid.err" &
civgrid_pid=$!

# civgrid: REPEAT sequential requests of each kind after two to warm up; the
# median and the slowest, in milliseconds. Also checks that the figures agree
# with the anchor's count.
node --input-type=module - "http://127.0.0.1:$port" "$PW" "$REPEAT" "$city $county $town $grid" > "$tmp/civgrid.txt" <<'EOF2'
const [base, pw, repeat, codes] = process.argv.slice(2);
const deadline = Date.now() + 20000;
let token;
for (;;) {
  try {
    const r = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench-centre', password: pw }) });
    if (r.status === 200) { token = (await r.json()).token; break; }
  } catch {}
  if (Date.now() > deadline) { console.error('bench: cannot sign in'); process.exit(1); }
  await new Promise((r) => setTimeout(r, 200));
}
const headers = { authorization: 'Bearer ' + token };
for (const code of codes.split(' ')) {
  const out = [code];
  for (const what of ['figures', 'card']) {
    const url = `${base}/api/v1/areas/${code}/${what}`;
    const times = [];
    let body;
    for (let i = 0; i < Number(repeat) + 2; i++) {
      const t0 = performance.now();
      const r = await fetch(url, { headers });
      body = await r.json();
      if (r.status !== 200) { console.error(`bench: ${url}: ${r.status} ${JSON.stringify(body)}`); process.exit(1); }
      if (i >= 2) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push(times[times.length >> 1].toFixed(2), times[times.length - 1].toFixed(2));
    if (what === 'figures') out.push(body.population);
  }
  console.log(out.join(' '));
}
EOF2

# The anchor: the home page's counts as plain SQL over the residents and their
# ledger entries of the subtree, grouped by area (so that child areas can be
# compared), in one sqlite3 process: K runs, after K to warm the cache.
anchor_ms() { # PATH K -> mean milliseconds per run, and the population
  local p=$1 k=$2 today
  today=$(date -u -d '+8 hours' +%Y-%m-%d)
  local pop
  pop=$(sqlite3 "$db" "SELECT SUM(n) FROM (SELECT area_path, status, COUNT(*) AS n FROM residents WHERE area_path >= '$p' AND area_path < '$p~' GROUP BY area_path, status) WHERE status = 'active';")
  {
    for _ in $(seq "$k"); do
      echo "SELECT area_path, status, COUNT(*), SUM(resident_type = 'floating'), SUM(created_at >= strftime('%s','now') - 604800) FROM residents WHERE area_path >= '$p' AND area_path < '$p~' GROUP BY area_path, status;"
      echo "SELECT r.area_path, e.ledger_id, COUNT(*) FROM residents r JOIN ledger_entries e ON e.resident_id = r.id WHERE r.area_path >= '$p' AND r.area_path < '$p~' AND r.status = 'active' AND (e.end_date IS NULL OR e.end_date >= '$today') GROUP BY r.area_path, e.ledger_id;"
    done
  } > "$tmp/anchor.sql"
  local t0 t1
  sqlite3 "$db" < "$tmp/anchor.sql" > /dev/null # warm the page cache
  t0=$(date +%s.%N)
  sqlite3 "$db" < "$tmp/anchor.sql" > /dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$k" -v pop="$pop" 'BEGIN { printf "%.2f %s\n", (b - a) * 1000 / n, pop }'
}

echo "bench: figures and cards among $N active residents, $REPEAT requests each"
rows=""
fail=0
while read -r code fig_med fig_max pop card_med card_max; do
  p=$(sqlite3 "$db" "SELECT path FROM areas WHERE code = '$code'")
  level=$(sqlite3 "$db" "SELECT level FROM areas WHERE code = '$code'")
  case $level in city|county) k=3 ;; town) k=10 ;; *) k=100 ;; esac
  read -r a apop < <(anchor_ms "$p" "$k")
  [ "$pop" = "$apop" ] || { echo "bench: FAIL: $code population $pop, the anchor counts $apop"; fail=1; }
  ratio=$(awk -v c="$fig_med" -v a="$a" 'BEGIN { printf "%.4f", c / a }')
  if [ "$level" = city ]; then
    awk -v m="$fig_med" -v t="$MAX_CITY_MS" 'BEGIN { exit !(m > t) }' && { echo "bench: FAIL: city figures $fig_med ms > $MAX_CITY_MS ms"; fail=1; }
  fi
  printf '%-7s %-12s %8s residents  figures p50 %7s max %7s ms  card p50 %7s max %7s ms  anchor %9s ms  ratio %s\n' \
    "$level" "$code" "$pop" "$fig_med" "$fig_max" "$card_med" "$card_max" "$a" "$ratio"
  rows+="| $level ($code) | $pop | $fig_med | $fig_max | $card_med | $card_max | $a | $ratio |"$'\n'
done < "$tmp/civgrid.txt"
version=$("$BIN" version 2>/dev/null | head -n 1 || true)

cat <<EOF

--- markdown for docs/benchmarks.md ---
| figures of | active residents | figures p50 ms | max ms | card p50 ms | max ms | anchor: GROUP BY in sqlite3, ms | ratio (figures p50 / anchor) |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows%$'\n'}

$version, \`serve --threads 2\`, SQLite; $REPEAT sequential requests of each after two to warm up, on loopback, signed
in as the city's centre (ledgers counted). Import of the $N residents: $import_s s; \`civgrid figures rebuild\`: $rebuild_s s.
Anchor: the residents and current ledger entries of the subtree grouped by area as plain SQL, in one sqlite3
$(sqlite3 --version | cut -d' ' -f1) process on the same database. Run on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr).
--- end ---
EOF
[ "$fail" -eq 0 ] && echo "bench: ok"
exit "$fail"
