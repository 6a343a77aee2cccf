#!/usr/bin/env bash
# Everything CI runs, in order, stopping at the first failure:
#   deps, normal build, sanitizer build, the fuzz targets over their saved
#   corpora, a throwaway PostgreSQL, then for each
#   build: unit tests (ctest), API tests on SQLite, API tests on PostgreSQL;
#   then the web build and the browser tests on SQLite and PostgreSQL (normal
#   build only).
# The last line is always "N passed, N failed", counting stages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

JOBS=$(nproc 2>/dev/null || echo 2)
STAGE_TIMEOUT=${STAGE_TIMEOUT:-900}   # seconds; no stage should come near it
PG_TEMP=${PG_TEMP:-scripts/pg-temp.sh}
BUILDS=${BUILDS:-"build build-asan"}  # e.g. BUILDS=build for a quick local run

passed=0
failed=0
pg_dir=""
stage_pid=""

summary() { echo "$passed passed, $failed failed"; }

cleanup() {
  if [ -n "$pg_dir" ]; then
    bash "$PG_TEMP" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT
on_signal() {
  # timeout(1) leads its own process group: end the running stage with all it started.
  if [ -n "$stage_pid" ]; then kill -TERM -- "-$stage_pid" 2>/dev/null || true; fi
  echo "test.sh: interrupted"
  failed=$((failed + 1))
  summary
  exit 130
}
trap on_signal INT TERM

# stage NAME COMMAND...: runs one stage with a time limit; on failure says which
# stage failed, prints the summary and exits.
stage() {
  local name=$1; shift
  local start=$SECONDS rc=0
  echo "==> $name"
  # In the background and waited for, so that a signal reaches on_signal at once.
  timeout -k 10 "$STAGE_TIMEOUT" "$@" &
  stage_pid=$!
  wait "$stage_pid" || rc=$?
  stage_pid=""
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    if [ "$rc" -eq 124 ]; then
      echo "test.sh: stage FAILED: $name (timed out after ${STAGE_TIMEOUT}s)"
    else
      echo "test.sh: stage FAILED: $name (exit $rc)"
    fi
    summary
    exit 1
  fi
  passed=$((passed + 1))
  echo "<== ok: $name ($((SECONDS - start))s)"
}

build_cmd() { # DIR [cmake args...]
  local dir=$1; shift
  echo "cmake -S . -B $dir -DCMAKE_BUILD_TYPE=RelWithDebInfo $* && cmake --build $dir -j$JOBS"
}

stage "deps" bash scripts/deps.sh test
for b in $BUILDS; do
  case "$b" in
    *asan*) stage "build ($b)" bash -c "$(build_cmd "$b" -DCIVGRID_SANITIZE=ON)" ;;
    *)          stage "build ($b)" bash -c "$(build_cmd "$b")" ;;
  esac
done

# The fuzz targets (clang, libFuzzer) over every input saved in their corpora:
# an input that once crashed a parser must not crash it again.
stage "fuzz targets over their corpora" bash scripts/fuzz.sh check

# A throwaway PostgreSQL server for the whole run; stopped by the EXIT trap.
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-pg.XXXXXX")
echo "==> postgresql"
if ! pg_url=$(timeout 120 bash "$PG_TEMP" start "$pg_dir"); then
  failed=$((failed + 1))
  echo "test.sh: stage FAILED: postgresql ($PG_TEMP start did not start a server)"
  summary
  exit 1
fi
pg_url=$(printf '%s\n' "$pg_url" | tail -n 1)
passed=$((passed + 1))
echo "<== ok: postgresql ($pg_url)"

mapfile -t api_tests < <(ls tests/api/*.test.mjs 2>/dev/null)

for b in $BUILDS; do
  san_env=()
  if [[ "$b" == *asan* ]]; then
    san_env=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
  fi
  stage "unit tests ($b)" \
    env "${san_env[@]}" CIVGRID_TEST_PG="$pg_url" \
    ctest --test-dir "$b" --output-on-failure -j"$JOBS"
  if [ ${#api_tests[@]} -eq 0 ]; then
    echo "test.sh: no API tests in tests/api" >&2; failed=$((failed + 1)); summary; exit 1
  fi
  stage "api tests, sqlite ($b)" \
    env "${san_env[@]}" CIVGRID_BIN="$ROOT/$b/civgrid" CIVGRID_TEST_BACKEND=sqlite \
    node --test "${api_tests[@]}"
  stage "api tests, postgresql ($b)" \
    env "${san_env[@]}" CIVGRID_BIN="$ROOT/$b/civgrid" CIVGRID_TEST_BACKEND=postgresql \
    CIVGRID_TEST_PG="$pg_url" \
    node --test "${api_tests[@]}"
done

# Browser tests, against the normal build only, when there are any.
if [ -n "$(find tests/e2e -type f \( -name '*.test.*' -o -name '*.spec.*' \) 2>/dev/null | head -n 1)" ]; then
  first=${BUILDS%% *}
  stage "web build" npm run build:web
  stage "e2e tests ($first)" \
    env CIVGRID_BIN="$ROOT/$first/civgrid" CIVGRID_TEST_PG="$pg_url" npm run test:e2e
  stage "e2e tests, postgresql ($first)" \
    env CIVGRID_BIN="$ROOT/$first/civgrid" CIVGRID_TEST_BACKEND=postgresql CIVGRID_TEST_PG="$pg_url" npm run test:e2e
else
  echo "--- e2e: no tests in tests/e2e, skipped"
fi

summary
