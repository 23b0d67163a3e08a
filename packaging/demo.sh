#!/bin/sh
# The bundled demo, from a fresh Debian 12 machine (as root), with no network beyond apt and no
# account anywhere:
#   packaging/demo.sh
# 1. installs the build dependencies and python3 (packaging/install-deps.sh --demo, apt-get);
# 2. builds labourwatchd and labourwatch into build/ (tests are not built: BUILD_TESTING=OFF);
# 3. writes build/demo/labourwatch.yaml from etc/demo/labourwatch.yaml.in and a demo API token,
#    and starts etc/demo/serve.py on 127.0.0.1 (stopped again when this script exits);
# 4. runs one daemon cycle, labourwatchd --once: fetches every series from the demo server and the
#    local CSV files (file://) into a fresh store in build/demo/state, and evaluates the goals of
#    etc/goals.d (Herlev's plan for 2024);
# 5. shows labourwatch status, then every goal and its status as seen on 15 July 2024 (projections)
#    and today (the final verdicts for 2024);
# 6. writes the committee report for Herlev 2024 as of 15 July 2024 and final, in HTML and PDF
#    (labourwatch report), into build/demo/report/, and prints where it is.
# The data are invented (etc/demo/README.md). The cycle's notifications go to the demo's directory
# notifier: each message is written to build/demo/outbox/ as NAME.eml (the exact bytes SMTP would
# send) and NAME.json, never to a mail server; the demo prints each message's subject and text part.
# Exits non-zero when a step fails.
# LW_BUILD_DIR=DIR builds elsewhere; LW_DEMO_NO_DEPS=1 skips step 1 (dependencies installed already).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step() {
        printf '\n== %s ==\n' "$*"
}

if [ "${LW_DEMO_NO_DEPS:-0}" != 1 ]; then
        step "1/6 build dependencies (apt-get)"
        packaging/install-deps.sh --demo
        echo "installed: the build dependencies and python3"
fi

build=${LW_BUILD_DIR:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)
step "2/6 build into $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target labourwatchd labourwatch >/dev/null
echo "built $build/labourwatchd and $build/labourwatch"

step "3/6 demo server and configuration"
work=$build/demo
rm -rf "$work"
mkdir -p "$work"
cleanup() {
        if [ -s "$work/server.pid" ]; then
                kill "$(cat "$work/server.pid")" 2>/dev/null || true
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
etc/demo/start.sh "$work"
conf=$work/labourwatch.yaml
"$build/labourwatch" check --config "$conf"

step "4/6 one daemon cycle: labourwatchd --once (fetch, evaluate, notify)"
LABOURWATCH_LOG_TARGET=stderr "$build/labourwatchd" --once --config "$conf"
echo
echo "Notifications written by the directory notifier to $work/outbox/ (.eml = the bytes SMTP would send):"
/usr/bin/python3 - "$work/outbox" <<'PY'
import email, email.policy, glob, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    print("-" * 100)
    print(f"File:    {os.path.basename(path)}")
    print(f"To:      {msg['To']}")
    print(f"Subject: {msg['Subject']}\n")
    print(body.get_content().rstrip() if body else "(no text part)")
PY

step "5/6 the goals of Herlev's employment plan 2024"
"$build/labourwatch" status --config "$conf"
echo
echo "-- as it looked on 15 July 2024 (figures up to June; projected to the end of 2024):"
"$build/labourwatch" eval --config "$conf" --date 2024-07-15
echo
echo "-- today: 2024 is over and complete, so the verdicts are final:"
"$build/labourwatch" eval --config "$conf"

step "6/6 the committee report (labourwatch report)"
mkdir -p "$work/report"
"$build/labourwatch" report --config "$conf" --date 2024-07-15 --output "$work/report/herlev-2024-juli.html"
"$build/labourwatch" report --config "$conf" --date 2024-07-15 --format pdf --output "$work/report/herlev-2024-juli.pdf"
"$build/labourwatch" report --config "$conf" --output "$work/report/herlev-2024.html"
"$build/labourwatch" report --config "$conf" --format pdf --output "$work/report/herlev-2024.pdf"
echo "The committee report for Herlev 2024, as of 15 July 2024 and final (open the .html in a browser):"
for f in "$work/report/"*; do
        echo "  $f"
done
