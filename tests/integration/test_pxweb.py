# SPDX-License-Identifier: GPL-2.0-or-later
"""kind: pxweb against a scripted PxWeb API on 127.0.0.1 (issue 11 §3).

The server answers like a PxWeb API v1 host (Statistics Sweden's shape): GET on a table gives its
metadata (variables with codes and texts), POST of a JSON query gives JSON-stat 2.0. Asserted: the
selection given by texts is sent as codes in PxWeb's query shape asking for json-stat2; what is
stored; an unchanged `updated` stamp skips the data request; 400/403/429 bodies are quoted in the
one error line and the store stays byte-for-byte unchanged; an unknown label lists candidates and
sends no query. And the Nordic example configuration in etc/examples/nordic/ passes `check`.

Run: LW_CLI=build/labourwatch LW_SOURCE_DIR=. /usr/bin/python3 tests/integration/test_pxweb.py
"""

import json
import os
import sqlite3
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_server import Response, ServerTestCase  # noqa: E402

SRC = Path(os.environ.get("LW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("LW_CLI", str(SRC / "build" / "labourwatch"))
PROV = SRC / "tests" / "data" / "providers"
TABLE = "/api/v1/sv/ssd/AM/AM0210/AM0210A/ArbStatusM"

CONFIG = """\
state_dir: {state}
sources:
  scb:
    kind: pxweb
    base_url: {base}/api/v1/sv/ssd/
    timeout: 2s
    schedule:
      interval: 1d
series:
  arbetslosa_sthlm:
    source: scb
    table: AM/AM0210/AM0210A/ArbStatusM
    select:
      region: {region}
    measure: Antal arbetslösa
    frequency: month
"""


class PxWebTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.write_config()

    def write_config(self, region="Stockholm"):
        self.config = self.dir / "labourwatch.yaml"
        self.config.write_text(CONFIG.format(state=self.dir / "state", base=self.srv.url(""), region=region),
                               encoding="utf-8")

    def serve(self, meta="pxweb_meta_scb.json", data=None):
        meta_r = Response.fixture(PROV / meta)
        data_r = data or Response.fixture(PROV / "pxweb_data_scb.json")

        def handler(req):
            return data_r if req.method == "POST" else meta_r
        self.srv.route(TABLE, handler)

    def run_cli(self, *args):
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", LABOURWATCH_LOG_LEVEL="info")
        wrap = (["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                 "--error-exitcode=99"] if os.environ.get("LW_TEST_VALGRIND") else [])
        return subprocess.run([*wrap, CLI, args[0], "--config", str(self.config), *args[1:]], env=env,
                              capture_output=True, text=True, timeout=120)

    def rows(self):
        path = self.dir / "state" / "labourwatch.db"
        if not path.exists():
            return []
        with sqlite3.connect(path) as c:
            return c.execute("SELECT * FROM observations ORDER BY id").fetchall()

    def current(self):
        with sqlite3.connect(self.dir / "state" / "labourwatch.db") as c:
            return dict(c.execute("SELECT period, value FROM observations WHERE series = 'arbetslosa_sthlm' "
                                  "AND superseded_at IS NULL").fetchall())

    def posts(self):
        return [r for r in self.srv.requests(TABLE) if r.method == "POST"]

    def assert_failed(self, p, before, *needles):
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.rows(), before, "a refused response changed the store")
        errs = [l for l in p.stderr.splitlines() if l.startswith("<3>") and "SERIES=arbetslosa_sthlm" in l]
        self.assertEqual(len(errs), 1, p.stderr)
        for n in needles:
            self.assertIn(n, errs[0])
        return errs[0]

    def test_fetch_sends_codes_and_stores(self):
        self.serve()
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("arbetslosa_sthlm: 6 new periods", p.stdout)
        cur = self.current()
        self.assertEqual(cur["2024M01"], 31204)
        self.assertEqual(cur["2024M05"], 29501)
        self.assertIsNone(cur["2024M06"])  # published without a figure
        gets = [r for r in self.srv.requests(TABLE) if r.method == "GET"]
        self.assertEqual(len(gets), 1)
        self.assertEqual(len(self.posts()), 1)
        post = self.posts()[0]
        self.assertRegex(post.header("Content-Type") or "", r"^application/json")
        self.assertEqual(json.loads(post.body), {
            "query": [{"code": "Region", "selection": {"filter": "item", "values": ["0180"]}},
                      {"code": "ContentsCode", "selection": {"filter": "item", "values": ["000006TJ"]}},
                      {"code": "Tid", "selection": {"filter": "all", "values": ["*"]}}],
            "response": {"format": "json-stat2"}})
        # selection by code gives the same request
        self.srv.reset_counts()
        self.write_config(region="0180")
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(json.loads(self.posts()[0].body)["query"][0]["selection"]["values"], ["0180"])

    def test_unchanged_table_is_not_downloaded(self):
        self.serve(meta="pxweb_meta_scb_updated.json")
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        before = self.rows()
        self.srv.reset_counts()
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(len(self.posts()), 0, "data asked for although `updated` did not change")
        self.assertEqual(self.srv.count(TABLE), 1)
        self.assertEqual(self.rows(), before)

    def test_service_errors_change_nothing(self):
        self.serve()
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        before = self.rows()
        for name, status, text in (("pxweb_400.txt", 400, "Parameter error: the value 9999 does not exist"),
                                   ("pxweb_403.txt", 403, "exceeds the maximum number of values per query"),
                                   ("pxweb_429.txt", 429, "Too many requests in too short timeframe")):
            with self.subTest(name):
                self.serve(data=Response.fixture(PROV / name))
                p = self.run_cli("fetch", "arbetslosa_sthlm")
                self.assert_failed(p, before, self.srv.url(TABLE), f"HTTP {status}", text,
                                   f"HTTP_STATUS={status}")
        # 429 is handled like every provider's: the source waits Retry-After (10 s here) before its next try
        with sqlite3.connect(self.dir / "state" / "labourwatch.db") as c:
            c.row_factory = sqlite3.Row
            st = dict(c.execute("SELECT * FROM source_state WHERE key = 'scb'").fetchone())
        self.assertIn("429", st["last_error"])
        self.assertGreaterEqual(st["consecutive_failures"], 1)
        self.assertIn("Retry-After", p.stderr)
        # an error message with status 200 is refused too
        self.serve(data=Response(headers={"Content-Type": "application/json"},
                                 body='{"error": "Query returned no data"}'))
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        self.assert_failed(p, before, '"Query returned no data"', "HTTP 200")

    def test_unknown_label_sends_no_query(self):
        self.write_config(region="Stokholm")
        self.serve()
        p = self.run_cli("fetch", "arbetslosa_sthlm")
        err = self.assert_failed(p, [], "value 'Stokholm' is neither a code nor a text", "0180 (Stockholm)")
        self.assertNotIn("Traceback", err)
        self.assertEqual(len(self.posts()), 0)

    def test_nordic_example_checks(self):
        d = SRC / "etc" / "examples" / "nordic"
        p = subprocess.run([CLI, "check", "--config", str(d / "labourwatch.yaml")], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("configuration OK: 2 sources, 2 series, 1 goal,", p.stdout + p.stderr)
        p = subprocess.run([CLI, "test", str(d / "tests" / "oeresund-2024.yaml")], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("1 test, 0 failed", p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
