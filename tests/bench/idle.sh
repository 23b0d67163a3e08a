#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Idle benchmark for labourwatchd: resident memory and wake-ups while nothing is due.
# Goals: VmRSS < 10 MiB; no wake-ups except scheduled work and the watchdog.
#
#   tests/bench/idle.sh [-b LABOURWATCHD] [-c CONFIG] [-t SECONDS] [-w WATCHDOG_SEC] [-S] [-M]
#
#   -b  the daemon binary (default: $LW_DAEMON, else build/labourwatchd)
#   -c  configuration; it is copied (with goals.d/) into a temporary directory and its state_dir
#       pointed at a fresh temporary state directory. Default: the bundled demo (etc/demo/start.sh
#       starts its server on 127.0.0.1), so nothing leaves the machine
#   -t  length of each measuring window in seconds (default 60)
#   -w  watchdog interval in seconds passed as $WATCHDOG_USEC, as WatchdogSec= does (default 120,
#       as in systemd/labourwatch.service; 0 disables)
#   -S  skip the strace window (only context switches are counted)
#   -M  do not run Monit beside it (by default, when /usr/bin/monit is installed, a Monit watching
#       the configuration file runs side by side, and both are measured at the same moment, so
#       that the shared library pages are divided the same way for both)
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
use_monit=1
while getopts b:c:t:w:SM opt; do
        case $opt in
        b) daemon=$OPTARG ;;
        c) config=$OPTARG ;;
        t) secs=$OPTARG ;;
        w) wd=$OPTARG ;;
        S) use_strace=0 ;;
        M) use_monit=0 ;;
        *) sed -n '3,20p' "$0"; exit 2 ;;
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
mpid=
cleanup() {
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
        [ -n "$mpid" ] && kill "$mpid" 2>/dev/null && wait "$mpid" 2>/dev/null || true
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

# Monit beside it: the classic small C monitor, in the foreground (-I), checking the configuration
# file every 30 s, no web interface. Its figures are taken at the same moment as the daemon's.
if [ "$use_monit" = 1 ] && [ -x /usr/bin/monit ]; then
        printf '%s\n' "set daemon 30" "set logfile $tmp/monit.log" "set pidfile $tmp/monit.pid" \
                "set idfile $tmp/monit.id" "set statefile $tmp/monit.state" \
                "check file labourwatch_config with path $tmp/labourwatch.yaml" >"$tmp/monitrc"
        chmod 0600 "$tmp/monitrc"
        /usr/bin/monit -c "$tmp/monitrc" -I >/dev/null 2>&1 &
        mpid=$!
        sleep 2
        kill -0 "$mpid" 2>/dev/null || { echo "idle.sh: monit did not start (see $tmp/monit.log)" >&2; mpid=; }
else
        use_monit=0
fi

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
if [ "$use_monit" = 1 ] && [ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null; then
        mstatus() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$mpid/status"; }
        mpss=$(awk '$1 == "Pss:" { print $2 }' "/proc/$mpid/smaps_rollup" 2>/dev/null || true)
        echo "  side by side, measured at the same moment:"
        printf '    %-14s %8s %8s %8s %8s\n' "" "Pss kB" "VmRSS" "anon" "file"
        printf '    %-14s %8s %8s %8s %8s\n' labourwatchd "$pss" "$rss" "$anon" "$file"
        printf '    %-14s %8s %8s %8s %8s\n' "monit" "$mpss" "$(mstatus VmRSS)" "$(mstatus RssAnon)" "$(mstatus RssFile)"
        [ -n "$pss" ] && [ -n "$mpss" ] && echo "    labourwatchd Pss $([ "$pss" -le "$mpss" ] && echo "at or below" || echo "ABOVE") Monit's"
fi
echo "  labourwatchd Pss by mapping (kB, largest first):"
awk '/^[0-9a-f]+-[0-9a-f]+ /{n = NF >= 6 ? $6 : "[anon]"} /^Pss:/{p[n] += $2} END {for (k in p) if (p[k] > 0) printf "%8d %s\n", p[k], k}' \
        "/proc/$pid/smaps" | sort -rn | sed -n '1,12p' | sed 's/^/  /'
if [ -n "$wakeups" ] && [ -s "$tmp/strace" ]; then
        echo "  syscalls (strace -c):"
        sed -n '1,12p' "$tmp/strace" | sed 's/^/    /'
fi
exit 0
