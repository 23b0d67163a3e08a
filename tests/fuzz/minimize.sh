#!/bin/sh
# Shrinks the corpora after fuzzing, keeping what they cover:
#   tests/fuzz/minimize.sh [TARGET...]        (default: every target with a corpus)
# For each target, libFuzzer's -merge=1 picks a smallest set of inputs that reaches every feature
# (edge and counter) the whole corpus reaches; the corpus then holds the inputs that are checked
# in to git (hand-written seeds, named for what they show) plus that set. Needs the clang build of
# tests/fuzz/run-all.sh (LW_FUZZ_BUILD, default build-fuzz).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${LW_FUZZ_BUILD:-$top/build-fuzz}
targets=${*:-$(for d in tests/fuzz/corpus/fuzz-*; do basename "$d"; done)}
for t in $targets; do
        corpus=tests/fuzz/corpus/$t
        bin=$build/tests/$t
        [ -x "$bin" ] || { echo "$t: no $bin (run tests/fuzz/run-all.sh first)" >&2; continue; }
        min=$(mktemp -d)
        before=$(find "$corpus" -type f | wc -l)
        "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 "$min" "$corpus" >"$min.log" 2>&1 || {
                echo "$t: merge failed, corpus left as it was (see $min.log)" >&2
                rm -rf "$min"
                continue
        }
        for f in "$corpus"/*; do
                git ls-files --error-unmatch "$f" >/dev/null 2>&1 || rm -f "$f"
        done
        cp -n "$min"/* "$corpus"/ 2>/dev/null || true
        echo "$t: $before -> $(find "$corpus" -type f | wc -l) inputs"
        rm -rf "$min" "$min.log"
done
