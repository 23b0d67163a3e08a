#!/bin/sh
# Installs what labourwatch needs from Debian 12's packages.
#   install-deps.sh          build dependencies
#   install-deps.sh --test   build and test dependencies, and axe-core from npm into tests/a11y
#                            (npm ci: the version pinned in tests/a11y/package-lock.json)
#   install-deps.sh --demo   build dependencies and /usr/bin/python3 (the demo's fixture server)
set -eu

build="build-essential cmake pkg-config libcurl4-openssl-dev libjansson-dev libyaml-dev \
libsystemd-dev libsqlite3-dev libcairo2-dev libfontconfig-dev fonts-dejavu-core libssl-dev"
# systemd: journald for the journal tests; openssl: the CLI makes a self-signed certificate for the
# TLS fetch test; strace: tests/bench/idle.sh; debhelper, dpkg-dev, lintian, man-db: the package
# checks (packaging/check-deb.sh); chromium, poppler-utils, imagemagick: test_report.py (a real
# browser renders the report, pdftoppm its PDF pages, convert checks the images)
# python3-aiosmtpd: the real SMTP server of test_notify.py (plaintext, STARTTLS + AUTH)
# prometheus: promtool checks the metrics file (test_metrics.py); prometheus-alertmanager: the
# Alertmanager test_alertmanager.py delivers to; npm (Debian's, unless a node that brings its own
# npm is installed): axe-core for test_a11y.py
test="libcmocka-dev python3 systemd valgrind openssl strace debhelper dpkg-dev lintian man-db chromium \
poppler-utils imagemagick python3-aiosmtpd prometheus prometheus-alertmanager tzdata"

demo="python3"

case "${1:-}" in
"") pkgs=$build ;;
--test) pkgs="$build $test" ;;
--demo) pkgs="$build $demo" ;;
*)
        echo "usage: install-deps.sh [--test | --demo]" >&2
        exit 2
        ;;
esac

missing=""
for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ "${1:-}" = --test ] && ! command -v npm >/dev/null; then
        missing="$missing npm"
fi

if [ -n "$missing" ]; then
        if [ "$(id -u)" != 0 ]; then
                echo "install-deps.sh: missing packages:$missing (run as root to install them)" >&2
                exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ "${1:-}" = --test ]; then
        top=$(cd "$(dirname "$0")/.." && pwd)
        npm ci --prefix "$top/tests/a11y" --no-audit --no-fund --loglevel=error
fi
