# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch fetch / import against a scripted HTTP server on 127.0.0.1.

For every failure shape: the command exits 1, the store is byte-for-byte unchanged (all rows of
observations), and stderr has one <3> line naming the URL, the HTTP status and reason, and never
the token. For the good paths: what is stored, revisions, conditional requests, and that an
unchanged Statistikbank `updated` stamp skips the data request.

Run: LW_CLI=build/labourwatch LW_SOURCE_DIR=. /usr/bin/python3 tests/integration/test_fetch.py
"""

import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_server import FixtureServer, Response, ServerTestCase, make_self_signed  # noqa: E402

SRC = Path(os.environ.get("LW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("LW_CLI", str(SRC / "build" / "labourwatch"))
PROV = SRC / "tests" / "data" / "providers"
TOKEN = "tok-SECRET-4711-do-not-log"

CONFIG = """\
state_dir: {state}
sources:
  dst:
    kind: statbank
    base_url: {base}/v1
    connect_timeout: 2s
    timeout: 2s
    max_response_size: 1MiB
    stale_after: 1s
    schedule:
      interval: 6h
  internal:
    kind: csv
    base_url: {base}/csv/
    timeout: 2s
    schedule:
      interval: 1h
{extra_sources}
series:
  fleks_herlev:
    source: dst
    table: AUK01
    select:
      OMRÅDE: Herlev
      YDELSESTYPE: Fleksjob
    frequency: quarter
  ordrer:
    source: internal
    path: rekruttering.csv
    column: ordrer
    frequency: month
  matchede:
    source: internal
    path: rekruttering.csv
    column: matchede
    frequency: month
  andel:
    expr: 100 * matchede / ordrer
    frequency: month
{extra_series}
"""

RECRUIT_CSV = "periode;ordrer;matchede\n2024M01;40;21\n2024M02;38;20\n2024M03;45;24\n"


def tableinfo(updated="2024-12-17T08:00:00"):
    """The AUK01 tableinfo fixture with another `updated` stamp."""
    r = Response.fixture(PROV / "tableinfo_AUK01_da.json")
    body = r.body.decode("utf-8")
    body = re.sub(r'"updated":\s*"[^"]*"', f'"updated": "{updated}"', body, count=1)
    r.body = body.encode("utf-8")
    return r


def data_csv(text):
    return Response(headers={"Content-Type": "text/csv; charset=utf-8"}, body=text)


class FetchTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.token_file = self.dir / "token"
        self.token_file.write_text(TOKEN + "\n")
        self.write_config()

    def write_config(self, extra_sources="", extra_series=""):
        self.config = self.dir / "labourwatch.yaml"
        self.config.write_text(CONFIG.format(state=self.dir / "state", base=self.srv.url(""),
                                             extra_sources=extra_sources, extra_series=extra_series),
                               encoding="utf-8")

    # -- helpers ---------------------------------------------------------------------------------

    def run_cli(self, *args, timeout=60, env_extra=None):
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", LABOURWATCH_LOG_LEVEL="info")
        env.pop("CREDENTIALS_DIRECTORY", None)
        env.update(env_extra or {})
        # LW_TEST_VALGRIND=1: run the CLI under valgrind; any definite leak or error fails (exit 99)
        wrap = (["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                 "--error-exitcode=99"] if os.environ.get("LW_TEST_VALGRIND") else [])
        p = subprocess.run([*wrap, CLI, args[0], "--config", str(self.config), *args[1:]], env=env,
                           capture_output=True, text=True, timeout=timeout)
        self.assertNotIn(TOKEN, p.stdout)
        self.assertNotIn(TOKEN, p.stderr)
        return p

    def fetch(self, *series, env_extra=None):
        return self.run_cli("fetch", *series, env_extra=env_extra)

    def db(self):
        return sqlite3.connect(self.dir / "state" / "labourwatch.db")

    def rows(self, series=None):
        path = self.dir / "state" / "labourwatch.db"
        if not path.exists():
            return []
        with self.db() as c:
            if series:
                return c.execute("SELECT * FROM observations WHERE series = ? ORDER BY id", (series,)).fetchall()
            return c.execute("SELECT * FROM observations ORDER BY id").fetchall()

    def current(self, series):
        with self.db() as c:
            return dict(c.execute("SELECT period, value FROM observations WHERE series = ? AND superseded_at IS NULL",
                                  (series,)).fetchall())

    def source_state(self, key):
        """A source's state ("dst"), or a series' ("dst/fleks_herlev", stored under
        "dst/fleks_herlev/FINGERPRINT")."""
        with self.db() as c:
            c.row_factory = sqlite3.Row
            rs = c.execute("SELECT * FROM source_state WHERE key = ? OR key LIKE ? ORDER BY key",
                           (key, key + "/%") if "/" in key else (key, key)).fetchall()
            self.assertLessEqual(len(rs), 1, [dict(r)["key"] for r in rs])
            return dict(rs[0]) if rs else None

    def serve_statbank(self, data=None, info=None):
        self.srv.route("/v1/tableinfo", info or tableinfo())
        self.srv.route("/v1/data", data or Response.fixture(PROV / "data_AUK01_csv_da_code.csv"))

    def seed(self):
        """A first good fetch of fleks_herlev; returns the rows stored."""
        self.serve_statbank()
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rows = self.rows()
        self.assertEqual(len(rows), 7)
        return rows

    def error_lines(self, stderr):
        return [l for l in stderr.splitlines() if l.startswith("<3>")]

    def assert_failed(self, p, before, *needles, series="fleks_herlev"):
        """Exit 1, store unchanged, exactly one error line per failed series naming the needles."""
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.rows(), before, "a failed fetch changed the store")
        errs = [l for l in self.error_lines(p.stderr) if f"SERIES={series}" in l]
        if os.environ.get("LW_TEST_VERBOSE"):
            print("\n" + "\n".join(errs), file=sys.stderr)
        self.assertEqual(len(errs), 1, p.stderr)
        for n in needles:
            self.assertIn(n, errs[0])
        self.assertRegex(p.stdout, rf"(?m)^{series}: error: ")
        return errs[0]

    # -- good paths ------------------------------------------------------------------------------

    def test_normal_then_unchanged_then_revision(self):
        self.serve_statbank()
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"fleks_herlev: 7 new periods \(2023Q1, ")
        self.assertEqual(self.current("fleks_herlev")["2024Q3"], 385.6)
        self.assertEqual(len(self.current("fleks_herlev")), 7)
        self.assertEqual(self.srv.count("/v1/tableinfo"), 1)
        self.assertEqual(self.srv.count("/v1/data"), 1)
        body = self.srv.requests("/v1/data")[0].body.decode()
        self.assertIn('"table":"AUK01"', body)
        self.assertIn("FLEKS", body)
        self.assertIn("<6>Fetched series fleks_herlev", p.stderr)
        # provenance
        with self.db() as c:
            src, table, sel, url = c.execute(
                "SELECT source, source_table, selection, url FROM observations WHERE series='fleks_herlev' LIMIT 1").fetchone()
        self.assertEqual((src, table), ("dst", "AUK01"))
        self.assertIn("163", sel)
        self.assertEqual(url, self.srv.url("/v1/data"))
        st = self.source_state("dst")
        self.assertEqual(st["consecutive_failures"], 0)
        self.assertGreater(st["last_success"], 0)
        self.assertEqual(self.source_state("dst/fleks_herlev")["remote_updated"], "2024-12-17T08:00:00")
        with self.db() as c:
            log = c.execute("SELECT url, http_status, ok FROM fetch_log ORDER BY id").fetchall()
        self.assertEqual(log, [(self.srv.url("/v1/tableinfo"), 200, 1), (self.srv.url("/v1/data"), 200, 1)])

        # `updated` unchanged: tableinfo only, no data request, nothing stored
        before = self.rows()
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("fleks_herlev: unchanged", p.stdout)
        self.assertEqual(self.srv.count("/v1/tableinfo"), 2)
        self.assertEqual(self.srv.count("/v1/data"), 1)
        self.assertEqual(self.rows(), before)
        # --refresh downloads anyway
        p = self.run_cli("fetch", "--refresh", "fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("fleks_herlev: no new periods", p.stdout)
        self.assertEqual(self.srv.count("/v1/data"), 2)

        # a new `updated`: 2024K3 revised, 2024K4 new; the request asks for trailing periods only
        csv = PROV.joinpath("data_AUK01_csv_da_code.csv").read_text(encoding="utf-8")
        csv = csv.replace("163;FLEKS;2024K3;385,6", "163;FLEKS;2024K3;390\n163;FLEKS;2024K4;391,5")
        self.serve_statbank(info=tableinfo("2025-03-18T08:00:00"), data=data_csv(csv))
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("fleks_herlev: 1 new period (2024Q4), 1 revision (2024Q3 385.6 -> 390)", p.stdout)
        self.assertIn(">=", self.srv.requests("/v1/data")[-1].body.decode())
        cur = self.current("fleks_herlev")
        self.assertEqual(cur["2024Q3"], 390)
        self.assertEqual(cur["2024Q4"], 391.5)
        with self.db() as c:
            old = c.execute("SELECT value FROM observations WHERE series='fleks_herlev' AND period='2024Q3' "
                            "AND superseded_at IS NOT NULL").fetchall()
        self.assertEqual(old, [(385.6,)])
        self.assertEqual(self.source_state("dst/fleks_herlev")["remote_updated"], "2025-03-18T08:00:00")

    def test_changed_selection_is_fetched_despite_same_updated(self):
        self.seed()
        self.assertEqual(self.srv.count("/v1/data"), 1)
        self.config.write_text(self.config.read_text(encoding="utf-8").replace("OMRÅDE: Herlev", "OMRÅDE: Fredericia"),
                               encoding="utf-8")
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.srv.count("/v1/data"), 2)
        self.assertIn("607", self.srv.requests("/v1/data")[-1].body.decode())
        self.assertEqual(self.current("fleks_herlev")["2024Q1"], 1130.9)
        self.assertIn("revisions (2023Q1 372.4 -> 1102.5", p.stdout)

    def test_slow_server_within_timeout_and_local_csv(self):
        # a slow answer (1 s; the timeout is 2 s) is fine
        self.srv.route("/csv/rekruttering.csv", Response(headers={"Content-Type": "text/csv"}, body=RECRUIT_CSV, delay=1.0))
        p = self.fetch("ordrer")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # a csv source on a local directory (plain path)
        local = self.dir / "intern"
        local.mkdir()
        (local / "rekruttering.csv").write_text(RECRUIT_CSV.replace(";40;", ";42;"), encoding="utf-8")
        self.config.write_text(self.config.read_text(encoding="utf-8").replace(
            "base_url: " + self.srv.url("/csv/"), f"base_url: {local}/"), encoding="utf-8")
        p = self.fetch("ordrer", "matchede")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: 1 revision (2024M01 40 -> 42)", p.stdout)
        self.assertIn("matchede: 3 new periods", p.stdout)
        with self.db() as c:
            urls = {u for (u,) in c.execute("SELECT url FROM observations WHERE series='matchede'")}
        self.assertEqual(urls, {f"file://{local}/rekruttering.csv"})

    def test_conditional_request_304(self):
        def handler(req):
            if req.header("If-None-Match") == '"rek-1"':
                return Response(status=304, headers={"ETag": '"rek-1"'})
            return Response(headers={"Content-Type": "text/csv", "ETag": '"rek-1"',
                                     "Last-Modified": "Mon, 01 Apr 2024 06:00:00 GMT"}, body=RECRUIT_CSV)
        self.srv.route("/csv/rekruttering.csv", handler)
        p = self.fetch("ordrer")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: 3 new periods (2024M01, 2024M02, 2024M03)", p.stdout)
        self.assertIsNone(self.srv.requests("/csv/rekruttering.csv")[0].header("If-None-Match"))
        self.assertEqual(self.source_state("internal/ordrer")["etag"], '"rek-1"')
        before = self.rows()
        p = self.fetch("ordrer")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: unchanged", p.stdout)
        req = self.srv.requests("/csv/rekruttering.csv")[1]
        self.assertEqual(req.header("If-None-Match"), '"rek-1"')
        self.assertEqual(req.header("If-Modified-Since"), "Mon, 01 Apr 2024 06:00:00 GMT")
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.error_lines(p.stderr), [])
        # --refresh: unconditional
        p = self.run_cli("fetch", "--refresh", "ordrer")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: no new periods", p.stdout)
        self.assertIsNone(self.srv.requests("/csv/rekruttering.csv")[2].header("If-None-Match"))

    def test_all_series_and_derived_rejected(self):
        self.serve_statbank()
        self.srv.route("/csv/rekruttering.csv", data_csv(RECRUIT_CSV))
        p = self.fetch()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for s in ("fleks_herlev", "ordrer", "matchede"):
            self.assertRegex(p.stdout, rf"(?m)^{s}: \d+ new periods")
        self.assertNotIn("andel", p.stdout)
        p = self.fetch("andel")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("derived", p.stderr)
        p = self.fetch("nosuch")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nosuch", p.stderr)

    # -- failures: nothing stored, one clear error -----------------------------------------------

    def test_statbank_400_errors(self):
        before = self.seed()
        for name, code in (("error_request_limit.json", "REQUEST-LIMIT"), ("error_notfound.json", "EXTRACT-NOTFOUND"),
                           ("error_missing.json", "REQUEST-MISSING")):
            with self.subTest(name):
                self.serve_statbank(info=tableinfo(f"2030-01-01T08:00:{len(name):02d}"),
                                    data=Response.fixture(PROV / name))
                p = self.fetch("fleks_herlev")
                self.assert_failed(p, before, self.srv.url("/v1/data"), "HTTP 400 Bad Request", code,
                                   "URL=" + self.srv.url("/v1/data"), "HTTP_STATUS=400")
        # the failures did not move the `updated` stamp: the next good run fetches data
        self.assertEqual(self.source_state("dst/fleks_herlev")["remote_updated"], "2024-12-17T08:00:00")

    def test_404_html(self):
        before = self.seed()
        self.srv.route("/v1/tableinfo", Response.fixture(PROV / "error_404.html"))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/tableinfo"), "HTTP 404 Not Found")

    def test_html_with_200(self):
        before = self.seed()
        self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"), data=Response.fixture(PROV / "html_200.html"))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/data"), "HTTP 200", "HTML")

    def test_empty_selection_and_zero_bytes(self):
        before = self.seed()
        for name in ("data_empty.csv", "data_zero.csv"):
            with self.subTest(name):
                self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"), data=Response.fixture(PROV / name))
                p = self.fetch("fleks_herlev")
                self.assert_failed(p, before, self.srv.url("/v1/data"), "HTTP 200")

    def test_malformed_tableinfo(self):
        before = self.seed()
        self.srv.route("/v1/tableinfo", Response.fixture(PROV / "malformed_truncated.json"))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/tableinfo"), "HTTP 200")

    def test_truncated_body(self):
        before = self.seed()
        full = PROV.joinpath("data_AUK01_csv_da_code.csv").read_bytes()
        self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"),
                            data=Response(headers={"Content-Type": "text/csv"}, body=full, truncate=60))
        p = self.fetch("fleks_herlev")
        err = self.assert_failed(p, before, self.srv.url("/v1/data"))
        self.assertRegex(err, r"(?i)transfer closed|partial|bytes remaining")

    def test_size_cap(self):
        before = self.seed()
        self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"),
                            data=Response(headers={"Content-Type": "text/csv"}, generate=3 * 1024 * 1024))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/data"), "response exceeds 1048576 bytes")
        # announced by Content-Length: refused as well
        self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"),
                            data=Response(headers={"Content-Type": "text/csv"}, body=b"x" * (2 * 1024 * 1024)))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/data"), "response exceeds 1048576 bytes")

    def test_never_finishing_server_times_out(self):
        before = self.seed()
        self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"),
                            data=Response(headers={"Content-Type": "text/csv"}, body=b"OMR", never_end=True))
        t0 = time.monotonic()
        p = self.fetch("fleks_herlev")
        self.assertLess(time.monotonic() - t0, 15)
        self.assert_failed(p, before, self.srv.url("/v1/data"), "timed out")

    def test_429_retry_after_seconds(self):
        before = self.seed()
        self.serve_statbank(info=Response(status=429, headers={"Retry-After": "120"}, body="slow down"))
        now = time.time()
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/tableinfo"), "HTTP 429 Too Many Requests")
        st = self.source_state("dst")
        self.assertGreaterEqual(st["next_due"], int((now + 120) * 1e6))
        self.assertLess(st["next_due"], int((now + 130) * 1e6))
        self.assertEqual(st["consecutive_failures"], 1)
        self.assertIn("429", st["last_error"])
        self.assertIn("Retry-After", p.stderr)
        # no data request after the 429
        self.assertEqual(self.srv.count("/v1/data"), 1)
        with self.db() as c:
            last = c.execute("SELECT url, http_status, ok, message FROM fetch_log ORDER BY id DESC LIMIT 1").fetchone()
        self.assertEqual(last, (self.srv.url("/v1/tableinfo"), 429, 0, "HTTP 429 Too Many Requests"))

    def test_503_retry_after_date(self):
        before = self.seed()
        when = time.time() + 600
        date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
        self.serve_statbank(info=Response(status=503, headers={"Retry-After": date}))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/tableinfo"), "HTTP 503 Service Unavailable")
        st = self.source_state("dst")
        self.assertGreaterEqual(st["next_due"], int((when - 2) * 1e6))

    def test_post_redirect_not_followed(self):
        before = self.seed()
        self.srv.route("/v1/tableinfo", Response(status=301, headers={"Location": "https://api.statbank.dk/v1/tableinfo"}))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/tableinfo"), "HTTP 301 Moved Permanently", "not followed",
                           "https://api.statbank.dk/v1/tableinfo")

    def test_failures_count_and_stale(self):
        self.seed()
        self.srv.route("/v1/tableinfo", Response(status=500))
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 1)
        self.assertNotIn("SOURCE_STALE", p.stderr)
        self.assertEqual(self.source_state("dst")["consecutive_failures"], 1)
        time.sleep(1.2)  # stale_after: 1s in the test config
        p = self.fetch("fleks_herlev")
        self.assertEqual(self.source_state("dst")["consecutive_failures"], 2)
        stale = [l for l in p.stderr.splitlines() if "stale" in l]
        self.assertEqual(len(stale), 1, p.stderr)
        self.assertTrue(stale[0].startswith("<4>"))
        self.assertIn("SOURCE=dst", stale[0])
        # visible to operators in `labourwatch status`
        p = self.run_cli("status")
        self.assertRegex(p.stdout, r"(?m)^dst\s+statbank\s.*\s2\s")
        self.assertIn("last error: " + self.srv.url("/v1/tableinfo") + ": HTTP 500 Internal Server Error", p.stdout)
        # once per streak
        p = self.fetch("fleks_herlev")
        self.assertEqual([l for l in p.stderr.splitlines() if "stale" in l], [])
        # recovery resets the streak
        self.serve_statbank(info=tableinfo("2031-01-01T08:00:00"))
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stderr)
        st = self.source_state("dst")
        self.assertEqual((st["consecutive_failures"], st["first_failure"]), (0, 0))
        self.assertIsNone(st["last_error"])

    def test_one_failing_source_does_not_block_others(self):
        self.srv.route("/v1/tableinfo", Response(status=500))
        self.srv.route("/csv/rekruttering.csv", data_csv(RECRUIT_CSV))
        p = self.fetch()
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout, r"(?m)^fleks_herlev: error: .*HTTP 500 Internal Server Error")
        self.assertRegex(p.stdout, r"(?m)^ordrer: 3 new periods")
        self.assertEqual(len(self.current("ordrer")), 3)
        self.assertEqual(self.rows("fleks_herlev"), [])

    # -- Jobindsats: Bearer token from a file or a systemd credential ------------------------------

    JOB_SOURCE = """\
  jobindsats:
    kind: jobindsats
    base_url: {base}/v3
    {secret}
    timeout: 2s
