#!/bin/sh
# Checks the Debian package the way an experienced Debian/systemd operator would:
#   packaging/check-deb.sh [DEB]     (default: builds one with packaging/build-deb.sh)
# 1. lintian (Debian 12's) reports no error and no warning (--fail-on error,warning; overrides
#    in packaging/debian/labourwatch.lintian-overrides, each with a comment why);
# 2. every man page in the package renders with `man --warnings -l` without a message;
# 3. `systemd-analyze verify` on the unit as installed: the package unpacked into a scratch root
#    beside the host's units, so ExecStart=, ExecReload= and Documentation= resolve against what
#    the package installs; any message (an unknown key too) fails;
# 4. `systemd-analyze security --offline=yes`: the unit's exposure must not exceed 1.5.
# Part of packaging/test.sh. Needs lintian, man-db, groff-base, systemd, debhelper, dpkg-dev.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
max_exposure=15 # tenths: 1.5

if [ $# -ge 1 ]; then
        deb=$1
else
        out=$(mktemp -d)
        trap 'rm -rf "$out"' EXIT
        "$top/packaging/build-deb.sh" "$out" >/dev/null
        deb=$(ls "$out"/labourwatch_*.deb)
fi
root=$(mktemp -d)
trap 'rm -rf "$root" ${out:+"$out"}' EXIT
fail=0

echo "-- lintian $(lintian --version | sed 's/^Lintian v//')"
lint_rc=0
lint=$(lintian --fail-on error,warning "$deb" 2>&1) || lint_rc=$?
# CI runs as root; lintian's remark about that is not about the package
printf '%s\n' "$lint" | grep -v -e '^running with root privileges' -e '^$' || true
if [ "$lint_rc" != 0 ]; then
        echo "lintian: errors or warnings (above), exit $lint_rc" >&2
        fail=1
fi

dpkg-deb -x "$deb" "$root"

echo "-- man --warnings"
for page in "$root"/usr/share/man/man*/*; do
        msg=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
        if [ -n "$msg" ]; then
                printf '%s:\n%s\n' "${page#"$root"}" "$msg" >&2
                fail=1
        fi
done

echo "-- documents the man pages point to"
# a page that names /usr/share/doc/labourwatch/FILE (labourwatch.yaml(5): webhook.md) needs it installed
for doc in $(grep -ho '/usr/share/doc/labourwatch/[A-Za-z0-9._/-]*' "$top"/packaging/man/* | sort -u); do
        if [ ! -e "$root$doc" ]; then
                echo "$doc: named by a man page, not in the package" >&2
                fail=1
        fi
done

echo "-- systemd-analyze verify"
# the host's units (targets the unit orders itself after), and the tools its commands name, under
# the package's own files
units=$root/usr/lib/systemd/system
mkdir -p "$units" "$root/usr/bin"
cp -an /usr/lib/systemd/system/. "$units"/
cp -a /usr/bin/kill "$root/usr/bin/"
[ -e "$root/bin" ] || ln -s usr/bin "$root/bin"
[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
for unit in "$units"/labourwatch*.service "$units"/labourwatch*.timer; do
        [ -e "$unit" ] || continue
        name=$(basename "$unit")
        msg=$(MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" "$name" 2>&1) || fail=1
        if [ -n "$msg" ]; then
                printf '%s\n' "$msg" >&2
                fail=1
        fi
        case $name in
        *.service)
                echo "-- systemd-analyze security --offline=yes $name"
                systemd-analyze security --offline=yes --root="$root" "$name" 2>&1 | tail -1
                systemd-analyze security --offline=yes --root="$root" --threshold=$max_exposure "$name" \
                        >/dev/null 2>&1 || {
                        echo "$name: exposure above 1.5" >&2
                        fail=1
                }
                ;;
        esac
done

[ "$fail" = 0 ] && echo "package checks: OK"
exit "$fail"
