#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (one per fuzz_*.c) with clang
# into build-fuzz/, then runs them (docs/fuzzing.md).
#
#   scripts/fuzz.sh run     each target for FUZZ_SECONDS (default 60) over a
#                           scratch copy of its corpus, tests/fuzz/corpus/<name>/
#   scripts/fuzz.sh check   each target once over every saved input of its
#                           corpus, and nothing else (what scripts/test.sh runs)
#
# FUZZ_TARGETS="csvin json" limits the run to those targets; FUZZ_ARGS adds
# libFuzzer flags. A crash, leak or sanitizer report fails the run; the input
# that caused it is kept in build-fuzz/artifacts/<name>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-run}
case "$mode" in
  run|check) ;;
  *) echo "fuzz: unknown mode '$mode' (expected: run, check)" >&2; exit 2 ;;
esac
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=$(nproc 2>/dev/null || echo 2)
CLANG=${FUZZ_CC:-clang}

if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "fuzz: $CLANG not found; scripts/deps.sh test installs it" >&2
  exit 1
fi
CC=$CLANG cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIVGRID_FUZZ=ON >/dev/null
cmake --build "$BUILD" --target fuzzers -j"$JOBS"

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
  for t in $FUZZ_TARGETS; do targets+=("${t#fuzz_}"); done
else
  for src in tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    targets+=("${t#fuzz_}")
  done
fi

# Leaks count as failures; UBSan reports stop the run like ASan's do.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for t in "${targets[@]}"; do
  bin=$BUILD/fuzz_$t
  corpus=tests/fuzz/corpus/$t
  artifacts=$BUILD/artifacts/$t
  mkdir -p "$artifacts"
  if [ ! -x "$bin" ]; then
    echo "fuzz: no target $bin" >&2; failed+=("$t"); continue
  fi
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: $t has no saved inputs in $corpus" >&2; failed+=("$t"); continue
  fi
  if [ "$mode" = check ]; then
    echo "==> fuzz $t: $(ls "$corpus" | wc -l) saved inputs"
    # -runs=0: run every input of the corpus once, and mutate nothing.
    # shellcheck disable=SC2086
    if ! "$bin" -runs=0 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} "$corpus" \
         >"$artifacts/check.log" 2>&1; then
      tail -n 40 "$artifacts/check.log"
      failed+=("$t")
    fi
    continue
  fi
  # A scratch copy: what a run finds stays out of the repository until it
  # is added on purpose (docs/fuzzing.md says how).
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/civgrid-fuzz-$t.XXXXXX")
  cp -R "$corpus/." "$scratch/"
  echo "==> fuzz $t for ${SECONDS_EACH}s (corpus copy: $scratch)"
  # shellcheck disable=SC2086
  if ! "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
       -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} "$scratch" >"$artifacts/run.log" 2>&1; then
    tail -n 60 "$artifacts/run.log"
    echo "fuzz: $t FAILED; the input is in $artifacts/ (reproduce: $bin <file>)"
    failed+=("$t")
  else
    grep -E '^stat::number_of_executed_units|^Done' "$artifacts/run.log" | sed "s/^/    $t: /" || true
    echo "    $t: corpus grew from $(ls "$corpus" | wc -l) to $(ls "$scratch" | wc -l) inputs"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, none failed"
