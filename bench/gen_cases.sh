#!/usr/bin/env bash
# Generator for bench/cases.sh: a SQLite database with N cases (default
# 1,000,000) in one county and one year. `civgrid demo` builds the city and
# its year of cases for 阳高县 (about 22,000, with their timelines); the
# sqlite3 shell then copies that year until there are N cases, each copy
# shifted back by a fraction of a day (so that copies do not coincide and
# stay in the past), with its timeline and units; `civgrid case-figures
# rebuild` computes the figures' summary. Prints the demo's output (logins).
#
#   bench/gen_cases.sh DIR     (writes DIR/cases.db; CIVGRID_BIN, N)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${CIVGRID_BIN:-build/civgrid}
N=${N:-1000000}
dir=$1
db=$dir/cases.db
rm -f "$db" "$db"-*
"$BIN" init --db "$db" > "$dir/init.log"
"$BIN" demo --db "$db" --residents 2000 > "$dir/demo.log"

# Columns of a table, each time column shifted by the copy's offset :d.
cols() {
  sqlite3 "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('$1') WHERE name <> 'id'"
}
shifted() {
  local out="" c
  IFS=, read -ra list <<< "$(cols "$1")"
  for c in "${list[@]}"; do
    case "$c" in
      created_at|updated_at|accepted_at|done_at|closed_at|accept_due|finish_due|at) out+="$c + @d," ;;
      case_id|into_case_id|merged_into) out+="$c + @k * @m," ;;
      *) out+="$c," ;;
    esac
  done
  printf '%s' "${out%,}"
}
case_cols=$(cols cases); case_sel=$(shifted cases)
ev_cols=$(cols case_events); ev_sel=$(shifted case_events)
unit_cols=$(cols case_units); unit_sel=$(shifted case_units)
m=$(sqlite3 "$db" "SELECT MAX(id) FROM cases")
me=$(sqlite3 "$db" "SELECT MAX(id) FROM case_events")
base=$(sqlite3 "$db" "SELECT COUNT(*) FROM cases")
copies=$(( (N + base - 1) / base - 1 ))
{
  echo "PRAGMA cache_size = -262144; PRAGMA synchronous = OFF; BEGIN;"
  for k in $(seq 1 "$copies"); do
    d=$(( -((k * 7919) % 86400) ))
    sel=${case_sel//@d/$d}; sel=${sel//@k/$k}; sel=${sel//@m/$m}
    echo "INSERT INTO cases (id,$case_cols) SELECT id + $k * $m,$sel FROM cases WHERE id <= $m;"
    sel=${ev_sel//@d/$d}; sel=${sel//@k/$k}; sel=${sel//@m/$m}
    echo "INSERT INTO case_events (id,$ev_cols) SELECT id + $k * $me,$sel FROM case_events WHERE id <= $me;"
    sel=${unit_sel//@d/$d}; sel=${sel//@k/$k}; sel=${sel//@m/$m}
    echo "INSERT INTO case_units ($unit_cols) SELECT $sel FROM case_units WHERE case_id <= $m;"
  done
  echo "DELETE FROM cases WHERE id > (SELECT id FROM cases ORDER BY id LIMIT 1 OFFSET $((N - 1)));"
  echo "COMMIT;"
} > "$dir/copy.sql"
# Cases past N go with their timelines (no foreign key points at them then).
sed -i "s/^DELETE FROM cases WHERE id > (\(.*\));$/DELETE FROM case_units WHERE case_id > (\1); DELETE FROM case_events WHERE case_id > (\1); DELETE FROM cases WHERE id > (\1);/" "$dir/copy.sql"
sqlite3 "$db" < "$dir/copy.sql"
"$BIN" case-figures rebuild --db "$db"
sqlite3 "$db" "ANALYZE; SELECT COUNT(*) || ' cases, ' || (SELECT COUNT(*) FROM case_events) || ' timeline entries' FROM cases"
