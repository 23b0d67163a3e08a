# SPDX-License-Identifier: GPL-2.0-or-later
"""Accessibility of what people read (issue 20 §4): the HTML report (Danish and English) and the HTML
mail pass axe-core at WCAG 2.1 A and AA with no violation, run in headless Chromium. axe-core is the
npm package pinned in tests/a11y/package-lock.json, installed by packaging/install-deps.sh --test
(npm ci --prefix tests/a11y); the test fails, and says so, when it is missing.

How: a copy of the page gets axe.min.js inlined and a script that runs axe.run() and writes the
result as JSON into a <pre>; chromium --dump-dom prints the DOM after the run. (A file:// page cannot
read a report in an iframe: another origin.)"""

import base64
import email
import email.policy
import html as htmllib
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_report  # noqa: E402  the demo report's setup: daemon --once on the bundled demo

SOURCE_DIR = test_report.SOURCE_DIR
AXE = os.path.join(SOURCE_DIR, "tests", "a11y", "node_modules", "axe-core", "axe.min.js")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN = """<script>window.addEventListener('load', function () {
  axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']}).then(function (r) {
    var p = document.createElement('pre'); p.id = 'lw-axe';
    p.textContent = JSON.stringify({version: axe.version, passes: r.passes.length,
      violations: r.violations.map(function (v) {
        return {id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(function (n) { return {target: n.target, summary: n.failureSummary}; })}; })});
    document.body.appendChild(p);
  }, function (e) { var p = document.createElement('pre'); p.id = 'lw-axe';
    p.textContent = JSON.stringify({error: String(e)}); document.body.appendChild(p); });
});</script>""" % json.dumps(TAGS)


class A11y(unittest.TestCase):
    setUpClass = test_report.Report.__dict__["setUpClass"]
    tearDownClass = test_report.Report.__dict__["tearDownClass"]
    stop_server = test_report.Report.__dict__["stop_server"]
    run_cli = test_report.Report.__dict__["run_cli"]
    read = test_report.Report.read
    chromium = test_report.Report.chromium
    mail = test_report.Report.mail

    def axe(self, page, name):
        """The axe-core result for the HTML text page, as {version, passes, violations}."""
        if not os.path.exists(AXE):
            self.fail("%s is missing: run npm ci --prefix tests/a11y (packaging/install-deps.sh --test)" % AXE)
        with open(AXE, encoding="utf-8") as f:
            script = "<script>" + f.read().replace("</script", "<\\/script") + "</script>" + RUN
        probe = os.path.join(self.work, name + "-axe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(page.replace("</body>", script + "</body>") if "</body>" in page else page + script)
        p = self.chromium("--window-size=600,900", "--virtual-time-budget=30000", "--dump-dom", "file://" + probe)
        m = re.search(r'<pre id="lw-axe">(.*?)</pre>', p.stdout, re.S)
        self.assertTrue(m, "axe did not run: " + p.stderr[-2000:])
        got = json.loads(htmllib.unescape(m.group(1)))
        self.assertNotIn("error", got)
        return got

    def assertNoViolations(self, page, name):
        got = self.axe(page, name)
        self.assertEqual([(v["id"], [n["target"] for n in v["nodes"]][:5], v["help"]) for v in got["violations"]], [],
                         "axe-core %s on %s" % (got["version"], name))
        # it checked something: a page axe could not read would pass with nothing checked
        self.assertGreater(got["passes"], 10, name)

    def test_axe_is_the_pinned_version(self):
        with open(os.path.join(SOURCE_DIR, "tests", "a11y", "package-lock.json"), encoding="utf-8") as f:
            pinned = json.load(f)["packages"]["node_modules/axe-core"]["version"]
        with open(os.path.join(os.path.dirname(AXE), "package.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["version"], pinned, "run npm ci --prefix tests/a11y")

    def test_report_da(self):
        self.assertNoViolations(self.read(self.mid), "report-da")

    def test_report_en(self):
        en = os.path.join(self.work, "a11y-en.html")
        self.run_cli("report", "--config", self.config, "--date", "2024-07-15", "--language", "en", "--output", en)
        self.assertNoViolations(self.read(en), "report-en")

    def test_mail(self):
        for goal in ("uddannelseshjaelp-2024", "fleksjob-2024"):
            with self.subTest(goal=goal):
                msg, html, images, shown = self.mail(goal)
                # the headings a sighted reader sees, as headings: the plan, then the goal
                self.assertEqual(re.findall(r"<h1[^>]*>([^<]*)</h1>", html), ["Beskæftigelsesplan 2024"])
                self.assertEqual(len(re.findall(r"<h2[^>]*>[^<]+</h2>", html)), 1)
                self.assertNoViolations(shown, "mail-" + goal)

    def test_mail_en(self):
        """The English templates: a recipient with language: en, added to a copy of the demo's config."""
        config = os.path.join(self.work, "a11y-en.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(self.read(self.config).replace(
                "recipients:\n", "recipients:\n  committee-en:\n    display_name: Committee (English)\n"
                "    email: committee@example.invalid\n    language: en\n", 1))
        p = self.run_cli("render", "--config", config, "uddannelseshjaelp-2024", "--date", "2024-07-15",
                         "--recipient", "committee-en", "--format", "eml")
        msg = email.message_from_bytes(p.stdout, policy=email.policy.default)
        parts = {part.get_content_type(): part for part in msg.walk()}
        html = parts["text/html"].get_content()
        self.assertIn('<html lang="en">', html)
        png = base64.b64encode(parts["image/png"].get_payload(decode=True)).decode()
        self.assertNoViolations(re.sub(r'cid:[^"]+', "data:image/png;base64," + png, html), "mail-en")

    def test_axe_finds_a_violation(self):
        """The harness itself: a page with an image without alt text and low-contrast text fails."""
        got = self.axe('<!DOCTYPE html><html lang="da"><head><title>x</title></head><body><main>'
                       '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1">'
                       '<p style="color:#eee;background:#fff">lav kontrast</p></main></body></html>', "bad")
        self.assertEqual(sorted(v["id"] for v in got["violations"]), ["color-contrast", "image-alt"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