"""
    JOB_SERIES = """\
  fleksjob_fuldtid:
    source: jobindsats
    table: Y08A02
    measure: Antal fuldtidspersoner
    select:
      area: Herlev
    frequency: month
"""

    def jobindsats_config(self, secret=None):
        secret = secret or f"token_file: {self.token_file}"
        self.write_config(extra_sources=self.JOB_SOURCE.format(base=self.srv.url(""), secret=secret),
                          extra_series=self.JOB_SERIES)

    def serve_jobindsats(self, want_token=TOKEN, data=None):
        def guarded(resp):
            def h(req):
                if req.header("Authorization") != f"Bearer {want_token}":
                    return Response.fixture(PROV / "v3_401.json")
                return resp
            return h
        self.srv.route("/v3/table/Y08A02", guarded(Response.fixture(PROV / "v3_table_y08a02.json")))
        self.srv.route("/v3/data/Y08A02", guarded(data or Response.fixture(PROV / "v3_data_y08a02.json")))

    def test_jobindsats_token_file(self):
        self.jobindsats_config()
        self.serve_jobindsats()
        p = self.fetch("fleksjob_fuldtid")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("fleksjob_fuldtid: 6 new periods (2024M07, 2024M08, 2024M09, 2024M10, 2024M11, 2024M12)", p.stdout)
        self.assertEqual(self.current("fleksjob_fuldtid")["2024M12"], 385)
        for path in ("/v3/table/Y08A02", "/v3/data/Y08A02"):
            reqs = self.srv.requests(path)
            self.assertEqual(len(reqs), 1)
            self.assertEqual(reqs[0].header("Authorization"), f"Bearer {TOKEN}")
            self.assertRegex(reqs[0].header("User-Agent"), r"^labourwatch/\d")
        # no token in URLs, in the store, in the fetch log
        with self.db() as c:
            dump = "\n".join(c.iterdump())
        self.assertNotIn(TOKEN, dump)
        self.assertNotIn(TOKEN, self.srv.requests("/v3/data/Y08A02")[0].query)

    def test_jobindsats_bad_token_401(self):
        self.jobindsats_config()
        self.serve_jobindsats(want_token="the-right-one")
        p = self.fetch("fleksjob_fuldtid")
        err = self.assert_failed(p, [], self.srv.url("/v3/table/Y08A02"), "HTTP 401 Unauthorized", "Not authenticated",
                                 series="fleksjob_fuldtid")
        self.assertNotIn(TOKEN, err)
        self.assertEqual(self.srv.count("/v3/data/Y08A02"), 0)

    def test_jobindsats_422(self):
        self.jobindsats_config()
        self.serve_jobindsats()
        p = self.fetch("fleksjob_fuldtid")
        self.assertEqual(p.returncode, 0, p.stderr)
        before = self.rows()
        self.serve_jobindsats(data=Response.fixture(PROV / "v3_422.json"))
        p = self.fetch("fleksjob_fuldtid")
        self.assert_failed(p, before, self.srv.url("/v3/data/Y08A02"), "HTTP 422 Unprocessable", "Invalid period type",
                           series="fleksjob_fuldtid")

    def test_error_documents_with_200(self):
        """Provider errors sent with status 200 are refused with the provider's own words (issue 11 §2),
        never stored as an empty table; the store is unchanged."""
        self.jobindsats_config()
        self.serve_jobindsats()
        p = self.fetch("fleksjob_fuldtid")
        self.assertEqual(p.returncode, 0, p.stderr)
        before = self.rows()
        # Jobindsats' answer to a wrong or expired key (status not recorded by the public client)
        self.srv.route("/v3/table/Y08A02", Response.fixture(PROV / "jobindsats_wrong_key_200.json"))
        p = self.fetch("fleksjob_fuldtid")
        err = self.assert_failed(p, before, self.srv.url("/v3/table/Y08A02"), "HTTP 200",
                                 '"Forkert nøgle eller nøglen er udløbet."', series="fleksjob_fuldtid")
        self.assertNotIn("unknown data format", err)
        self.assertNotIn("v3 requires", err)  # a Bearer header was sent: the key itself is wrong
        self.assertEqual(self.srv.count("/v3/data/Y08A02"), 1)  # only the first, good run asked for data
        # the same body on the data step
        self.serve_jobindsats(data=Response.fixture(PROV / "jobindsats_wrong_key_200.json"))
        p = self.fetch("fleksjob_fuldtid")
        self.assert_failed(p, before, self.srv.url("/v3/data/Y08A02"), "Forkert nøgle eller nøglen er udløbet.",
                           series="fleksjob_fuldtid")
        # Statistikbank's error document with 200 on the data step
        self.serve_statbank()
        p = self.fetch("fleks_herlev")
        self.assertEqual(p.returncode, 0, p.stderr)
        before = self.rows()
        self.serve_statbank(info=tableinfo("2030-01-01T08:00:00"),
                            data=Response.fixture(PROV / "statbank_error_200.json"))
        p = self.fetch("fleks_herlev")
        self.assert_failed(p, before, self.srv.url("/v1/data"), "HTTP 200",
                           '"EXTRACT-NOTFOUND: Tabellen blev ikke fundet"')
        self.assertEqual(self.source_state("dst/fleks_herlev")["remote_updated"], "2024-12-17T08:00:00")

    def test_jobindsats_credential(self):
        creds = self.dir / "creds"
        creds.mkdir()
        (creds / "jobindsats-token").write_text(TOKEN + "\n")
        self.jobindsats_config(secret="token_credential: jobindsats-token")
        self.serve_jobindsats()
        p = self.fetch("fleksjob_fuldtid", env_extra={"CREDENTIALS_DIRECTORY": str(creds)})
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.srv.requests("/v3/data/Y08A02")[0].header("Authorization"), f"Bearer {TOKEN}")
        # without $CREDENTIALS_DIRECTORY: a clear error, no request without the token
        self.srv.reset_counts()
        p = self.fetch("fleksjob_fuldtid")
        self.assertEqual(p.returncode, 1)
        self.assertIn("CREDENTIALS_DIRECTORY", p.stdout)
        self.assertEqual(self.srv.count(), 0)

    def test_jobindsats_missing_token_one_line_with_the_fix(self):
        # two series of the source: one line for the source, naming the fix; no URL that was never
        # requested, no HTTP_STATUS=0
        missing = self.dir / "no-such-token"
        self.write_config(extra_sources=self.JOB_SOURCE.format(base=self.srv.url(""), secret=f"token_file: {missing}"),
                          extra_series=self.JOB_SERIES + self.JOB_SERIES.replace("fleksjob_fuldtid:", "fleksjob_2:"))
        self.serve_jobindsats()
        p = self.fetch("fleksjob_fuldtid", "fleksjob_2")
        self.assertEqual(p.returncode, 1)
        lines = [l for l in p.stderr.splitlines() if "API token" in l]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn(f"Source jobindsats: cannot read the API token from {missing}: No such file or directory; "
                      "put the token there (mode 0600", lines[0])
        self.assertNotIn("HTTP_STATUS=0", p.stderr)
        self.assertNotIn("Fetching series", p.stderr)
        self.assertEqual(self.srv.count(), 0)

        # a credential that is not there: where it belongs
        creds = self.dir / "creds-empty"
        creds.mkdir()
        self.jobindsats_config(secret="token_credential: jobindsats-token")
        p = self.fetch("fleksjob_fuldtid", env_extra={"CREDENTIALS_DIRECTORY": str(creds)})
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"credential jobindsats-token not found in $CREDENTIALS_DIRECTORY ({creds}): No such file or "
                      "directory; put the token in /etc/credstore/jobindsats-token, mode 0600", p.stderr)

    def test_credentials_dir_option(self):
        # the admin CLI pointed at the credentials the service gets (labourwatch(1), fetch)
        creds = self.dir / "credstore"
        creds.mkdir()
        (creds / "jobindsats-token").write_text(TOKEN + "\n")
        self.jobindsats_config(secret="token_credential: jobindsats-token")
        self.serve_jobindsats()
        p = self.fetch("--credentials-dir", str(creds), "fleksjob_fuldtid")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.srv.requests("/v3/data/Y08A02")[0].header("Authorization"), f"Bearer {TOKEN}")

    # -- JSON-stat ---------------------------------------------------------------------------------

    def test_jsonstat(self):
        self.write_config(extra_sources="""\
  eurostat:
    kind: jsonstat
    base_url: {base}/js
    timeout: 2s
