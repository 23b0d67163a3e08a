#!/bin/sh
# Starts the demo on 127.0.0.1 and writes its configuration:
#   etc/demo/start.sh WORKDIR
# Writes WORKDIR/jobindsats.token (a made-up token the demo server accepts), starts
# etc/demo/serve.py in the background (its pid in WORKDIR/server.pid, port in WORKDIR/port,
# requests in WORKDIR/requests.log) and writes WORKDIR/labourwatch.yaml from labourwatch.yaml.in
# with state in WORKDIR/state. The caller stops the server: kill "$(cat WORKDIR/server.pid)".
# Used by packaging/demo.sh and tests/bench/idle.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${1:?usage: start.sh WORKDIR}
mkdir -p "$work/state" "$work/outbox"
work=$(cd "$work" && pwd)

(
        umask 077
        # a made-up token: the demo server accepts only this one, as Jobindsats accepts only yours
        printf 'demo-%s\n' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" >"$work/jobindsats.token"
)
rm -f "$work/port"
/usr/bin/python3 "$here/serve.py" --data "$here/data" --token-file "$work/jobindsats.token" \
        --port-file "$work/port" --log "$work/requests.log" >"$work/serve.out" 2>&1 &
echo $! >"$work/server.pid"
i=0
while [ ! -s "$work/port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$(cat "$work/server.pid")" 2>/dev/null; then
                echo "start.sh: the demo server did not start:" >&2
                cat "$work/serve.out" >&2
                exit 1
        fi
        sleep 0.1
done
port=$(cat "$work/port")

# '|' cannot occur in the substituted paths' sed expressions unless the checkout path holds one
case "$top$work" in *'|'*)
        echo "start.sh: the path $top or $work contains '|', which this script cannot substitute" >&2
        exit 1
        ;;
esac
sed -e "s|@PORT@|$port|g" -e "s|@DATA@|$here/data|g" -e "s|@WORK@|$work|g" \
        -e "s|@GOALS@|$top/etc/goals.d|g" "$here/labourwatch.yaml.in" >"$work/labourwatch.yaml"
echo "demo server: http://127.0.0.1:$port (Jobindsats v3, Statistikbank, Eurostat); requests in $work/requests.log"
