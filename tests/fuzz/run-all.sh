#!/bin/sh
# Fuzzes every target for real (clang, libFuzzer, ASan+UBSan) and keeps what it finds:
#   tests/fuzz/run-all.sh [SECONDS]        (default 600 per target; run it with nice -n 19)
# For each tests/fuzz/fuzz-*.c, in name order:
# 1. runs build-fuzz/tests/NAME for SECONDS on a scratch copy of tests/fuzz/corpus/NAME/;
# 2. merges the inputs that reached new coverage into tests/fuzz/corpus/NAME/ (libFuzzer -merge=1:
#    only inputs that add features are copied, under their SHA-1 names), so ctest's replay
#    (tests/CMakeLists.txt, under gcc) keeps running them;
# 3. records libFuzzer's final figures: executions, cov (edges), ft (features), corpus size, and
#    whether it crashed. A crash leaves its input in build-fuzz/fuzz-artifacts/NAME-crash-* and
#    makes the script exit 1 after the remaining targets have run.
# The table goes to stdout and to build-fuzz/fuzz-results.md (copied into tests/fuzz/README by
# hand, with the date and machine). LW_FUZZ_BUILD=DIR builds elsewhere; LW_FUZZ_TARGETS="fuzz-csv
# fuzz-expr" runs only those; LW_FUZZ_NO_MERGE=1 leaves the checked-in corpora alone.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
seconds=${1:-600}
case $seconds in
'' | *[!0-9]*)
        echo "usage: run-all.sh [SECONDS]" >&2
        exit 2
        ;;
esac
build=${LW_FUZZ_BUILD:-$top/build-fuzz}

if [ -n "${LW_FUZZ_TARGETS:-}" ]; then
        targets=$LW_FUZZ_TARGETS
else
        targets=$(for f in tests/fuzz/fuzz-*.c; do basename "$f" .c; done)
fi

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DENABLE_FUZZING=ON -DENABLE_SANITIZERS=ON -DBUILD_TESTING=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j "${LW_FUZZ_JOBS:-2}" --target $targets >/dev/null

work=$build/fuzz-work
art=$build/fuzz-artifacts
mkdir -p "$work" "$art"
results=$build/fuzz-results.md
{
        echo "| target | seconds | executions | exec/s | cov | ft | corpus before -> after | result |"
        echo "|---|---:|---:|---:|---:|---:|---|---|"
} >"$results"
status=0
for t in $targets; do
        corpus=tests/fuzz/corpus/$t
        mkdir -p "$corpus"
        scratch=$work/$t
        rm -rf "$scratch"
        mkdir -p "$scratch"
        cp "$corpus"/* "$scratch"/ 2>/dev/null || true
        before=$(find "$corpus" -type f | wc -l)
        log=$work/$t.log
        start=$(date +%s)
        result=ok
        # -rss_limit_mb: the targets bound their own inputs; 2 GB catches a runaway allocation.
        # -timeout=10: one input taking longer than 10 s is a finding (a stall), not noise.
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                "$build/tests/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
                -rss_limit_mb=2048 -artifact_prefix="$art/$t-" "$scratch" >"$log" 2>&1 || {
                result="**crash** (see $art/)"
                status=1
        }
        elapsed=$(($(date +%s) - start))
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
        cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
        ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
        if [ "${LW_FUZZ_NO_MERGE:-0}" != 1 ]; then
                "$build/tests/$t" -merge=1 -timeout=10 -rss_limit_mb=2048 "$corpus" "$scratch" \
                        >"$work/$t.merge.log" 2>&1 || echo "$t: merge failed, see $work/$t.merge.log" >&2
        fi
        after=$(find "$corpus" -type f | wc -l)
        line="| $t | $elapsed | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | $before -> $after | $result |"
        echo "$line" >>"$results"
        echo "$line"
done
echo "results: $results"
exit $status