""".format(base=self.srv.url("")), extra_series="""\
  fleks_js:
    source: eurostat
    table: fleks.json
    select:
      geo: Herlev
    frequency: month
""")
        self.srv.route("/js/fleks.json", Response.fixture(PROV / "jsonstat2_dense.json"))
        p = self.fetch("fleks_js")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("fleks_js: 3 new periods (2024M04, 2024M05, 2024M06)", p.stdout)
        with self.db() as c:
            rows = c.execute("SELECT period, value, missing FROM observations WHERE series='fleks_js' ORDER BY period").fetchall()
        self.assertEqual(rows, [("2024M04", 380, 0), ("2024M05", 384, 0), ("2024M06", None, 1)])
        before = self.rows()
        for name in ("jsonstat2_truncated.json", "jsonstat2_trailing_garbage.json", "jsonstat2_invalid_value_length.json"):
            with self.subTest(name):
                self.srv.route("/js/fleks.json", Response.fixture(PROV / name))
                p = self.fetch("fleks_js")
                self.assert_failed(p, before, self.srv.url("/js/fleks.json"), "HTTP 200", series="fleks_js")

    # -- TLS: verification is always on; a source may add a CA bundle -----------------------------

    def test_tls_verification(self):
        # No timeout is under test here: the TLS handshake under valgrind takes seconds, so the
        # source gets 30 s (the refusal of a self-signed certificate is immediate either way).
        cert, key = make_self_signed(self.dir)
        with FixtureServer(tls=(cert, key)) as tsrv:
            tsrv.route("/csv/rekruttering.csv", data_csv(RECRUIT_CSV))
            src = """\
  intern_tls:
    kind: csv
    base_url: {base}/csv/
    timeout: 30s
{ca}
"""
            ser = """\
  ordrer_tls:
    source: intern_tls
    path: rekruttering.csv
    column: ordrer
    frequency: month
