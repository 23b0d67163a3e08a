#!/bin/sh
# Parse benchmark: our Statistikbank CSV and JSON-stat parsers against /usr/bin/python3's csv and
# json modules doing the same extraction (one series out of a big body).
#
#   tests/bench/bench-parse.sh [BUILD_DIR] [WORK_DIR]
#
# Builds bench-parse in BUILD_DIR (Release; default /tmp/build-bench-parse), generates a ~50 MB
# Statistikbank BULK CSV and a ~30 MB JSON-stat 2.0 file in WORK_DIR (default a temp dir), and prints
# throughput (MB/s), peak RSS and the ratios. Goals: >= 5x python's throughput; peak memory
# <= 2x the file size (the body held in memory counts once).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-/tmp/build-bench-parse}
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
PY=/usr/bin/python3

cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build "$BUILD" --target bench-parse -j"$(nproc)" >/dev/null
BENCH="$BUILD/tests/bench-parse"

"$PY" - "$WORK" <<'PYEOF'
import sys, os, json, random
work = sys.argv[1]
random.seed(1)
areas = ["000"] + ["%03d" % c for c in range(101, 101 + 98)]          # 99 areas, 163 among them
types = ["TOT", "DAG", "KON", "UDD", "SYG", "FLEKS", "LED", "RES", "FOP", "JOB"]
sexes = ["TOT", "M", "K"]
ages = ["TOT", "16-29", "30-49", "50-66", "67+"]
quarters = ["%dK%d" % (y, q) for y in range(1995, 2025) for q in range(1, 5)]   # 120
csv_path = os.path.join(work, "bulk.csv")
if not os.path.exists(csv_path):
    with open(csv_path, "w", newline="") as f:
        f.write("OMRÅDE;YDELSESTYPE;KØN;ALDER;TID;INDHOLD\n")
        rnd = random.random
        for a in areas:
            for t in types:
                lines = []
                for s in sexes:
                    for g in ages:
                        for q in quarters:
                            v = ".." if rnd() < 0.01 else ("%.1f" % (rnd() * 5000)).replace(".", ",")
                            lines.append("%s;%s;%s;%s;%s;%s\n" % (a, t, s, g, q, v))
                f.write("".join(lines))
js_path = os.path.join(work, "big.json")
if not os.path.exists(js_path):
    months = ["%d-%02d" % (y, m) for y in range(2005, 2025) for m in range(1, 13)]   # 240
    dims = [("metric", ["FTP"]), ("geo", areas), ("ydelse", types), ("sex", sexes), ("age", ages), ("time", months)]
    n = 1
    for _, c in dims:
        n *= len(c)
    values = [None if random.random() < 0.01 else round(random.random() * 5000, 1) for _ in range(n)]
    doc = {"version": "2.0", "class": "dataset", "label": "bench", "id": [d for d, _ in dims],
           "size": [len(c) for _, c in dims], "role": {"time": ["time"], "metric": ["metric"], "geo": ["geo"]},
           "dimension": {d: {"label": d, "category": {"index": c}} for d, c in dims},
           "value": values}
    with open(js_path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
PYEOF

CSV="$WORK/bulk.csv"
JSN="$WORK/big.json"

py_csv() {
"$PY" - "$CSV" <<'PYEOF'
import sys, csv, time, resource, os
t0 = time.monotonic()
out = {}
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    r = csv.reader(f, delimiter=";")
    h = next(r)
    ia, it, ik, ig, iq, iv = (h.index(x) for x in ("OMRÅDE", "YDELSESTYPE", "KØN", "ALDER", "TID", "INDHOLD"))
    for row in r:
        if row[ia] == "163" and row[it] == "FLEKS" and row[ik] == "TOT" and row[ig] == "TOT":
            v = row[iv]
            out[row[iq]] = None if v in ("", "..") else float(v.replace(",", "."))
t1 = time.monotonic()
size = os.path.getsize(sys.argv[1])
print("python-csv bytes=%d seconds=%.4f mb_per_s=%.1f maxrss_kb=%d points=%d" % (
    size, t1 - t0, size / 1e6 / (t1 - t0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(out)))
PYEOF
}

py_json() {
"$PY" - "$JSN" <<'PYEOF'
import sys, json, time, resource, os
t0 = time.monotonic()
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
want = {"metric": "FTP", "geo": "163", "ydelse": "FLEKS", "sex": "TOT", "age": "TOT"}
ids, sizes = d["id"], d["size"]
strides = [1] * len(ids)
for k in range(len(ids) - 2, -1, -1):
    strides[k] = strides[k + 1] * sizes[k + 1]
base, tk = 0, None
for k, i in enumerate(ids):
    idx = d["dimension"][i]["category"]["index"]
    if i == "time":
        tk = k
        continue
    base += idx.index(want[i]) * strides[k]
out = {}
for t, code in enumerate(d["dimension"]["time"]["category"]["index"]):
    out[code] = d["value"][base + t * strides[tk]]
t1 = time.monotonic()
size = os.path.getsize(sys.argv[1])
print("python-json bytes=%d seconds=%.4f mb_per_s=%.1f maxrss_kb=%d points=%d" % (
    size, t1 - t0, size / 1e6 / (t1 - t0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(out)))
PYEOF
}

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

report() { # name ours python
        ours=$1 py=$2
        o_mbs=$(field "$ours" mb_per_s); p_mbs=$(field "$py" mb_per_s)
        o_rss=$(field "$ours" maxrss_kb); bytes=$(field "$ours" bytes)
        o_pts=$(field "$ours" points); p_pts=$(field "$py" points)
        echo "  ours:   $ours"
        echo "  python: $py"
        awk -v a="$o_mbs" -v b="$p_mbs" -v r="$o_rss" -v s="$bytes" -v op="$o_pts" -v pp="$p_pts" 'BEGIN {
                tr = a / b; mr = r * 1024 / s;
                printf "  throughput ratio %.1fx (goal >= 5x: %s); peak memory %.2fx file size (goal <= 2x: %s); points %s vs %s%s\n",
                        tr, (tr >= 5 ? "ok" : "MISSED"), mr, (mr <= 2 ? "ok" : "MISSED"), op, pp, (op == pp ? "" : " MISMATCH") }'
}

echo "Statistikbank BULK CSV ($(du -h "$CSV" | cut -f1)):"
report "$("$BENCH" statbank "$CSV")" "$(py_csv)"
echo "JSON-stat 2.0 ($(du -h "$JSN" | cut -f1)):"
report "$("$BENCH" jsonstat "$JSN")" "$(py_json)"
echo "(files kept in $WORK)"
