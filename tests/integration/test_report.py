# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch report on the bundled demo (Herlev 2024), checked in a real browser and as PDF pages:
the HTML report is one self-contained file (every image a data: URI, no request leaves the page),
its charts decode to 1200x600 PNGs under the mail budget, headless Chromium renders it at 600 px
without anything overflowing, and the PDF report converts (pdftoppm) to non-blank A4 pages that say
what the HTML says. Needs chromium, poppler-utils and imagemagick (packaging/install-deps.sh --test)."""

import base64
import email
import email.policy
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwtest  # noqa: E402

SOURCE_DIR = os.path.abspath(os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")))
DAEMON = os.environ.get("LW_DAEMON")
CLI = os.environ.get("LW_CLI")
DEMO = os.path.join(SOURCE_DIR, "etc", "demo")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCALE = float(os.environ.get("LW_TIMEOUT_SCALE") or 1)  # set by tests/CMakeLists.txt

GOALS = ["fleksjob-2024", "uddannelseshjaelp-2024", "sygedagpenge-fald-2024", "sygedagpenge-vs-landet-2024",
         "virksomhedsrettede-tilbud-2024", "kurser-2024", "rekruttering-match-2024", "smaajob-2024",
         "flygtninge-selvforsoergelse-2024", "benchmark-top10-2024"]

# Appended to a copy of the report (the report itself has no script): what the browser made of it.
PROBE = """<script>window.addEventListener('load', function () {
  var over = [].filter.call(document.querySelectorAll('body *'), function (e) {
    return e.getBoundingClientRect().right > window.innerWidth + 0.5; }).map(function (e) { return e.tagName; });
  var images = [].map.call(document.images, function (i) {
    return {complete: i.complete, w: i.naturalWidth, h: i.naturalHeight, shown: i.getBoundingClientRect().width}; });
  var p = document.createElement('pre'); p.id = 'lw-probe';
  p.textContent = JSON.stringify({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    over: over, images: images,
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })});
  document.body.appendChild(p); });</script>"""


def png_size(data):
    """(width, height) from a PNG's IHDR; asserts the signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def image_stats(path):
    """(width, height, standard deviation 0..1, mean 0..1) through ImageMagick."""
    out = subprocess.run(["convert", path, "-colorspace", "Gray", "-format", "%w %h %[fx:standard_deviation] %[fx:mean]",
                          "info:"], capture_output=True, text=True, timeout=120 * SCALE, check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), float(out[3])


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not DAEMON or not CLI or not os.access(DAEMON, os.X_OK) or not os.access(CLI, os.X_OK):
            raise RuntimeError("LW_DAEMON and LW_CLI must name the built programs (run through ctest)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lw-report-")
        cls.work = cls.tmp.name
        os.mkdir(os.path.join(cls.work, "state"), 0o700)
        os.mkdir(os.path.join(cls.work, "outbox"), 0o700)
        os.mkdir(os.path.join(cls.work, "home"), 0o700)
        token_file = os.path.join(cls.work, "jobindsats.token")
        with open(os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write("report-test-token\n")
        cls.server, port = lwtest.start_demo_server(DEMO, cls.work, token_file,
                                                    os.path.join(cls.work, "requests.log"),
                                                    stdout=subprocess.DEVNULL)
        cls.config = lwtest.write_demo_config(DEMO, cls.work, port, SOURCE_DIR)
        p = subprocess.run([DAEMON, "--once", "--config", cls.config], capture_output=True, text=True,
                           env=dict(os.environ, LABOURWATCH_LOG_TARGET="stderr"), timeout=300 * SCALE)
        cls.stop_server()
        if p.returncode != 0:
            raise RuntimeError("labourwatchd --once failed: " + p.stderr)
        cls.mid = os.path.join(cls.work, "mid.html")
        cls.run_cli("report", "--config", cls.config, "--date", "2024-07-15", "--output", cls.mid)

    @classmethod
    def tearDownClass(cls):
        cls.stop_server()
        cls.tmp.cleanup()

    @classmethod
    def stop_server(cls):
        lwtest.stop_process(cls.server)

    @classmethod
    def run_cli(cls, *args, ok=True):
        p = subprocess.run([CLI, *args], capture_output=True, timeout=300 * SCALE)
        if ok and p.returncode != 0:
            raise AssertionError("labourwatch %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode()))
        return p

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            return f.read()

    def chromium(self, *args):
        if not CHROMIUM:
            self.fail("chromium is not installed (packaging/install-deps.sh --test installs it)")
        env = dict(os.environ, HOME=os.path.join(self.work, "home"))
        return subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
                               "--no-first-run", "--disable-extensions", "--disable-background-networking",
                               "--disable-sync", "--disable-component-update", *args],
                              capture_output=True, text=True, timeout=180 * SCALE, env=env)

    # -- the HTML file itself ----------------------------------------------------------------------

    def test_html_cover_and_sections(self):
        html = self.read(self.mid)
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertIn('<html lang="da">', html)
        self.assertIn("Herlev Kommune", html)
        self.assertIn("<h1>Beskæftigelsesplan 2024</h1>", html)
        self.assertIn("Status pr. 15. juli 2024", html)
        # the demo's mid-year verdicts (etc/demo/README.md): 6 on track, 3 at risk, 1 off track
        self.assertIn("10 mål: 6 på sporet, 3 i fare, 1 ikke på sporet", html)
        self.assertEqual(re.findall(r'<section id="goal-([^"]+)"', html), GOALS)
        # one summary row per goal, linking to its section
        self.assertEqual(re.findall(r'<tr><td><a href="#goal-([^"]+)"', html), GOALS)
        # Danish formatting: the fleksjob average and the share with a decimal comma
        self.assertRegex(html, r">386,1</td>")
        self.assertIn("57,3 %", html)
        # provenance: the Jobindsats table of fleksjob and the fetch date
        # (the source by its display name: issue 23)
        self.assertRegex(html, r"<td>Jobindsats</td><td>Y08A02</td><td>\d+\. \w+ \d{4}</td>")
        self.assertNotIn("<td>internal</td>", html)
        self.assertIn("<td>Jobcentrets egne tal</td>", html)
        # issue 17 §3: the chance in words under the badge of every goal (all are open mid-year), the
        # sentence of eval
        chances = re.findall(r'<section id="goal-([^"]+)">\n<h2>[^<]*</h2>\n<p>.*?</p>\n<p class="chance">([^<]+)</p>',
                             html)
        self.assertEqual([g for g, _ in chances], GOALS)
        for _, c in chances:
            self.assertRegex(c, r"^Målet (nås næppe|nås sandsynligvis|kan nås|er i fare): (ca\. \d+|under 5|over 95) % "
                                r"chance\. 80 % sikkert mellem (nr\. )?\S+ og (nr\. )?\S+( \S+)?\.$")
        self.assertIn("80 % sikkert mellem nr. ", dict(chances)["benchmark-top10-2024"])
        self.assertIn("Målet nås næppe: under 5 % chance. 80 % sikkert mellem 104 og 108 fuldtidspersoner.",
                      dict(chances)["uddannelseshjaelp-2024"])

    def test_html_is_self_contained(self):
        html = self.read(self.mid)
        refs = re.findall(r'\b(src|href)\s*=\s*"([^"]*)"', html)
        self.assertTrue(refs)
        for attr, value in refs:
            if attr == "src":
                self.assertTrue(value.startswith("data:image/png;base64,"), value[:60])
            else:
                self.assertTrue(value.startswith("#"), value)
        self.assertNotRegex(html, r"(?i)<(link|script|iframe|object|embed)\b")
        self.assertNotRegex(html, r"(?i)url\(")  # no CSS resource either

    def test_charts_are_valid_pngs_under_budget(self):
        html = self.read(self.mid)
        images = re.findall(r'<img class="chart" width="600" height="300" alt="([^"]+)" src="data:image/png;base64,([^"]+)"',
                            html)
        self.assertEqual(len(images), 10)
        for alt, b64 in images:
            png = base64.b64decode(b64, validate=True)
            self.assertEqual(png_size(png), (1200, 600))
            self.assertLess(len(png), 40 * 1024, alt)
            self.assertTrue(png.endswith(b"IEND\xaeB`\x82"))
            # the alt text states the verdict
            self.assertRegex(alt, r"^Diagram over .+: (På sporet|I fare|Ikke på sporet)\. Værdi .+; måltal (mindst|højst) ")

    def test_final_and_english(self):
        final = os.path.join(self.work, "final.html")
        self.run_cli("report", "--config", self.config, "--date", "2025-06-01", "--output", final)
        self.assertIn("10 mål: 8 nået, 2 ikke nået", self.read(final))
        self.assertNotIn('<p class="chance">', self.read(final))  # a result, no chance
        self.assertNotIn("% chance", self.read(final))
        en = os.path.join(self.work, "en.html")
        self.run_cli("report", "--config", self.config, "--date", "2024-07-15", "--language", "en", "--output", en)
        html = self.read(en)
        self.assertIn('<html lang="en">', html)
        self.assertIn("10 goals: 6 on track, 3 at risk, 1 off track", html)
        self.assertIn("Status as of 15 July 2024", html)
        self.assertIn(">386.1</td>", html)
        self.assertIn('<p class="chance">The target will hardly be met: under 5% chance. 80% likely between 104 and '
                      '108 full-time persons.</p>', html)
        self.assertNotIn("sikkert", html)

    def test_errors(self):
        p = self.run_cli("report", "--config", self.config, "--plan", "Ingen plan", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no goal belongs to the plan 'Ingen plan'", p.stderr)
        p = self.run_cli("report", "--config", self.config, "--format", "docx", ok=False)
        self.assertEqual(p.returncode, 2)
        # stdout when no --output
        p = self.run_cli("report", "--config", self.config, "--date", "2024-07-15")
        self.assertTrue(p.stdout.startswith(b"<!DOCTYPE html>"))

    def test_revision_listed_and_marked(self):
        """A figure revised after the first fetch shows in the goal's section, with its old and new value;
        --since after the revision leaves it out."""
        work = tempfile.mkdtemp(dir=self.work)
        config = os.path.join(work, "labourwatch.yaml")
        shutil.copytree(os.path.join(self.work, "state"), os.path.join(work, "state"))
        with open(config, "w", encoding="utf-8") as f:
            f.write(self.read(self.config).replace(os.path.join(self.work, "state"), os.path.join(work, "state")))
        csv = os.path.join(work, "smaajob.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("periode;personer\n2024M05;9\n")
        self.run_cli("import", "--config", config, "smaajob_personer", csv)
        out = os.path.join(work, "r.html")
        self.run_cli("report", "--config", config, "--date", "2024-07-15", "--output", out)
        html = self.read(out)
        section = html[html.index('<section id="goal-smaajob-2024"'):]
        section = section[:section.index("</section>")]
        self.assertRegex(section, r"<li>smaajob_personer, maj 2024: \d+ → 9 \(revideret \d+\. \w+ \d{4}\)</li>")
        other = html[html.index('<section id="goal-fleksjob-2024"'):]
        self.assertIn("Ingen af periodens tal er revideret.", other[:other.index("</section>")])
        self.run_cli("report", "--config", config, "--date", "2024-07-15", "--since", "2999-01-01", "--output", out)
        html = self.read(out)
        section = html[html.index('<section id="goal-smaajob-2024"'):]
        self.assertIn("Ingen tal revideret siden 1. januar 2999.", section[:section.index("</section>")])

    # -- in a real browser ---------------------------------------------------------------------------

    def test_browser_renders_within_600px(self):
        probe = os.path.join(self.work, "probe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(self.read(self.mid).replace("</body>", PROBE + "</body>"))
        p = self.chromium("--window-size=600,900", "--virtual-time-budget=5000", "--dump-dom", "file://" + probe)
        m = re.search(r'<pre id="lw-probe">(.*?)</pre>', p.stdout, re.S)
        self.assertTrue(m, "the page did not load: " + p.stderr[-2000:])
        got = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        self.assertEqual(got["innerWidth"], 600)
        self.assertLessEqual(got["scrollWidth"], 600, got)
        self.assertEqual(got["over"], [], "elements beyond 600 px")
        self.assertEqual(got["resources"], [], "the page requested something")
        self.assertEqual(len(got["images"]), 10)
        for im in got["images"]:
            self.assertTrue(im["complete"])
            self.assertEqual((im["w"], im["h"]), (1200, 600), "decoded at its full size")
            self.assertLessEqual(im["shown"], 600)
            self.assertGreater(im["shown"], 400)

    def test_browser_screenshot(self):
        shot = os.path.join(self.work, "shot.png")
        p = self.chromium("--window-size=600,2400", "--screenshot=" + shot, "file://" + self.mid)
        self.assertTrue(os.path.exists(shot), p.stderr[-2000:])
        with open(shot, "rb") as f:
            self.assertEqual(png_size(f.read(24)), (600, 2400))
        w, h, sd, mean = image_stats(shot)
        self.assertEqual((w, h), (600, 2400))
        self.assertGreater(sd, 0.05, "a blank page")
        self.assertGreater(mean, 0.6, "mostly white paper, dark text")
        # the first chart is on it: the chart's blue (#0072B2) appears
        out = subprocess.run(["convert", shot, "-fuzz", "8%", "-fill", "black", "-opaque", "#0072B2",
                              "-fill", "white", "+opaque", "black", "-format", "%[fx:1-mean]", "info:"],
                             capture_output=True, text=True, timeout=120 * SCALE, check=True).stdout
        self.assertGreater(float(out), 0.0005, "no chart line in the screenshot")

    # -- the goal's chart alone and in the e-mail ---------------------------------------------------

    def test_render_chart_alone(self):
        p = self.run_cli("render", "--config", self.config, "fleksjob-2024", "--date", "2024-07-15", "--format", "png")
        self.assertEqual(png_size(p.stdout), (1200, 600))
        self.assertLess(len(p.stdout), 40 * 1024)
        p = self.run_cli("render", "--config", self.config, "benchmark-top10-2024", "--date", "2024-07-15",
                         "--format", "svg")
        self.assertIn(b"<svg", p.stdout)
        p = self.run_cli("render", "--config", self.config, "smaajob-2024", "--format", "pdf")
        self.assertTrue(p.stdout.startswith(b"%PDF-"))

    def mail(self, goal):
        """The e-mail render --format eml builds for goal on 15 July 2024, parsed; and its HTML part with
        the cid: references replaced by data: URIs, as a mail client shows it."""
        p = self.run_cli("render", "--config", self.config, goal, "--date", "2024-07-15", "--format", "eml")
        msg = email.message_from_bytes(p.stdout, policy=email.policy.default)
        html, images = None, {}
        for part in msg.walk():
            if part.get_content_type() == "text/html":
                html = part.get_content()
            elif part.get_content_type() == "image/png":
                images[part["Content-ID"].strip("<>")] = part.get_payload(decode=True)
        shown = re.sub(r'cid:([^"]+)', lambda m: "data:image/png;base64," +
                       base64.b64encode(images[m.group(1)]).decode(), html)
        return msg, html, images, shown

    def test_mail_has_the_chart_inline(self):
        msg, html, images, shown = self.mail("uddannelseshjaelp-2024")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        kinds = [part.get_content_type() for part in msg.walk()]
        self.assertEqual(kinds, ["multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png"])
        (cid, png), = images.items()
        self.assertEqual(png_size(png), (1200, 600))
        self.assertIn('src="cid:%s"' % cid, html)
        self.assertRegex(html, r'alt="Diagram over Uddannelseshjælp ned til 95 fuldtidspersoner i 2024: Ikke på sporet\. '
                               r'Værdi 108,7 fuldtidspersoner; måltal højst 95 fuldtidspersoner\. '
                               # what the fan shows, in words (issue 17 §3)
                               r'Målet nås næppe: under 5 % chance\. 80 % sikkert mellem 104 og 108 fuldtidspersoner\."')
        # the text part has no chart and says the same as without one
        text = [part for part in msg.walk() if part.get_content_type() == "text/plain"][0].get_content()
        self.assertNotIn("cid:", text)

        probe = os.path.join(self.work, "mail-probe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(shown.replace("</body>", PROBE + "</body>") if "</body>" in shown else shown + PROBE)
        p = self.chromium("--window-size=600,900", "--virtual-time-budget=5000", "--dump-dom", "file://" + probe)
        m = re.search(r'<pre id="lw-probe">(.*?)</pre>', p.stdout, re.S)
        self.assertTrue(m, p.stderr[-2000:])
        got = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        self.assertLessEqual(got["scrollWidth"], 600, got)
        self.assertEqual(got["over"], [])
        self.assertEqual(got["resources"], [])
        self.assertEqual([(i["complete"], i["w"], i["h"]) for i in got["images"]], [(True, 1200, 600)])
        self.assertLessEqual(got["images"][0]["shown"], 600)

    # -- PDF -------------------------------------------------------------------------------------------

    def test_pdf_pages(self):
        pdf = os.path.join(self.work, "report.pdf")
        self.run_cli("report", "--config", self.config, "--date", "2024-07-15", "--format", "pdf", "--output", pdf)
        with open(pdf, "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")
        pages_dir = tempfile.mkdtemp(dir=self.work)
        subprocess.run(["pdftoppm", "-r", "40", "-png", pdf, os.path.join(pages_dir, "page")], check=True,
                       timeout=300 * SCALE)
        pages = sorted(os.listdir(pages_dir))
        # a cover (one page for ten goals), then a page per goal
        self.assertEqual(len(pages), 11, pages)
        for name in pages:
            w, h, sd, mean = image_stats(os.path.join(pages_dir, name))
            self.assertEqual((w, h), (331, 468), name)  # A4 at 40 dpi
            self.assertGreater(sd, 0.03, name + " is blank")
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True,
                              timeout=120 * SCALE).stdout
        self.assertIn("Herlev Kommune", text)
        self.assertIn("Status pr. 15. juli 2024", text)
        self.assertIn("10 mål: 6 på sporet, 3 i fare, 1 ikke på sporet", text)
        self.assertIn("Mindst 380 fuldtidspersoner i fleksjob i 2024", text)
        # the chance in words on the goal's page, and the fan in the chart's legend
        self.assertIn("Målet nås næppe: under 5 % chance. 80 % sikkert mellem 104 og 108", text)
        self.assertIn("80 % sikkert inden for", text)
        # the value column clears the widest label (it used to overprint "Gennemsnit januar–juni 2024")
        self.assertRegex(text, r"Gennemsnit januar–juni 2024 +108,7 fuldtidspersoner")
        self.assertEqual(text.count("\f"), 11)

    def test_pdf_structure(self):
        """The PDF is tagged (issue 20 §4): pdfinfo -struct-text (poppler) reads the structure tree back."""
        pdf = os.path.join(self.work, "tagged.pdf")
        self.run_cli("report", "--config", self.config, "--date", "2024-07-15", "--format", "pdf", "--output", pdf)
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True, timeout=120 * SCALE).stdout
        self.assertRegex(info, r"(?m)^Tagged: +yes$")
        self.assertRegex(info, r"(?m)^Title: +Beskæftigelsesplan 2024 – Herlev Kommune$")
        out = subprocess.run(["pdfinfo", "-struct-text", pdf], capture_output=True, text=True, check=True,
                             timeout=120 * SCALE).stdout
        # "  Name (block)" opens an element at its depth; '    "text"' is the text of the element above
        tree, stack = [], []
        for line in out.splitlines():
            depth = (len(line) - len(line.lstrip(" "))) // 2
            body = line.strip()
            if not body:
                continue
            if body.startswith('"'):
                stack[-1]["text"] += body[1:-1]
                continue
            node = {"name": body.split()[0], "text": "", "kids": []}
            del stack[depth:]
            (stack[-1]["kids"] if stack else tree).append(node)
            stack.append(node)

        def text(n):
            return n["text"] + "".join(text(k) for k in n["kids"])

        def find(n, name):
            return ([n] if n["name"] == name else []) + [x for k in n["kids"] for x in find(k, name)]

        self.assertEqual([n["name"] for n in tree], ["Document"])
        doc = tree[0]
        self.assertEqual([text(h) for h in find(doc, "H1")], ["Beskæftigelsesplan 2024"])
        sects = [k for k in doc["kids"] if k["name"] == "Sect"]
        self.assertEqual(len(sects), len(GOALS))
        # each goal's page: its title as H2, then H3 Kilder and Reviderede tal, in reading order
        titles = [text(s["kids"][0]) for s in sects]
        self.assertEqual([s["kids"][0]["name"] for s in sects], ["H2"] * len(GOALS))
        self.assertEqual(titles[0], "Mindst 380 fuldtidspersoner i fleksjob i 2024")
        self.assertEqual(titles[1], "Uddannelseshjælp ned til 95 fuldtidspersoner i 2024")
        for s in sects:
            self.assertEqual([text(h) for h in find(s, "H3")], ["Kilder", "Reviderede tal"])
        # the summary table: a header row and a row per goal, the goal's title in its first cell
        summary = [k for k in doc["kids"] if k["name"] == "Table"]
        self.assertEqual(len(summary), 1)
        rows = summary[0]["kids"]
        self.assertEqual([[c["name"] for c in r["kids"]] for r in rows],
                         [["TH"] * 5] + [["TD"] * 5] * len(GOALS))
        self.assertEqual([text(c) for c in rows[0]["kids"]], ["Mål", "Status", "Værdi", "Måltal", "Afvigelse"])
        self.assertEqual([text(r["kids"][0]) for r in rows[1:]], titles)  # wrapped lines keep their space
        self.assertEqual(text(rows[2]["kids"][1]), "Ikke på sporet")
        # one Figure a chart, its text alternative in a Caption inside it (cairo 1.16 writes no /Alt)
        figures = [f for s in sects for f in find(s, "Figure")]
        self.assertEqual(len(figures), len(GOALS))
        for s, t in zip(sects, titles):
            (f,) = find(s, "Figure")
            (c,) = find(f, "Caption")
            self.assertTrue(text(c).startswith("Diagram over " + t + ": "), text(c))
        self.assertEqual(text(find(figures[1], "Caption")[0]),
                         "Diagram over Uddannelseshjælp ned til 95 fuldtidspersoner i 2024: Ikke på sporet. "
                         "Værdi 108,7 fuldtidspersoner; måltal højst 95 fuldtidspersoner. "
                         "Målet nås næppe: under 5 % chance. 80 % sikkert mellem 104 og 108 fuldtidspersoner.")
        # the goal's figures as a table of header and value cells
        facts = [t for t in find(sects[1], "Table")]
        self.assertEqual(len(facts), 1)
        self.assertIn(["Gennemsnit januar–juni 2024", "108,7 fuldtidspersoner"],
                      [[text(c) for c in r["kids"]] for r in facts[0]["kids"]])
        self.assertTrue(all([c["name"] for c in r["kids"]] == ["TH", "TD"] for r in facts[0]["kids"]))
        # the document language (/Lang da) in the catalog
        with open(pdf, "rb") as f:
            self.assertRegex(f.read(), rb"/Lang *\(da\)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
