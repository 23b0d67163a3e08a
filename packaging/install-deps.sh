#!/bin/sh
# Installs what labourwatch needs from Debian 12's packages.
#   install-deps.sh          build dependencies
#   install-deps.sh --test   build and test dependencies
set -eu

build="build-essential cmake pkg-config libcurl4-openssl-dev libjansson-dev libyaml-dev \
libsystemd-dev libsqlite3-dev libssl-dev"
test="libcmocka-dev python3 python3-aiosmtpd systemd valgrind strace clang sqlite3 curl"

pkgs=$build
[ "${1:-}" = "--test" ] && pkgs="$build $test"

missing=""
for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
        echo "install-deps.sh: missing packages:$missing (run as root to install them)" >&2
        exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
