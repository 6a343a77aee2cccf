#!/usr/bin/env bash
# Import benchmark: `civgrid import residents` of N generated residents (valid
# ID numbers, phones and areas; bench/gen_residents.py) into a fresh SQLite
# database, against the sqlite3 shell on the very same file, in one run.
#
#   bench/import.sh          (by hand; not part of make test)
#
# Anchors:
#   bare    sqlite3 `.import --csv` into a bare table with the file's columns:
#           CSV parsing and row inserts, no checks, no indexes (the target is
#           measured against this one).
#   schema  the fastest plain SQL into civgrid's own schema: `.import` into a
#           temp table, then in one transaction the residents' indexes dropped,
#           one INSERT INTO residents ... SELECT joining areas, the indexes
#           built again: the same table and indexes, no checks, no history, no
#           ledgers. What SQLite itself needs for this schema (its floor).
# civgrid also re-imports the same file (every row unchanged), which measures
# checking and comparing without writing.
#
# Env: CIVGRID_BIN (default build/civgrid), N (default 1000000),
#      MIN_RATIO (default 0.40, civgrid's rows/s over the bare anchor's),
#      KEEP (a directory: keep the database and CSV files there).
# Prints a markdown block for docs/benchmarks.md; exits 1 below MIN_RATIO.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${CIVGRID_BIN:-build/civgrid}
N=${N:-1000000}
MIN_RATIO=${MIN_RATIO:-0.40}

for tool in python3 sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN not found; run make build" >&2; exit 1; }

if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  tmp=$(cd "$KEEP" && pwd)
else
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-bench-import.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "bench: generating $N residents"
python3 bench/gen_residents.py "$N" --areas "$tmp/areas.csv" --values "$tmp/values" > "$tmp/residents.csv"
size_mb=$(awk -v b="$(stat -c %s "$tmp/residents.csv")" 'BEGIN { printf "%.0f", b / 1048576 }')

# civgrid: a fresh database, the areas, then the residents (timed), then the
# same file again (timed).
rm -f "$tmp/civgrid.db" "$tmp/civgrid.db-wal" "$tmp/civgrid.db-shm"
"$BIN" init --db "$tmp/civgrid.db" > "$tmp/init.log"
"$BIN" import areas "$tmp/areas.csv" --db "$tmp/civgrid.db" > "$tmp/areas.log"
echo "bench: civgrid import residents ($size_mb MB)"
t0=$(now)
"$BIN" import residents "$tmp/residents.csv" --db "$tmp/civgrid.db" > "$tmp/import.log"
t1=$(now)
grep -q "$N rows, $N written, 0 unchanged, 0 invalid" "$tmp/import.log" || { cat "$tmp/import.log" >&2; exit 1; }
echo "bench: civgrid import residents again (all unchanged)"
t2=$(now)
"$BIN" import residents "$tmp/residents.csv" --db "$tmp/civgrid.db" > "$tmp/reimport.log"
t3=$(now)
grep -q "$N rows, 0 written, $N unchanged, 0 invalid" "$tmp/reimport.log" || { cat "$tmp/reimport.log" >&2; exit 1; }
c_s=$(secs "$t0" "$t1"); r_s=$(secs "$t2" "$t3")

# Anchor 1: the bare table.
rm -f "$tmp/bare.db"
echo "bench: sqlite3 .import into a bare table"
t0=$(now)
sqlite3 "$tmp/bare.db" \
  "CREATE TABLE residents(id_number TEXT, name TEXT, phone TEXT, area_code TEXT, household TEXT, unit TEXT, room TEXT, resident_type TEXT, tags TEXT);" \
  ".import --csv --skip 1 $tmp/residents.csv residents"
t1=$(now)
[ "$(sqlite3 "$tmp/bare.db" 'SELECT COUNT(*) FROM residents')" = "$N" ] || { echo "bench: bare import lost rows" >&2; exit 1; }
b_s=$(secs "$t0" "$t1")

