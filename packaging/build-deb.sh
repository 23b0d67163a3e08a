#!/bin/sh
# Builds the Debian package from the committed tree:  packaging/build-deb.sh [OUTDIR]
# Needs debhelper and dpkg-dev (installed here when run as root).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
if ! dpkg-query -W -f='${Status}' debhelper 2>/dev/null | grep -q "install ok installed"; then
        apt-get install -y -qq --no-install-recommends debhelper dpkg-dev >/dev/null
fi
"$top/packaging/install-deps.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/labourwatch" "$out"
git -C "$top" archive HEAD | tar -x -C "$work/labourwatch"
cp -r "$top/packaging/debian" "$work/labourwatch/debian"
# DEBFULLNAME and DEBEMAIL (as for dch) stamp the package with the builder's name and address
# instead of the placeholder in debian/control and debian/changelog.
if [ -n "${DEBEMAIL:-}" ]; then
        who="${DEBFULLNAME:-labourwatch developers} <$DEBEMAIL>"
        sed -i "s|^Maintainer: .*|Maintainer: $who|" "$work/labourwatch/debian/control"
        sed -i "s|^ -- [^>]*>| -- $who|" "$work/labourwatch/debian/changelog"
fi
(cd "$work/labourwatch" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
        tail -40 "$work/build.log" >&2
        exit 1
}
cp "$work"/*.deb "$out"/
ls "$out"/*.deb
