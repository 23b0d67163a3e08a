# SPDX-License-Identifier: GPL-2.0-or-later
"""Log lines stay short and clean whatever a server sends (issue 9 §4).

A 5,000-character reason phrase, a reason phrase with invalid UTF-8 and control characters, and a
10 MB response header: `labourwatch fetch` reports each in lines of bounded length, with U+FFFD for
bad bytes and escapes for control characters; the oversized header is "response header too
large", not "Out of memory".

Run: LW_CLI=build/labourwatch LW_SOURCE_DIR=. /usr/bin/python3 tests/integration/test_log_bounds.py
"""

import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_server import Response, ServerTestCase  # noqa: E402

SRC = Path(os.environ.get("LW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("LW_CLI", str(SRC / "build" / "labourwatch"))
LINE_MAX = 4096 + 512  # LOG_MESSAGE_MAX plus the prefix and the fields

CONFIG = """\
state_dir: {state}
sources:
  internal:
    kind: csv
    base_url: {base}/csv/
    timeout: 5s
series:
  ordrer:
    source: internal
    path: r.csv
    column: ordrer
    frequency: month
"""


class LogBoundsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.config = self.dir / "labourwatch.yaml"
        self.config.write_text(CONFIG.format(state=self.state, base=self.srv.url("")), encoding="utf-8")

    def fetch(self):
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", LABOURWATCH_LOG_LEVEL="info")
        p = subprocess.run([CLI, "fetch", "--config", str(self.config)], env=env, capture_output=True,
                           timeout=120)
        self.assertEqual(p.returncode, 1, p.stderr[-2000:])
        for line in (p.stdout + p.stderr).split(b"\n"):
            self.assertLess(len(line), LINE_MAX, line[:200])
        return p.stdout.decode("utf-8"), p.stderr.decode("utf-8")  # valid UTF-8, or this raises

    def test_long_reason(self):
        self.srv.route("/csv/r.csv", Response(status=503, reason="R" * 5000, body="down"))
        out, err = self.fetch()
        self.assertIn("HTTP 503 " + "R" * 200 + "…", err)
        self.assertNotIn("R" * 201, err + out)

    def test_dirty_reason(self):
        # latin-1 on the wire: \xf8 alone is invalid UTF-8; a tab and an escape character
        self.srv.route("/csv/r.csv", Response(status=500, reason="K\xf8benhavn\tnede\x1b[31m", body="x"))
        out, err = self.fetch()
        self.assertIn("HTTP 500 K\ufffdbenhavn\\tnede\\x1b[31m", err)
        self.assertNotIn("\x1b", err + out)

    def test_huge_header(self):
        self.srv.route("/csv/r.csv", Response(headers={"X-Big": "a" * (10 * 1024 * 1024)},
                                              body="periode;ordrer\n2024M01;1\n"))
        out, err = self.fetch()
        self.assertIn("response header too large", err)
        self.assertNotIn("Out of memory", err + out)


if __name__ == "__main__":
    unittest.main()
