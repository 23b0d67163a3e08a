#!/bin/sh
# Outbox delivery to a local SMTP server (aiosmtpd, discarding) against Python's smtplib sending
# the same message bytes, one run side by side; then peak memory with 10,000 messages queued.
#   tests/bench/bench-outbox.sh [BUILD_DIR] [N]
set -eu
build=${1:-build}
n=${2:-1000}
src=$(cd "$(dirname "$0")/../.." && pwd)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
trap 'kill $sink 2>/dev/null; rm -rf "$tmp"' EXIT
/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:$port -c aiosmtpd.handlers.Sink &
sink=$!
sleep 1

echo "== labourwatch outbox, $n messages, store in ${LW_BENCH_TMPDIR:-/var/tmp}"
LW_SOURCE_DIR=$src "$build/tests/bench-outbox" $port $n "$tmp/msg.eml" | tee "$tmp/lw.txt"
echo "== labourwatch outbox, $n messages, store in /dev/shm (no disk syncs)"
LW_BENCH_TMPDIR=/dev/shm LW_SOURCE_DIR=$src "$build/tests/bench-outbox" $port $n | tee "$tmp/lwshm.txt"

echo "== Python smtplib, the same $n messages"
/usr/bin/python3 - "$port" "$n" "$tmp/msg.eml" "$tmp/lw.txt" "$tmp/lwshm.txt" <<'PY'
import smtplib, sys, time
port, n, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
msg = open(path, "rb").read()
t = time.monotonic()
for i in range(n):                      # a connection per message, like separate deliveries
    with smtplib.SMTP("127.0.0.1", port) as s:
        s.sendmail("labourwatch@herlev.dk", ["chef@herlev.dk"], msg)
d = time.monotonic() - t
per_msg = n / d
print("smtplib, one connection per message: %d in %.2f s = %.0f messages/s" % (n, d, n / d))
import re
for label, f in (("disk", sys.argv[4]), ("/dev/shm", sys.argv[5])):
    m = re.search(r"= (\d+) messages/s", open(f).read())
    if m:
        print("ratio labourwatch (%s) / smtplib (connection per message): %.2f" % (label, int(m.group(1)) / per_msg))
t = time.monotonic()
with smtplib.SMTP("127.0.0.1", port) as s:  # one connection for all: smtplib's best case
    for i in range(n):
        s.sendmail("labourwatch@herlev.dk", ["chef@herlev.dk"], msg)
d = time.monotonic() - t
print("smtplib, one connection for all:     %d in %.2f s = %.0f messages/s" % (n, d, n / d))
PY


echo "== labourwatch outbox, 10000 messages queued (peak memory)"
LW_SOURCE_DIR=$src "$build/tests/bench-outbox" $port 10000