# Anchor 2: civgrid's schema, straight SQL, the fastest way SQLite offers:
# one transaction that drops the residents' indexes, inserts every row and
# builds each index once, sorted (as civgrid's first load does). No checks,
# no ledgers, no history: SQLite's own floor for this schema.
rm -f "$tmp/schema.db" "$tmp/schema.db-wal" "$tmp/schema.db-shm"
"$BIN" init --db "$tmp/schema.db" > /dev/null
"$BIN" import areas "$tmp/areas.csv" --db "$tmp/schema.db" > /dev/null
indexes=$(sqlite3 "$tmp/schema.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents' AND sql IS NOT NULL")
drops=$(sqlite3 "$tmp/schema.db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents' AND sql IS NOT NULL")
echo "bench: sqlite3 INSERT ... SELECT into civgrid's schema (indexes built after)"
t0=$(now)
sqlite3 "$tmp/schema.db" <<EOF
PRAGMA cache_size = -65536;
CREATE TEMP TABLE f(id_number TEXT, name TEXT, phone TEXT, area_code TEXT, household TEXT, unit TEXT, room TEXT, resident_type TEXT, tags TEXT);
.import --csv --skip 1 $tmp/residents.csv f
BEGIN;
$drops
INSERT INTO residents (id_number, id_tail, name, sex, birth_date, phone, area_id, area_path, household, unit, room,
                       resident_type, created_at, updated_at)
  SELECT f.id_number, substr(f.id_number, 15), f.name,
         CASE WHEN CAST(substr(f.id_number, 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END,
         substr(f.id_number, 7, 4) || '-' || substr(f.id_number, 11, 2) || '-' || substr(f.id_number, 13, 2),
         f.phone, a.id, a.path, f.household, f.unit, f.room, f.resident_type, 0, 0
  FROM f JOIN areas a ON a.code = f.area_code;
$indexes
COMMIT;
EOF
t1=$(now)
[ "$(sqlite3 "$tmp/schema.db" 'SELECT COUNT(*) FROM residents')" = "$N" ] || { echo "bench: schema import lost rows" >&2; exit 1; }
s_s=$(secs "$t0" "$t1")

c_rate=$(rate "$N" "$c_s"); r_rate=$(rate "$N" "$r_s"); b_rate=$(rate "$N" "$b_s"); s_rate=$(rate "$N" "$s_s")
ratio=$(awk -v c="$c_rate" -v b="$b_rate" 'BEGIN { printf "%.2f", (b > 0 ? c / b : 0) }')
ratio_s=$(awk -v c="$c_rate" -v b="$s_rate" 'BEGIN { printf "%.2f", (b > 0 ? c / b : 0) }')
version=$("$BIN" version 2>/dev/null | head -n 1 || true)

printf '\n%-44s %10s %12s\n' 'import of the same file' seconds 'rows/s'
printf '%-44s %10s %12s\n' 'civgrid import residents' "$c_s" "$c_rate"
printf '%-44s %10s %12s\n' 'civgrid import residents again (unchanged)' "$r_s" "$r_rate"
printf '%-44s %10s %12s\n' 'sqlite3 .import, bare table' "$b_s" "$b_rate"
printf '%-44s %10s %12s\n' 'sqlite3 INSERT...SELECT, civgrid schema' "$s_s" "$s_rate"
floor=$(awk -v s="$s_rate" -v b="$b_rate" 'BEGIN { printf "%.2f", (b > 0 ? s / b : 0) }')
printf 'civgrid/bare: %s (target >= %s), civgrid/schema: %s, schema/bare (SQLite floor): %s\n' "$ratio" "$MIN_RATIO" "$ratio_s" "$floor"

cat <<EOF

--- markdown for docs/benchmarks.md ---
| import of $N residents ($size_mb MB CSV) | seconds | rows/s | civgrid ÷ this |
|---|---:|---:|---:|
| civgrid import residents ($version, checked, audited, one transaction) | $c_s | $c_rate | |
| civgrid import residents, same file again (all unchanged) | $r_s | $r_rate | |
| sqlite3 $(sqlite3 --version | cut -d' ' -f1) \`.import --csv\`, bare table | $b_s | $b_rate | **$ratio** |
| sqlite3 \`INSERT ... SELECT\` into civgrid's schema, indexes built after (no checks, no ledgers) | $s_s | $s_rate | $ratio_s |

Run on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr); fresh SQLite databases, the file in the page cache.
--- end ---
EOF

if awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN { exit !(r < m) }'; then
  echo "bench: FAIL: civgrid imports at $ratio of the bare sqlite3 .import's rows/s (target $MIN_RATIO)"
  exit 1
fi
echo "bench: ok"
