#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine (as root):
#   packaging/test.sh
# 1. installs build and test dependencies (apt-get);
# 2. builds with -Werror and runs every test through ctest (unit, integration, fuzz corpora);
# 3. builds again with ASan+UBSan and runs the suite there;
# 4. runs the unit tests and corpus replays under valgrind, then the integration tests with
#    labourwatchd and labourwatch under valgrind (leaks and memory errors fail the test).
# LW_TEST_QUICK=1 runs step 2 only.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
packaging/install-deps.sh --test

jobs=$(nproc 2>/dev/null || echo 2)
build=${LW_BUILD_DIR:-$top/build}

echo "== build and test (gcc, -Werror) =="
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"

[ "${LW_TEST_QUICK:-0}" = 1 ] && exit 0

echo "== ASan + UBSan =="
cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON -DBUILD_TESTING=ON >/dev/null
cmake --build "$build-asan" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$build-asan" --output-on-failure -j "$jobs"

echo "== valgrind: unit tests, fuzz corpora, then integration tests with the programs under valgrind =="
ctest --test-dir "$build" --output-on-failure -j "$jobs" -L 'unit|fuzz' \
        --overwrite MemoryCheckCommand=/usr/bin/valgrind \
        --overwrite MemoryCheckCommandOptions="--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99" \
        -T memcheck
cmake -S . -B "$build" -DLW_INTEGRATION_VALGRIND=ON >/dev/null
status=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" -L integration || status=$?
cmake -S . -B "$build" -DLW_INTEGRATION_VALGRIND=OFF >/dev/null
[ "$status" = 0 ] || exit "$status"
echo "valgrind: no errors"
