#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Idle benchmark for labourwatchd: resident memory and wake-ups while nothing is due.
# Goals: VmRSS < 10 MiB; no wake-ups except scheduled work and the watchdog.
#
#   tests/bench/idle.sh [-b LABOURWATCHD] [-c CONFIG] [-t SECONDS] [-w WATCHDOG_SEC] [-S]
#
#   -b  the daemon binary (default: $LW_DAEMON, else build/labourwatchd)
#   -c  configuration; it is copied (with goals.d/) into a temporary directory and its state_dir
#       pointed at a fresh temporary state directory. Default: the bundled demo (etc/demo/start.sh
#       starts its server on 127.0.0.1), so nothing leaves the machine
#   -t  length of each measuring window in seconds (default 60)
#   -w  watchdog interval in seconds passed as $WATCHDOG_USEC, as WatchdogSec= does (default 120,
#       as in systemd/labourwatch.service; 0 disables)
#   -S  skip the strace window (only context switches are counted)
#
# Two windows: first the daemon runs untraced and the change in its context switches
# (/proc/PID/status) is counted; then strace -c counts its system calls, where every return from
# epoll_wait is one wake-up. Not a ctest test: it takes minutes and prints figures. See README.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
daemon=${LW_DAEMON:-$top/build/labourwatchd}
config=
secs=60
wd=120
use_strace=1
while getopts b:c:t:w:S opt; do
        case $opt in
        b) daemon=$OPTARG ;;
        c) config=$OPTARG ;;
        t) secs=$OPTARG ;;
        w) wd=$OPTARG ;;
        S) use_strace=0 ;;
        *) sed -n '3,17p' "$0"; exit 2 ;;
        esac
done
[ -x "$daemon" ] || { echo "idle.sh: no daemon binary at $daemon (use -b)" >&2; exit 1; }
[ -z "$config" ] || [ -r "$config" ] || { echo "idle.sh: cannot read configuration $config" >&2; exit 1; }
if [ "$use_strace" = 1 ] && ! command -v strace >/dev/null; then
        echo "idle.sh: strace not found; install it or pass -S" >&2
        exit 1
fi

tmp=$(mktemp -d /tmp/lw-idle.XXXXXX)
pid=
cleanup() {
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
        [ -s "$tmp/server.pid" ] && kill "$(cat "$tmp/server.pid")" 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -z "$config" ]; then
        # the bundled demo: its server on 127.0.0.1, a fresh store in $tmp/state
        "$top/etc/demo/start.sh" "$tmp" >/dev/null
        config="etc/demo/labourwatch.yaml.in (demo server on 127.0.0.1)"
else
        mkdir -m 0700 "$tmp/state"
        cfgdir=$(dirname "$config")
        [ -d "$cfgdir/goals.d" ] && cp -r "$cfgdir/goals.d" "$tmp/goals.d"
        if grep -q '^state_dir:' "$config"; then
                sed "s|^state_dir:.*|state_dir: $tmp/state|" "$config" >"$tmp/labourwatch.yaml"
        else
                { echo "state_dir: $tmp/state"; cat "$config"; } >"$tmp/labourwatch.yaml"
        fi
fi

if [ "$wd" -gt 0 ]; then
        export WATCHDOG_USEC=$((wd * 1000000))
else
        unset WATCHDOG_USEC
fi
unset NOTIFY_SOCKET WATCHDOG_PID
export LABOURWATCH_LOG_TARGET=stderr

: >"$tmp/log"
"$daemon" --config "$tmp/labourwatch.yaml" 2>"$tmp/log" &
pid=$!
i=0
until grep -q ' started' "$tmp/log"; do
        if ! kill -0 "$pid" 2>/dev/null; then
                echo "idle.sh: labourwatchd exited during start-up:" >&2
                cat "$tmp/log" >&2
                pid=
                exit 1
        fi
        i=$((i + 1))
        [ "$i" -gt 300 ] && { echo "idle.sh: not started after 30 s" >&2; cat "$tmp/log" >&2; exit 1; }
        sleep 0.1
done
sleep 2 # let start-up work (first evaluation, due fetches) settle

alive() {
        kill -0 "$pid" 2>/dev/null && return 0
        echo "idle.sh: labourwatchd died while measuring:" >&2
        cat "$tmp/log" >&2
        pid=
        exit 1
}
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }

alive
ctx0=$(($(status voluntary_ctxt_switches) + $(status nonvoluntary_ctxt_switches)))
sleep "$secs"
alive
ctx1=$(($(status voluntary_ctxt_switches) + $(status nonvoluntary_ctxt_switches)))
ctx=$((ctx1 - ctx0))

wakeups=
if [ "$use_strace" = 1 ]; then
        strace -f -c -o "$tmp/strace" -p "$pid" 2>/dev/null &
        spid=$!
        sleep "$secs"
        kill -INT "$spid"
        wait "$spid" || true
        wakeups=$(awk '$NF == "epoll_wait" { print $4 }' "$tmp/strace")
        wakeups=${wakeups:-0}
fi

alive
rss=$(status VmRSS)
anon=$(status RssAnon)
file=$(status RssFile)
pss=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
hwm=$(status VmHWM)
cycles=$(grep -c 'Fetch run finished' "$tmp/log" || true)

# Allowed: one ping per half watchdog interval, plus the scheduled cycles seen in the log.
if [ "$wd" -gt 0 ]; then
        allowed=$(((secs * 2 + wd - 1) / wd + 1))
else
        allowed=1
fi

echo "labourwatchd idle benchmark ($secs s windows, WatchdogSec=${wd}s, config $config)"
echo "  VmRSS            $rss kB  (goal < 10240 kB)  $([ "$rss" -lt 10240 ] && echo OK || echo OVER)"
echo "                   of which anonymous (heap, stacks) $anon kB  $([ "$anon" -lt 10240 ] && echo OK || echo OVER),"
echo "                   file-backed (shared library pages, shared with other processes) $file kB"
[ -n "$pss" ] && echo "  Pss              $pss kB  (shared pages divided among the processes mapping them)"
echo "  VmHWM            $hwm kB"
echo "  context switches $ctx in $secs s = $(awk -v n="$ctx" -v s="$secs" 'BEGIN { printf "%.1f", n * 60 / s }')/min"
if [ -n "$wakeups" ]; then
        echo "  wake-ups         $wakeups epoll_wait returns in $secs s = $(awk -v n="$wakeups" -v s="$secs" 'BEGIN { printf "%.1f", n * 60 / s }')/min"
        echo "                   allowed: $allowed (watchdog) + scheduled cycles ($cycles seen)  $([ "$wakeups" -le $((allowed + cycles)) ] && echo OK || echo OVER)"
fi
if [ -n "$wakeups" ] && [ -s "$tmp/strace" ]; then
        echo "  syscalls (strace -c):"
        sed -n '1,12p' "$tmp/strace" | sed 's/^/    /'
fi
exit 0
