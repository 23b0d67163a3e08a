#!/bin/sh
# Regenerates the screenshots of the demo's committee report kept in etc/demo/screenshots/ (linked
# from README.md), from a fresh demo store:
#   etc/demo/make-screenshots.sh [BUILD_DIR]     (default: build; needs labourwatchd and labourwatch built)
# Uses chromium (headless) for the HTML report, pdftoppm for the PDF pages and ImageMagick's convert
# to shrink the images (packaging/install-deps.sh --test installs all three).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=$here/screenshots
work=$(mktemp -d /tmp/lw-screenshots.XXXXXX)
cleanup() {
        if [ -s "$work/server.pid" ]; then
                kill "$(cat "$work/server.pid")" 2>/dev/null || true
        fi
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$here/start.sh" "$work" >/dev/null
LABOURWATCH_LOG_TARGET=stderr "$build/labourwatchd" --once --config "$work/labourwatch.yaml" 2>/dev/null
kill "$(cat "$work/server.pid")"
rm -f "$work/server.pid"

conf=$work/labourwatch.yaml
"$build/labourwatch" report --config "$conf" --date 2024-07-15 --output "$work/juli.html"
"$build/labourwatch" report --config "$conf" --date 2024-07-15 --format pdf --output "$work/juli.pdf"
"$build/labourwatch" report --config "$conf" --date 2025-03-01 --output "$work/final.html"

shot() { # FILE WIDTH HEIGHT OUTPUT
        HOME=$work chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
                --disable-background-networking --window-size="$2,$3" --screenshot="$work/shot.png" \
                "file://$1" >/dev/null 2>&1
        convert "$work/shot.png" -strip -colors 96 "$4"
}
# A section of a page: headless chromium does not scroll to a #fragment, so the page is shot whole
# and cropped at the section's top, which a probe script (in a copy of the page) reports.
section() { # FILE ID WIDTH HEIGHT OUTPUT
        sed "s|</body>|<script>window.addEventListener('load',function(){var p=document.createElement('pre');p.id='lw-top';p.textContent=Math.round(document.getElementById('$2').getBoundingClientRect().top+window.scrollY);document.body.appendChild(p)})</script></body>|" \
                "$1" >"$work/probe.html"
        top=$(HOME=$work chromium --headless --disable-gpu --no-sandbox --no-first-run --window-size="$3,$4" \
                --dump-dom "file://$work/probe.html" 2>/dev/null | sed -n 's|.*<pre id="lw-top">\([0-9]*\)</pre>.*|\1|p')
        HOME=$work chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
                --disable-background-networking --window-size="$3,$((top + $4))" \
                --screenshot="$work/shot.png" "file://$1" >/dev/null 2>&1
        convert "$work/shot.png" -crop "$3x$4+0+$((top - 10))" +repage -strip -colors 96 "$5"
}
mkdir -p "$out"
shot "$work/juli.html" 800 1250 "$out/report-cover-2024-07-15.png"
section "$work/juli.html" goal-sygedagpenge-vs-landet-2024 800 1000 "$out/report-goal-2024-07-15.png"
shot "$work/final.html" 800 700 "$out/report-cover-final.png"
section "$work/juli.html" goal-smaajob-2024 600 950 "$out/report-600px.png"
# the e-mail of an off-track goal, as a mail client shows it (cid: parts inlined); in Danish, and
# in English for a recipient with language: en (added to a copy of the demo configuration)
eml_to_html() {
        /usr/bin/python3 - "$1" "$2" <<'PY'
import base64, email, email.policy, re, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
html, images = "", {}
for part in msg.walk():
    if part.get_content_type() == "text/html":
        html = part.get_content()
    elif part.get_content_type() == "image/png":
        images[part["Content-ID"].strip("<>")] = part.get_payload(decode=True)
html = re.sub(r'cid:([^"]+)', lambda m: "data:image/png;base64," + base64.b64encode(images[m.group(1)]).decode(), html)
open(sys.argv[2], "w", encoding="utf-8").write(html)
PY
}
"$build/labourwatch" render --config "$conf" uddannelseshjaelp-2024 --date 2024-07-15 --format eml >"$work/mail.eml"
eml_to_html "$work/mail.eml" "$work/mail.html"
shot "$work/mail.html" 600 1040 "$out/mail-2024-07-15.png"
/usr/bin/python3 - "$conf" "$work/en.yaml" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read().replace("\nrecipients:\n", "\nrecipients:\n  english:\n    display_name: Head of Jobcentre (demo)\n    email: head@example.invalid\n    language: en\n", 1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
"$build/labourwatch" render --config "$work/en.yaml" uddannelseshjaelp-2024 --recipient english --date 2024-07-15 --format eml >"$work/mail-en.eml"
eml_to_html "$work/mail-en.eml" "$work/mail-en.html"
shot "$work/mail-en.html" 600 1040 "$out/mail-en-2024-07-15.png"
"$build/labourwatch" render --config "$conf" fleksjob-2024 --date 2024-07-15 --format png >"$out/chart-fleksjob-2024-07-15.png"
pdftoppm -r 60 -png -f 1 -l 1 "$work/juli.pdf" "$work/page"
convert "$work"/page-*1.png -strip -colors 96 "$out/report-pdf-cover.png"
pdftoppm -r 60 -png -f 5 -l 5 "$work/juli.pdf" "$work/goal"
convert "$work"/goal-*5.png -strip -colors 96 "$out/report-pdf-goal.png"
ls -l "$out"