"""
            # a self-signed certificate is refused ...
            self.write_config(extra_sources=src.format(base=tsrv.url(""), ca=""), extra_series=ser)
            p = self.fetch("ordrer_tls")
            self.assert_failed(p, [], tsrv.url("/csv/rekruttering.csv"), series="ordrer_tls")
            self.assertRegex(p.stdout, r"(?i)certificate")
            self.assertEqual(tsrv.count(), 0)
            # ... and accepted with the source's ca_file
            self.write_config(extra_sources=src.format(base=tsrv.url(""), ca=f"    ca_file: {cert}"), extra_series=ser)
            p = self.fetch("ordrer_tls")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("ordrer_tls: 3 new periods", p.stdout)

    # -- import ------------------------------------------------------------------------------------

    def test_import(self):
        f = self.dir / "ordrer.csv"
        f.write_text("periode;ordrer\n2024M01;40\n2024M02;1.038\n", encoding="utf-8")
        p = self.run_cli("import", "ordrer", str(f))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: 2 new periods (2024M01, 2024M02)", p.stdout)
        self.assertEqual(self.current("ordrer"), {"2024M01": 40, "2024M02": 1038})
        with self.db() as c:
            self.assertEqual(c.execute("SELECT DISTINCT source FROM observations").fetchall(), [("import",)])
        f.write_text("periode;ordrer\n2024M02;1.040\n2024M03;41\n", encoding="utf-8")
        p = self.run_cli("import", "ordrer", str(f))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: 1 new period (2024M03), 1 revision (2024M02 1038 -> 1040)", p.stdout)

        # invalid: nothing stored, FILE:LINE named
        before = self.rows()
        bad = self.dir / "bad.csv"
        bad.write_text("periode;ordrer\n2024M04;12\n2024M05;abc\n", encoding="utf-8")
        p = self.run_cli("import", "ordrer", str(bad))
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{bad}:3", p.stderr)
        self.assertEqual(self.rows(), before)
        # wrong frequency for the series
        q = self.dir / "q.csv"
        q.write_text("periode;ordrer\n2024K1;12\n", encoding="utf-8")
        p = self.run_cli("import", "ordrer", str(q))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.rows(), before)
        # a derived series cannot be imported
        p = self.run_cli("import", "andel", str(f))
        self.assertEqual(p.returncode, 1)
        p = self.run_cli("import", "ordrer")
        self.assertEqual(p.returncode, 2)

    def test_import_spreadsheet(self):
        """A file Excel saved as "CSV (semikolonsepareret)": Windows-1252, a sep=; line, CRLF, Danish
        month labels (issue 11 §4); an unrecognised label is refused at FILE:LINE:COL and stores nothing."""
        f = self.dir / "ordrer.csv"
        f.write_bytes("sep=;\r\nMåned;ordrer\r\njan. 2024;1.234\r\nfebruar 2024;40\r\nmarts 2024;41\r\n"
                      .encode("cp1252"))
        p = self.run_cli("import", "ordrer", str(f))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ordrer: 3 new periods (2024M01, 2024M02, 2024M03)", p.stdout)
        self.assertEqual(self.current("ordrer"), {"2024M01": 1234, "2024M02": 40, "2024M03": 41})
        before = self.rows()
        bad = self.dir / "bad.csv"
        bad.write_bytes("sep=;\r\nMåned;ordrer\r\napril 2024;12\r\nultimo maj 2024;13\r\n".encode("cp1252"))
        p = self.run_cli("import", "ordrer", str(bad))
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{bad}:4:1: invalid period 'ultimo maj 2024' (accepted forms: ", p.stderr)
        self.assertIn("jan. 2024, januar 2024, K1 2024, 1. kvt. 2024, 01-01-2024", p.stderr)
        self.assertEqual(self.rows(), before)

    def test_fetch_spreadsheet_encoding(self):
        """The pipeline reads the same files; a source that says encoding: utf-8 refuses Windows-1252
        at LINE:COL and keeps what it had."""
        self.srv.route("/csv/rekruttering.csv", data_csv(RECRUIT_CSV))
        p = self.fetch("ordrer")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        before = self.rows()
        excel = "sep=;\r\nPeriode;ordrer;matchede\r\njan. 2024;40;21\r\nK\u00f8ge;1;1\r\n".encode("cp1252")
        self.srv.route("/csv/rekruttering.csv", Response(headers={"Content-Type": "text/csv"}, body=excel))
        self.config.write_text(self.config.read_text(encoding="utf-8").replace(
            "    kind: csv\n", "    kind: csv\n    encoding: utf-8\n", 1), encoding="utf-8")
        self.assertIn("encoding: utf-8", self.config.read_text(encoding="utf-8"))
        p = self.fetch("ordrer")
        self.assert_failed(p, before, "4:2: not valid UTF-8 (byte 0xF8)", "encoding: windows-1252", series="ordrer")


if __name__ == "__main__":
    unittest.main(verbosity=2)
