#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (prints figures; not a test): the goal engine's cost now against a baseline revision,
# side by side on this machine (issue 17: the predictive distribution may cost at most 5x the
# engine without it). Builds bench-goals at BASELINE (default 0b72023, the last revision before
# the distribution) in a temporary worktree, runs both on 10,000 goals over 1,000 series of 180
# months, and prints the ratio of the best rounds.
#
#     tests/bench/bench-goals-ratio.sh BUILD_DIR [BASELINE]
set -eu

build=$(cd "$1" && pwd)
baseline=${2:-0b72023}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'git -C "$src" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

git -C "$src" worktree add --detach "$tmp/src" "$baseline" >/dev/null 2>&1
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
make -C "$tmp/build" -j"$(nproc)" bench-goals >/dev/null

best() { # the "series resolved beforehand" line's milliseconds
        "$1" 10000 1000 7 | awk '/resolved beforehand/ { print $(NF-3) }'
}
old=$(best "$tmp/build/tests/bench-goals")
new=$(best "$build/tests/bench-goals")
printf 'baseline %s: %s ms for 10,000 goals (series resolved)\n' "$baseline" "$old"
printf 'now (%s): %s ms\n' "$(git -C "$src" rev-parse --short HEAD)" "$new"
awk -v a="$old" -v b="$new" 'BEGIN { printf "ratio now / baseline: %.2f (issue 17: at most 5)\n", b / a }'
