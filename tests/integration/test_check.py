#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch check: the shipped sample and a good tree pass; one broken file per kind of error
exits 1 with exactly the expected FILE:LINE:COL: message lines on stderr; usage errors exit 2.

Environment: LW_CLI (the labourwatch binary), LW_SOURCE_DIR (the source tree)."""

import os
import re
import atexit
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("LW_CLI", "labourwatch")
SRC = os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SRC, "tests", "data", "config")


# The credentials the test configurations name, as the service would find them in
# $CREDENTIALS_DIRECTORY: check warns about a secret it cannot read (issue 13 §2).
CREDENTIALS = tempfile.mkdtemp(prefix="lw-test-check-creds-")
atexit.register(shutil.rmtree, CREDENTIALS, True)
for _name in ("jobindsats-token", "smtp-user", "smtp-password"):
    with open(os.path.join(CREDENTIALS, _name), "w") as _f:
        _f.write("not-a-real-secret\n")


def run(*args, env_extra=None):
    env = dict(os.environ)
    env.pop("LABOURWATCH_CONFIG", None)
    env["CREDENTIALS_DIRECTORY"] = CREDENTIALS
    if env_extra:
        env.update(env_extra)
    return subprocess.run([CLI, "check", *args], capture_output=True, text=True, env=env, timeout=60)


# file -> the exact stderr lines, in order; {f} is the file's path as given on the command line.
BAD = {
    "syntax.yaml": [
        "{f}:4:4: YAML syntax error: did not find expected key (while parsing a block mapping starting at line 2)",
    ],
    "unknown-key.yaml": [
        "{f}:2:1: unknown key 'languag' in the main configuration (did you mean 'language'?), allowed keys: "
        "state_dir, language, goals_dir, plan, municipality, templates_dir, metrics_file, evaluations_keep, status_from, probability_at_risk, probability_off_track, probability_recover, "
        "sources, series, goals, recipients, notifiers, routes",
    ],
    "wrong-type.yaml": ["{f}:4:14: timeout: expected a duration, got a mapping"],
    "missing-key.yaml": ["{f}:2:3: source 'dst': missing required key 'kind'"],
    "duplicate-key.yaml": ["{f}:3:1: duplicate key 'language' (first at line 1, column 1)"],
    "duplicate-goal.yaml": ["{f}:7:9: duplicate goal id 'a' (first defined at {f}:2:5)"],
    "undefined-source.yaml": ["{f}:3:13: undefined source 'dst'"],
    "undefined-series.yaml": ["{f}:4:13: undefined series 'nope'"],
    "undefined-recipient.yaml": ["{f}:7:18: undefined recipient 'boss'"],
    "non-ascii-email.yaml": [
        "{f}:3:12: email: 'chef@jobcenter-køge.dk' is not ASCII; labourwatch does not send SMTPUTF8 mail, use an "
        "ASCII address (an IDN domain in its xn-- form)",
    ],
    "long-display-name.yaml": ["{f}:3:19: display_name: 245 characters, at most 200 are allowed"],
    "undefined-notifier.yaml": ["{f}:2:17: undefined notifier 'pager'"],
    "bad-enum.yaml": ["{f}:3:11: kind: bad value 'ftp', expected one of: statbank, jobindsats, csv, jsonstat, pxweb"],
    "bad-period.yaml": [
        "{f}:5:13: period: bad period '2024M13', expected e.g. 2024, 2024H1, 2024Q2, 2024M06, 2024QMAT02",
    ],
    "bad-duration.yaml": [
        "{f}:4:18: stale_after: bad duration '2 fortnights', expected e.g. 30s, 10min, 6h, 14d",
    ],
    "bad-size.yaml": [
        "{f}:4:24: max_response_size: bad size '64 MB please', expected bytes or e.g. 512KiB, 64MiB",
    ],
    "inline-secret.yaml": [
        "{f}:5:5: source 'jis': 'token' must not be written inline in the configuration, use token_file or "
        "token_credential",
    ],
    "oauth2-errors.yaml": [
        "{f}:2:3: notifier 'm365': auth: oauth2 needs 'client_id' (the application (client) ID)",
        "{f}:2:3: notifier 'm365': auth: oauth2 needs 'client_secret_file' or 'client_secret_credential'",
        "{f}:7:16: token_url: expected an https:// URL (http:// only to 127.0.0.1 or localhost)",
        "{f}:8:5: password_file: not used with auth: oauth2, which logs in with a token; give client_secret_file "
        "or client_secret_credential",
        "{f}:9:3: notifier 'nosecret': auth: oauth2 needs 'client_secret_file' or 'client_secret_credential'",
        "{f}:20:5: client_id: only used with auth: oauth2",
        "{f}:25:11: auth: bad value 'basic', expected one of: password, oauth2",
    ],
    "statbank-without-table.yaml": ["{f}:5:3: series 's': missing required key 'table'"],
    "expr-errors.yaml": [
        "{f}:6:11: series 'b': expression depends on itself: a -> b -> a",
        "{f}:9:11: undefined series 'nothere'",
    ],
    "hex-number.yaml": ["{f}:10:59: target: expected a number, got '0x1p3'"],
    # issue 19 §4: the nearest valid name, for a municipality as for a value or a reference
    "unknown-area.yaml": ["{f}:11:13: 'Balerup' is not a municipality; did you mean 'Ballerup' (151)?"],
    "misspelt-names.yaml": [
        "{f}:20:16: direction: bad value 'at_lest' (did you mean 'at_least'?), expected one of: at_least, at_most",
        "{f}:22:18: undefined recipient 'jobcenterchf' (did you mean 'jobcenterchef'?)",
        "{f}:25:13: undefined series 'fleksjob_fultid' (did you mean 'fleksjob_fuldtid'?)",
    ],
    "three-errors.yaml": [
        "{f}:1:11: language: bad value 'fr', expected one of: da, en",
        "{f}:5:14: timeout: bad duration 'forever', expected e.g. 30s, 10min, 6h, 14d",
        "{f}:7:16: undefined notifier 'nobody'",
    ],
}


class CheckTest(unittest.TestCase):
    def assert_ok(self, p, counts):
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual(p.stdout.strip(), "configuration OK: " + counts)

    def test_sample_is_valid(self):
        sample = os.path.join(SRC, "etc", "labourwatch.yaml")
        p = run("--config", sample)
        self.assertEqual(p.returncode, 0, p.stderr)
        # Only the webhook key, which no test machine has, is missing (a warning, not an error).
        self.assertRegex(p.stderr, r"^" + re.escape(sample) + r":\d+:3: warning: notifier 'teams': cannot read "
                         r"secret_file /etc/labourwatch/webhook.key: No such file or directory\n$")
        self.assertRegex(p.stdout, r"^configuration OK: \d+ sources, \d+ series, \d+ goals, \d+ recipients, "
                         r"\d+ notifiers, \d+ routes\n$")

    def test_good_tree_with_goal_files(self):
        self.assert_ok(run("--config", os.path.join(DATA, "good", "labourwatch.yaml")),
                       "3 sources, 6 series, 3 goals, 1 recipient, 1 notifier, 1 route")

    def test_short_option_and_environment(self):
        path = os.path.join(DATA, "good", "labourwatch.yaml")
        self.assert_ok(run("-c", path), "3 sources, 6 series, 3 goals, 1 recipient, 1 notifier, 1 route")
        self.assert_ok(run(env_extra={"LABOURWATCH_CONFIG": path}),
                       "3 sources, 6 series, 3 goals, 1 recipient, 1 notifier, 1 route")

    def test_bad_files(self):
        for name, want in BAD.items():
            with self.subTest(file=name):
                f = os.path.join(DATA, "bad", name)
                p = run("--config", f)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.stderr.splitlines(), [w.format(f=f) for w in want])

    def test_misspelt_goal_key(self):
        with tempfile.TemporaryDirectory(prefix="lw-test-check-") as d:
            main = os.path.join(d, "labourwatch.yaml")
            with open(main, "w") as f:
                f.write(open(os.path.join(DATA, "bad", "misspelt-names.yaml")).read()
                        .replace("at_lest", "at_least").replace("jobcenterchf", "jobcenterchef")
                        .replace("fleksjob_fultid", "fleksjob_fuldtid")
                        .replace("    target: 390\n", "    target: 390\n    tolerence: 2\n"))
            p = run("--config", main)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertEqual(p.stdout, "")
            lines = p.stderr.splitlines()
            self.assertEqual(len(lines), 1, p.stderr)
            self.assertTrue(lines[0].startswith(main + ":28:5: unknown key 'tolerence' in goal 'fleksjob-2025' "
                                                "(did you mean 'tolerance'?), allowed keys: id, "), lines[0])

    def test_every_bad_file_is_covered(self):
        self.assertEqual(sorted(os.listdir(os.path.join(DATA, "bad"))), sorted(BAD))

    def test_secret_value_never_printed(self):
        p = run("--config", os.path.join(DATA, "bad", "inline-secret.yaml"))
        self.assertEqual(p.returncode, 1)
        self.assertNotIn("do-not-print-me", p.stderr + p.stdout)

    def test_syntax_error_in_one_goal_file_does_not_hide_the_next(self):
        main = os.path.join(DATA, "bad-goal-files", "labourwatch.yaml")
        goals = os.path.join(DATA, "bad-goal-files", "goals.d")
        p = run("--config", main)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.splitlines(), [
            f"{goals}/10-syntax.yaml:3:4: YAML syntax error: did not find expected '-' indicator (while parsing "
            "a block collection starting at line 2)",
            f"{goals}/20-type.yaml:6:13: target: expected a number, got a mapping",
        ])

    def test_goals_dir_relative_to_main_file(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "plan"))
            with open(os.path.join(d, "main.yaml"), "w") as f:
                f.write("goals_dir: plan\nsources:\n  f: {kind: csv, base_url: /srv/x.csv}\n"
                        "series:\n  s:\n    source: f\n    column: c\n    frequency: year\n")
            with open(os.path.join(d, "plan", "a.yaml"), "w") as f:
                f.write("goals:\n  x:\n    kind: level\n    series: s\n    period: 2024\n    target: 1\n")
            with open(os.path.join(d, "plan", "ignored.yml"), "w") as f:
                f.write("this is not read: [\n")
            p = run("--config", os.path.join(d, "main.yaml"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.strip(),
                             "configuration OK: 1 source, 1 series, 1 goal, 0 recipients, 0 notifiers, 0 routes")
            # The .yml file is not read, but said so (issue 13 §2), not silently dropped.
            self.assertEqual(p.stderr.splitlines(),
                             [f"{d}/plan/ignored.yml: warning: ignored: goal files must end in .yaml"])

    def test_warnings_do_not_fail(self):
        """A secret that cannot be read here and a missing goal directory are warnings: exit 0."""
        with tempfile.TemporaryDirectory() as d:
            main = os.path.join(d, "main.yaml")
            with open(main, "w") as f:
                f.write("goals_dir: nowhere\n"
                        "sources:\n  jis:\n    kind: jobindsats\n    token_file: /nonexistent/token\n"
                        "  jis2:\n    kind: jobindsats\n    token_credential: not-there\n")
            p = run("--config", main)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr.splitlines(), [
                f"{main}:3:3: warning: source 'jis': cannot read token_file /nonexistent/token: No such file or "
                "directory",
                f"{main}:6:3: warning: source 'jis2': cannot read credential 'not-there' in "
                "$CREDENTIALS_DIRECTORY: No such file or directory",
                f"{d}/nowhere: warning: goal directory does not exist: no goal files are read from it",
            ])
            self.assertIn("configuration OK: 2 sources", p.stdout)

    def test_no_fifo_is_opened(self):
        """--config, a goal file or a *_file naming a FIFO is refused at once, never waited on."""
        with tempfile.TemporaryDirectory() as d:
            fifo = os.path.join(d, "fifo.yaml")
            os.mkfifo(fifo)
            p = run("--config", fifo)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.splitlines(), [f"{fifo}: cannot read: not a regular file (a FIFO, socket or device)"])
            os.mkdir(os.path.join(d, "goals.d"))
            os.symlink(fifo, os.path.join(d, "goals.d", "a.yaml"))
            main = os.path.join(d, "main.yaml")
            with open(main, "w") as f:
                f.write("sources:\n  jis:\n    kind: jobindsats\n    token_file: " + fifo + "\n")
            p = run("--config", main)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.splitlines(), [
                f"{d}/goals.d/a.yaml: cannot read: not a regular file (a FIFO, socket or device)"])

    def test_password_in_url_never_printed(self):
        with tempfile.TemporaryDirectory() as d:
            main = os.path.join(d, "main.yaml")
            with open(main, "w") as f:
                f.write("sources:\n  e:\n    kind: jsonstat\n    base_url: https://me:do-not-print-me@x.org/\n")
            p = run("--config", main)
            self.assertEqual(p.returncode, 1)
            self.assertIn("base_url: must not contain a user name or password", p.stderr)
            self.assertNotIn("do-not-print-me", p.stderr + p.stdout)

    def test_missing_file(self):
        p = run("--config", "/nonexistent/labourwatch.yaml")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.splitlines(),
                         ["/nonexistent/labourwatch.yaml: cannot read: No such file or directory"])

    def test_usage(self):
        for args in (["--bogus"], ["extra-argument"], ["--config"]):
            with self.subTest(args=args):
                p = run(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                # one line naming the problem, then where the help is, not the help (issue 22 item 5)
                lines = p.stderr.splitlines()
                self.assertEqual(len(lines), 2, p.stderr)
                self.assertTrue(lines[0].startswith("labourwatch check: "), p.stderr)
                self.assertEqual(lines[1], "see labourwatch check --help")
                self.assertNotIn("Usage:", p.stderr)
                self.assertEqual(p.stdout, "")

    def test_help(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("Usage: labourwatch check [--config PATH]", p.stdout)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    n = result.testsRun
    bad = len(result.failures) + len(result.errors)
    print(f"test_check: {n - bad}/{n} passed, {len(result.failures)} failed, {len(result.errors)} errors")
    sys.exit(0 if result.wasSuccessful() else 1)
