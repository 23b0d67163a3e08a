#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""etc/examples/ (issue 12 §2): every example plan passes `labourwatch check`, its `labourwatch
test` files pass, every goal it defines is pinned by at least one test, and each plan the issue
names is there.

Environment: LW_CLI (the labourwatch binary), LW_SOURCE_DIR (the source tree)."""

import glob
import os
import re
import atexit
import shutil
import subprocess
import tempfile
import unittest

CLI = os.environ.get("LW_CLI", "labourwatch")
SRC = os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SRC, "etc", "examples")


# The examples' jobindsats token, where the service would find it: check warns about a credential
# it cannot read.
CREDENTIALS = tempfile.mkdtemp(prefix="lw-test-examples-creds-")
atexit.register(shutil.rmtree, CREDENTIALS, True)
with open(os.path.join(CREDENTIALS, "jobindsats-token"), "w") as _f:
    _f.write("not-a-real-token\n")


def run(*args):
    env = dict(os.environ)
    env.pop("LABOURWATCH_CONFIG", None)
    env["CREDENTIALS_DIRECTORY"] = CREDENTIALS
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode >= 0, f"{args}: killed by signal {-p.returncode}: {p.stderr}"
    return p


class Examples(unittest.TestCase):
    def dirs(self):
        return sorted(d for d in glob.glob(os.path.join(EXAMPLES, "*")) if os.path.isdir(d))

    def test_the_seed_plans_are_there(self):
        names = [os.path.basename(d) for d in self.dirs()]
        for want in ("herlev-2022", "lyngby-taarbaek-2016", "fredericia"):
            self.assertIn(want, names)

    def test_check_and_test_every_example(self):
        for d in self.dirs():
            with self.subTest(example=os.path.basename(d)):
                conf = os.path.join(d, "labourwatch.yaml")
                p = run("check", "--config", conf)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(p.stderr, "")
                goals = run("complete", "goals", "--config", conf).stdout.split()
                self.assertTrue(goals, "no goals")

                tests = sorted(glob.glob(os.path.join(d, "tests", "*.yaml")))
                self.assertTrue(tests, "no tests/*.yaml")
                p = run("test", *tests)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                total = re.findall(r"(\d+) tests?, (\d+) failed", p.stdout)
                self.assertTrue(total and all(f == "0" for _, f in total), p.stdout)

                # every goal has a test that expects a status
                pinned = set()
                for t in tests:
                    with open(t, encoding="utf-8") as f:
                        pinned |= set(re.findall(r"^\s*goal:\s*(\S+)", f.read(), re.M))
                self.assertEqual(sorted(set(goals) - pinned), [], "goals without a test")

    def test_lyngby_five_of_six_met(self):
        d = os.path.join(EXAMPLES, "lyngby-taarbaek-2016")
        p = run("test", *glob.glob(os.path.join(d, "tests", "*.yaml")))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        text = "".join(open(t, encoding="utf-8").read() for t in glob.glob(os.path.join(d, "tests", "*.yaml")))
        final = re.findall(r"date: 2017-04-01\n\s*goal: (\S+)\n\s*expect: \{status: (\w+)", text)
        self.assertEqual(len(final), 6)
        self.assertEqual(sorted(s for _, s in final).count("achieved"), 5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
