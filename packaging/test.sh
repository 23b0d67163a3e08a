#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine (as root):
#   packaging/test.sh
# 1. installs build and test dependencies (apt-get);
# 2. builds with -Werror and runs every test through ctest (unit, integration, fuzz corpora);
# 3. builds the Debian package and checks it: lintian, man pages, systemd-analyze verify and
#    security (packaging/check-deb.sh); then builds again with ASan+UBSan and runs the suite there;
# 4. runs the unit tests and corpus replays under valgrind, then the integration tests with
#    labourwatchd and labourwatch under valgrind (leaks and memory errors fail the test).
# LW_TEST_QUICK=1 runs step 2 only.
# Each stage's duration is printed when it ends, and all of them again at the end (also when a
# stage fails), so that growth shows early.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

durations=""
stage_name=""
stage_start=0
suite_start=$(date +%s)
fmt_secs() {
        printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}
stage_end() {
        [ -n "$stage_name" ] || return 0
        secs=$(($(date +%s) - stage_start))
        durations="$durations$(printf '  %-58s %s' "$stage_name" "$(fmt_secs "$secs")")
"
        echo "-- $stage_name: $(fmt_secs "$secs")"
        stage_name=""
}
stage() {
        stage_end
        stage_name=$*
        stage_start=$(date +%s)
        echo "== $* =="
}
summary() {
        rc=$?
        stage_end
        printf '\n== durations ==\n%s  %-58s %s%s\n' "$durations" "total" \
                "$(fmt_secs $(($(date +%s) - suite_start)))" "$([ "$rc" = 0 ] || echo "  (FAILED, exit $rc)")"
}
trap summary EXIT

stage "dependencies (apt-get)"
packaging/install-deps.sh --test

jobs=$(nproc 2>/dev/null || echo 2)
build=${LW_BUILD_DIR:-$top/build}

stage "build and test (gcc, -Werror)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"

[ "${LW_TEST_QUICK:-0}" = 1 ] && exit 0

stage "Debian package: build, lintian, man --warnings, systemd-analyze verify/security"
packaging/check-deb.sh

stage "ASan + UBSan"
cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON -DBUILD_TESTING=ON >/dev/null
cmake --build "$build-asan" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$build-asan" --output-on-failure -j "$jobs"

stage "valgrind: unit tests and fuzz corpora"
# timeouts x3 for the unit tests under valgrind, x5 for the integration tests (tests/CMakeLists.txt)
cmake -S . -B "$build" -DLW_TEST_TIMEOUT_SCALE=3 >/dev/null
ctest --test-dir "$build" --output-on-failure -j "$jobs" -L 'unit|fuzz' \
        --overwrite MemoryCheckCommand=/usr/bin/valgrind \
        --overwrite MemoryCheckCommandOptions="--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99" \
        -T memcheck
stage "valgrind: integration tests with the programs under valgrind"
cmake -S . -B "$build" -DLW_INTEGRATION_VALGRIND=ON -DLW_TEST_TIMEOUT_SCALE=5 >/dev/null
status=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" -L integration || status=$?
cmake -S . -B "$build" -DLW_INTEGRATION_VALGRIND=OFF -DLW_TEST_TIMEOUT_SCALE= >/dev/null
[ "$status" = 0 ] || exit "$status"
echo "valgrind: no errors"
