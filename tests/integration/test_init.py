#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch init (issue 19 §3): a starter configuration for a municipality other than Herlev,
written into an empty directory; check names exactly the values left TO FILL and passes once they
are filled in; the filled-in configuration gets its first mail into a real SMTP server (aiosmtpd)
from the jobcentre's own CSV figures; an unknown municipality, a bad year and an existing file write
nothing.

Environment: LW_CLI, LW_DAEMON (the programs)."""

import email
import email.policy
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwdaemon  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

CLI = os.environ.get("LW_CLI", "labourwatch")

TO_FILL = [
    # (file below the directory, line, column, key)
    ("labourwatch.yaml", 190, 12, "email"),
    ("labourwatch.yaml", 193, 12, "email"),
    ("labourwatch.yaml", 204, 10, "url"),
    ("labourwatch.yaml", 205, 11, "from"),
    ("goals.d/10-ydelser.yaml", 19, 13, "target"),
    ("goals.d/10-ydelser.yaml", 32, 13, "target"),
    ("goals.d/20-virksomheder.yaml", 17, 13, "target"),
    ("goals.d/30-integration-benchmark.yaml", 18, 13, "target"),
    ("goals.d/30-integration-benchmark.yaml", 31, 13, "target"),
]
FILES = ["goals.d/10-ydelser.yaml", "goals.d/20-virksomheder.yaml", "goals.d/30-integration-benchmark.yaml",
         "labourwatch.yaml"]


def run(*args, cwd=None):
    env = dict(os.environ)
    env.pop("LABOURWATCH_CONFIG", None)
    env["CREDENTIALS_DIRECTORY"] = "/nonexistent"
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=60, cwd=cwd)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def tree(d):
    return sorted(os.path.relpath(os.path.join(root, f), d) for root, _, files in os.walk(d) for f in files)


class InitTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="lw-test-init-")
        self.dir = os.path.join(self.tmp.name, "fredericia")

    def tearDown(self):
        self.tmp.cleanup()

    def init(self, *args):
        return run("init", *args)

    def test_fredericia_from_an_empty_directory(self):
        os.mkdir(self.dir)
        p = self.init("--municipality", "Fredericia", "--year", "2025", "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertIn("Fredericia Kommune (607), plan 2025", p.stdout)
        self.assertIn(f"Fill in the {len(TO_FILL)} values marked TO FILL", p.stdout)
        self.assertEqual(tree(self.dir), FILES)
        main = os.path.join(self.dir, "labourwatch.yaml")
        text = read(main)
        self.assertIn("municipality: Fredericia Kommune\n", text)
        self.assertIn("plan: Beskæftigelsesplan 2025\n", text)
        self.assertIn('      OMRÅDE: "607"\n', text)
        self.assertEqual(text.count("      area: Fredericia\n"), 5)
        self.assertNotIn("area: Herlev", text)
        self.assertNotIn("163", text)
        self.assertNotRegex(text, r"@[A-Z]+@")
        goals = read(os.path.join(self.dir, "goals.d", "10-ydelser.yaml"))
        self.assertIn("  fleksjob-2025:\n", goals)
        self.assertIn("    baseline: 2024\n", goals)

        # check names exactly the values to fill in, one line each, and nothing else
        p = run("check", "--config", main)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout, "")
        want = [f"{os.path.join(self.dir, f)}:{line}:{col}: {key}: TO FILL: the value is still to be written in"
                for f, line, col, key in TO_FILL]
        self.assertEqual(p.stderr.splitlines(), want)
        for f, line, col, key in TO_FILL:
            got = read(os.path.join(self.dir, f)).splitlines()[line - 1]
            self.assertEqual(got[col - 1:], "TO FILL", f"{f}:{line}")
            self.assertTrue(got.strip().startswith(key + ":"), got)

        # filled in, it is a valid configuration (the Jobindsats token is only a warning here)
        for f in FILES:
            path = os.path.join(self.dir, f)
            s = read(path)
            s = s.replace("target: TO FILL", "target: 12").replace("email: TO FILL", "email: jc@fredericia.dk")
            s = s.replace("url: TO FILL", "url: smtp://127.0.0.1:2525").replace("from: TO FILL", "from: lw@fredericia.dk")
            write(path, s)
        p = run("check", "--config", main)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "configuration OK: 3 sources, 11 series, 7 goals, 2 recipients, 2 notifiers, 1 route\n")
        self.assertRegex(p.stderr, r"^[^\n]*warning: source 'jobindsats': cannot read credential 'jobindsats-token'[^\n]*\n$")

    def test_by_code_and_spelling(self):
        p = self.init("-m", "751", "--year", "2026", "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = read(os.path.join(self.dir, "labourwatch.yaml"))
        self.assertIn("area: Aarhus\n", text)
        self.assertIn('OMRÅDE: "751"', text)
        d2 = os.path.join(self.tmp.name, "hoeje")
        p = self.init("-m", "Hoeje-Taastrup", "--dir", d2)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("area: Høje-Taastrup\n", read(os.path.join(d2, "labourwatch.yaml")))
        d3 = os.path.join(self.tmp.name, "kbh")
        p = self.init("-m", "københavn", "--year", "2025", "--dir", d3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("municipality: Københavns Kommune\n", read(os.path.join(d3, "labourwatch.yaml")))

    def test_unknown_municipality_writes_nothing(self):
        os.mkdir(self.dir)
        for arg, line in (
            ("Balerup", "labourwatch init: 'Balerup' is not a municipality; did you mean 'Ballerup' (151)?"),
            ("Christiansø", "labourwatch init: 'Christiansø' is not one of the 98 municipalities (give a name "
                            "such as Ballerup or a code such as 151)"),
            ("411", "labourwatch init: '411' is not one of the 98 municipalities (give a name such as Ballerup "
                    "or a code such as 151)"),
        ):
            with self.subTest(arg=arg):
                p = self.init("--municipality", arg, "--dir", self.dir)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual((p.stdout, p.stderr), ("", line + "\n"))
                self.assertEqual(tree(self.dir), [])
        p = self.init("--municipality", "Balerup", "--dir", os.path.join(self.tmp.name, "new"))
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "new")))

    def test_usage_errors(self):
        for args, line in (
            ([], "labourwatch init: --municipality NAME|CODE is required"),
            (["-m", "Herlev", "--year", "1999"], "labourwatch init: --year: '1999' is not a year from 2007 to 2099"),
            (["-m", "Herlev", "--year", "2025x"], "labourwatch init: --year: '2025x' is not a year from 2007 to 2099"),
            (["-m", "Herlev", "extra"], "labourwatch init: unexpected argument 'extra'"),
        ):
            with self.subTest(args=args):
                p = run("init", *args, "--dir", self.dir)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stderr, line + "\nsee labourwatch init --help\n")
                self.assertFalse(os.path.exists(self.dir))

    def test_never_overwrites(self):
        os.makedirs(os.path.join(self.dir, "goals.d"))
        mine = os.path.join(self.dir, "goals.d", "20-virksomheder.yaml")
        write(mine, "# mine\n")
        p = self.init("-m", "Ballerup", "--dir", self.dir)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr, f"labourwatch init: {mine} exists; nothing written, nothing overwritten\n")
        self.assertEqual(tree(self.dir), ["goals.d/20-virksomheder.yaml"])
        self.assertEqual(read(mine), "# mine\n")

    def test_first_mail(self):
        """Fill in the targets, point the internal source at a directory of CSV files, and one
        daemon cycle mails the off-track recruitment goal to the recipient written in."""

        class Sink:
            def __init__(self):
                self.messages, self.lock = [], threading.Lock()

            async def handle_DATA(self, server, session, envelope):
                with self.lock:
                    self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 2.0.0 Ok"

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        sink = Sink()
        smtp = Controller(sink, hostname="127.0.0.1", port=port)
        smtp.start()
        self.addCleanup(smtp.stop)

        p = self.init("--municipality", "Fredericia", "--year", "2025", "--dir", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        internal = os.path.join(self.tmp.name, "internal")
        os.mkdir(internal)
        # a third of the local firms' orders matched (the plan: at least 50 %), 60 orders so far
        write(os.path.join(internal, "rekruttering.csv"),
              "periode;ordrer;matchede\n" + "".join(f"2025M{m:02d};10;3\n" for m in range(1, 7)))
        write(os.path.join(internal, "flygtninge.csv"), "periode;jobparate;selvforsoergende\n2025K1;40;32\n")
        state = os.path.join(self.tmp.name, "state")
        os.mkdir(state)  # the unit's StateDirectory= makes it
        archive = os.path.join(self.tmp.name, "archive")
        os.mkdir(archive)
        replace = {
            "target: TO FILL": "target: 50",
            "email: TO FILL": "email: jobcenter@fredericia.dk",
            "url: TO FILL": f"url: smtp://127.0.0.1:{port}",
            "from: TO FILL": "from: labourwatch@fredericia.dk",
            "state_dir: /var/lib/labourwatch": f"state_dir: {state}",
            "file:///var/lib/labourwatch/internal/": f"file://{internal}/",
            "directory: /var/lib/labourwatch/outbox-archive": f"directory: {archive}",
            # no token on a test machine and no network: the public sources are left out here
            "  dst:\n    kind: statbank\n": "  dst:\n    kind: statbank\n    base_url: http://127.0.0.1:9/v1\n",
            "    api_version: 3\n": "    api_version: 3\n    base_url: http://127.0.0.1:9/v3\n",
        }
        for f in FILES:
            path = os.path.join(self.dir, f)
            s = read(path)
            for a, b in replace.items():
                s = s.replace(a, b)
            write(path, s)
        creds = os.path.join(self.tmp.name, "creds")
        os.mkdir(creds)
        write(os.path.join(creds, "jobindsats-token"), "not-a-real-token\n")
        main = os.path.join(self.dir, "labourwatch.yaml")
        env = dict(os.environ, CREDENTIALS_DIRECTORY=creds)
        p = subprocess.run([CLI, "check", "--config", main], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

        env.update(LABOURWATCH_LOG_TARGET="stderr", TZ="UTC", LW_TEST_TODAY="2025-07-15")
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LABOURWATCH_CONFIG"):
            env.pop(k, None)
        p = subprocess.run([lwdaemon.DAEMON, "--once", "--config", main], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, env=env, timeout=120 * lwdaemon.TIMEOUT_SCALE)
        lwdaemon.assert_no_crash(self, p.returncode, p.stderr)
        mails = [m for m in sink.messages if b"rekruttering-match-2025" in m[2]]
        self.assertEqual(len(mails), 1, f"{len(sink.messages)} messages; daemon said:\n{p.stderr}")
        sender, to, raw = mails[0]
        self.assertEqual(sender, "labourwatch@fredericia.dk")
        self.assertEqual(to, ["jobcenter@fredericia.dk"])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(("plain",)).get_content()
        self.assertEqual(msg["Subject"], "Beskæftigelsesplan 2025: 1 mål er ikke på rette spor")
        self.assertIn("andelen var 30 % i januar–juni 2025", text)
        self.assertIn("(mål: mindst 50 %)", text)
        self.assertIn("Sendt af labourwatch for Fredericia Kommune (Beskæftigelsesplan 2025)", text)
        # and the same notice in the archive
        self.assertEqual(len([f for f in os.listdir(archive) if f.endswith(".eml")]), 1, p.stderr)

    def test_default_directory_is_the_current_one(self):
        os.mkdir(self.dir)
        p = run("init", "-m", "Ballerup", "--year", "2025", cwd=self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(tree(self.dir), FILES)
        self.assertIn("labourwatch check --config ./labourwatch.yaml", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
