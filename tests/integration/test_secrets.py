# SPDX-License-Identifier: GPL-2.0-or-later
"""No secret in a log, the store, CLI output or `status --json` (issue 9 §2).

A gateway that echoes the Authorization header (with the token) in its error body and in its
reason phrase answers every request of a Jobindsats source whose token comes from token_file.
`labourwatch fetch`, then the daemon (--once) run against it; the test greps their stderr (the log
lines), stdout, `labourwatch status` and `status --json`, and the raw bytes of the database files
(labourwatch.db and any -wal) for the token: it must be nowhere. The failure itself must still be
reported (HTTP 401, the scrubbed reason).

Run: LW_CLI=build/labourwatch LW_DAEMON=build/labourwatchd LW_SOURCE_DIR=. /usr/bin/python3 tests/integration/test_secrets.py
"""

import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_server import ServerTestCase, echo_authorization  # noqa: E402

SRC = Path(os.environ.get("LW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("LW_CLI", str(SRC / "build" / "labourwatch"))
DAEMON = os.environ.get("LW_DAEMON", str(Path(CLI).parent / "labourwatchd"))
TOKEN = "tok-SCRUB-ME-8842-never-shown"

CONFIG = """\
state_dir: {state}
sources:
  jobindsats:
    kind: jobindsats
    base_url: {base}/v3
    token_file: {token}
    timeout: 2s
    schedule:
      interval: 6h
series:
  fleksjob_fuldtid:
    source: jobindsats
    table: Y08A02
    measure: Antal fuldtidspersoner
    select:
      area: Herlev
    frequency: month
"""


class SecretsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        token = self.dir / "token"
        token.write_text(TOKEN + "\n")
        token.chmod(0o600)
        self.config = self.dir / "labourwatch.yaml"
        self.config.write_text(CONFIG.format(state=self.state, base=self.srv.url(""), token=token),
                               encoding="utf-8")
        self.srv.route("/v3/table/Y08A02", echo_authorization(401))
        self.srv.route("/v3/data/Y08A02", echo_authorization(401))

    def env(self):
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", LABOURWATCH_LOG_LEVEL="debug")
        env.pop("CREDENTIALS_DIRECTORY", None)
        return env

    def cli(self, *args):
        return subprocess.run([CLI, args[0], "--config", str(self.config), *args[1:]], env=self.env(),
                              capture_output=True, text=True, timeout=60)

    def assert_nowhere(self, *outputs):
        for out in outputs:
            self.assertNotIn(TOKEN, out)
        for f in sorted(self.state.iterdir()):
            self.assertNotIn(TOKEN.encode(), f.read_bytes(), f"token in {f.name}")
        p = self.cli("status")
        self.assertNotIn(TOKEN, p.stdout + p.stderr)
        p = self.cli("status", "--json")
        self.assertNotIn(TOKEN, p.stdout + p.stderr)
        return p

    def test_fetch(self):
        p = self.cli("fetch")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        # the server really echoed the token: the test would see it if scrubbing failed
        reqs = self.srv.requests("/v3/table/Y08A02")
        self.assertEqual(reqs[0].header("Authorization"), f"Bearer {TOKEN}")
        # still reported, with the secret replaced
        self.assertIn("HTTP 401 Denied Bearer ***", p.stderr)
        status = self.assert_nowhere(p.stdout, p.stderr)
        self.assertIn("***", status.stdout)

    def test_daemon_once(self):
        if not Path(DAEMON).exists():
            self.skipTest("no labourwatchd")
        p = subprocess.run([DAEMON, "--config", str(self.config), "--once"], env=self.env(),
                           capture_output=True, text=True, timeout=120)
        self.assertGreater(len(self.srv.requests()), 0, p.stderr)
        self.assertIn("Denied Bearer ***", p.stderr)
        self.assert_nowhere(p.stdout, p.stderr)

    def test_userinfo_in_a_redirect(self):
        """A URL with user:password (here the Location of a redirect) is stored and logged without it."""
        from fixture_server import Response
        self.srv.route("/v3/table/Y08A02",
                       Response(status=302, headers={"Location": f"http://user:{TOKEN}@127.0.0.1:1/x"}))
        p = self.cli("fetch")
        self.assertEqual(p.returncode, 1)
        self.assert_nowhere(p.stdout, p.stderr)


if __name__ == "__main__":
    unittest.main()
