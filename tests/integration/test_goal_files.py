#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch test (goal unit tests in YAML) and labourwatch eval against a real state database.

Every sample goal in etc/goals.d has tests in tests/goals/*.yaml; they must all pass. A deliberately
failing file must fail with a readable want/got diff, a malformed one with FILE:LINE:COL. Then eval
runs on data written with `labourwatch import`, including a revised month and the audit record."""
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

CLI = os.environ.get("LW_CLI")
SRC = os.environ.get("LW_SOURCE_DIR")


def run(*args, **kw):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, **kw)


class GoalFiles(unittest.TestCase):
    def test_man_page_example_explanation_is_current(self):
        # labourwatch-goals(7), EXPLANATIONS, quotes the first test of tests/goals/fleksjob-2024.yaml:
        # the words the program prints today
        with open(os.path.join(SRC, "packaging/man/labourwatch-goals.7"), encoding="utf-8") as f:
            man = f.read()
        example = man.split("Example explanation (the first test of tests/goals/fleksjob-2024.yaml):", 1)[1]
        example = example.split(".RS\n", 1)[1].split("\n.RE", 1)[0]
        example = " ".join(example.split())
        self.assertTrue(example.startswith("Målet »Mindst 380 fuldtidspersoner"), example)
        with open(os.path.join(SRC, "tests/goals/fleksjob-2024.yaml"), encoding="utf-8") as f:
            goal_test = f.read()
        with tempfile.TemporaryDirectory(prefix="lw-man-") as d:
            path = os.path.join(d, "example.yaml")
            head = goal_test.split("tests:", 1)[0].replace("../../etc/", os.path.join(SRC, "etc") + "/")
            with open(path, "w", encoding="utf-8") as f:
                f.write(head + "tests:\n  - name: the man page's example\n    date: 2024-07-15\n"
                        "    goal: fleksjob-2024\n    expect: {explanation: %s}\n" % json.dumps(example, ensure_ascii=False))
            p = run("test", path)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_sample_goal_tests_pass(self):
        files = sorted(glob.glob(os.path.join(SRC, "tests/goals/*.yaml")))
        self.assertGreaterEqual(len(files), 6)
        p = run("test", *files)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("failed", p.stdout)
        self.assertRegex(p.stdout, r"total: \d+ tests, 0 failed")
        # every sample goal is tested
        goals = set()
        for f in glob.glob(os.path.join(SRC, "etc/goals.d/*.yaml")):
            with open(f) as fh:
                for line in fh:
                    if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":") \
                            and "-20" in line:
                        goals.add(line.strip().rstrip(":"))
        tested = set()
        for f in files:
            with open(f) as fh:
                for line in fh:
                    if line.strip().startswith("goal:"):
                        tested.add(line.split(":", 1)[1].strip())
        self.assertEqual(len(goals), 10, goals)
        self.assertEqual(goals - tested, set())

    def test_failing_file(self):
        f = os.path.join(SRC, "tests/data/goals/failing.yaml")
        p = run("test", f)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(f + ":10:5: FAIL: goal fleksjob-2024 at 2024-07-15 (wrong on purpose)", p.stdout)
        self.assertIn("    status: want off_track, got on_track\n", p.stdout)
        self.assertIn("    value: want 380, got 385 (tolerance 0.05)\n", p.stdout)
        self.assertIn("    gap: want none, got 11\n", p.stdout)
        self.assertNotIn("projected:", p.stdout)  # that one matched
        self.assertIn("2 tests, 1 failed", p.stdout)

    def test_malformed_file(self):
        f = os.path.join(SRC, "tests/data/goals/malformed.yaml")
        p = run("test", f)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f + ":3:36: series 'fleksjob_fuldtid': '2024M13' is not a period", p.stderr)

    def test_reader_hardening(self):
        """Test files are read like the configuration (issue 9 §3): a FIFO is refused at once (the
        60 s timeout would catch a hang), a key given twice and a hexadecimal number are errors."""
        with tempfile.TemporaryDirectory() as d:
            fifo = os.path.join(d, "t.yaml")
            os.mkfifo(fifo)
            p = run("test", fifo)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.splitlines(), [f"{fifo}: cannot read: not a regular file (a FIFO, socket or device)"])
            dup = os.path.join(d, "dup.yaml")
            with open(dup, "w") as f:
                f.write("config: a.yaml\nconfig: b.yaml\ntests: [{}]\n")
            p = run("test", dup)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.splitlines(), [f"{dup}:2:1: duplicate key 'config' (first at line 1, column 1)"])
            hexa = os.path.join(d, "hex.yaml")
            with open(hexa, "w") as f:
                f.write("config: a.yaml\ntolerance: 0x1p3\ntests: [{}]\n")
            p = run("test", hexa)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.splitlines(), [f"{hexa}:2:12: tolerance: expected a number, got '0x1p3'"])

    def test_usage(self):
        self.assertEqual(run("test").returncode, 2)
        p = run("test", "/nonexistent.yaml")
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent.yaml", p.stderr)


class Eval(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lw-eval-")
        self.state = os.path.join(self.dir, "state")
        os.mkdir(self.state)
        with open(os.path.join(SRC, "etc/labourwatch.yaml")) as f:
            text = f.read()
        text = text.replace("state_dir: /var/lib/labourwatch", "state_dir: " + self.state, 1)
        self.config = os.path.join(self.dir, "labourwatch.yaml")
        with open(self.config, "w") as f:
            f.write(text)
        shutil.copytree(os.path.join(SRC, "etc/goals.d"), os.path.join(self.dir, "goals.d"))

    def tearDown(self):
        shutil.rmtree(self.dir)

    def importcsv(self, series, rows, column="vaerdi"):
        path = os.path.join(self.dir, series + ".csv")
        with open(path, "w") as f:
            f.write(f"periode;{column}\n")
            for p, v in rows:
                f.write(f"{p};{v}\n")
        p = run("import", "--config", self.config, series, path)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def evaluate(self, *extra):
        p = run("eval", "--config", self.config, "--date", "2024-07-15", "--json", *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return {r["id"]: r for r in json.loads(p.stdout)}

    def test_eval_revision_and_audit(self):
        self.importcsv("fleksjob_fuldtid", [(f"2024M{m:02d}", 378 + 2 * m) for m in range(1, 7)])
        self.importcsv("rekruttering_ordrer", [(f"2024M{m:02d}", 10) for m in range(1, 7)], "ordrer")
        self.importcsv("rekruttering_matchede", [(f"2024M{m:02d}", 6) for m in range(1, 7)], "matchede")
        res = self.evaluate()
        self.assertEqual(len(res), 10)
        f = res["fleksjob-2024"]
        self.assertEqual(f["status"], "on_track")
        self.assertEqual(f["period"], "2024M06")
        self.assertAlmostEqual(f["value"], 385)
        self.assertAlmostEqual(f["projected"], 391)
        self.assertAlmostEqual(f["gap"], 11)
        self.assertEqual(f["target"], 380)
        self.assertIn("på rette spor", f["explanation"])
        self.assertIn("on track", f["explanation_en"])
        self.assertEqual(f["unit"], "fuldtidspersoner")
        # The predictive distribution (goals(7), PROBABILITY): six months and no past year, so wide.
        self.assertGreater(f["probability"], 0.5)
        self.assertLess(f["probability"], 1)
        self.assertLess(f["projected_low"], 391)
        self.assertGreater(f["projected_high"], 391)
        self.assertNotIn("probability", res["smaajob-2024"])
        self.assertEqual(res["rekruttering-match-2024"]["status"], "on_track")
        self.assertAlmostEqual(res["rekruttering-match-2024"]["value"], 60)
        self.assertEqual(res["smaajob-2024"]["status"], "no_data")
        self.assertIsNone(res["smaajob-2024"]["value"])

        # June is revised down: the latest revision counts.
        self.importcsv("fleksjob_fuldtid", [("2024M06", 368)])
        f = self.evaluate("--record")["fleksjob-2024"]
        self.assertAlmostEqual(f["value"], (380 + 382 + 384 + 386 + 388 + 368) / 6)

        # The audit trail says which figures were used.
        db = sqlite3.connect(os.path.join(self.state, "labourwatch.db"))
        rows = db.execute("SELECT goal, eval_date, status, inputs_json, result_json FROM evaluations"
                          " WHERE goal = 'fleksjob-2024'").fetchall()
        db.close()
        self.assertEqual(len(rows), 1)
        goal, date, status, inputs, result = rows[0]
        self.assertEqual((goal, date), ("fleksjob-2024", "2024-07-15"))
        self.assertEqual(status, f["status"])
        inputs = json.loads(inputs)
        vals = inputs["series"]["fleksjob_fuldtid"]["values"]
        self.assertEqual(vals["2024M06"], 368)
        self.assertEqual(vals["2024M01"], 380)
        self.assertEqual(inputs["series"]["fleksjob_fuldtid"]["role"], "series")
        self.assertEqual(json.loads(result)["status"], f["status"])

    def test_table(self):
        self.importcsv("fleksjob_fuldtid", [(f"2024M{m:02d}", 378 + 2 * m) for m in range(1, 7)])
        p = run("eval", "--config", self.config, "--date", "2024-07-15")
        self.assertEqual(p.returncode, 0, p.stderr)
        # the title, not the id; Danish status words, periods as people write them, a gap that says
        # which way is good, the unit
        line = [l for l in p.stdout.splitlines() if l.startswith("Mindst 380 fuldtidspersoner i fleksjob i 2024 ")][0]
        self.assertRegex(line, r"^Mindst 380 fuldtidspersoner i fleksjob i 2024 +På sporet +jun\. 2024 +385,0 +391,0 +"
                               r"mindst 380 +11,0 over målet +fuldtidspersoner$")
        self.assertIn("MÅL", p.stdout)
        self.assertNotIn("on_track", p.stdout)
        self.assertIn("i gennemsnit 385 fuldtidspersoner i januar–juni 2024", p.stdout)
        # sentences are wrapped for a terminal of $COLUMNS (at most 100)
        p = run("eval", "--config", self.config, "--date", "2024-07-15", env={**os.environ, "COLUMNS": "60"})
        self.assertEqual(p.returncode, 0, p.stderr)
        text = p.stdout.split("\n\n", 1)[1]
        self.assertTrue(all(len(l) <= 60 for l in text.splitlines()), text)
        self.assertIn("Målet »Mindst 380 fuldtidspersoner i fleksjob i 2024« er på", text)
        # --json keeps the codes
        p = run("eval", "--config", self.config, "--date", "2024-07-15", "--json")
        self.assertIn('"status": "on_track"', p.stdout)

    def test_bad_date(self):
        p = run("eval", "--config", self.config, "--date", "2024-13-01")
        self.assertEqual(p.returncode, 2)

    def test_eval_state_dir_and_no_goals(self):
        # like status: a state directory that does not exist is an error (a wrong state_dir:),
        # an existing one without a database yet is evaluated without data; no goals is said
        with tempfile.TemporaryDirectory(prefix="lw-eval-") as d:
            missing = os.path.join(d, "nope")
            cfg = os.path.join(d, "a.yaml")
            goal = "goals:\n  g:\n    title: Målet\n    kind: level\n    series: s\n    period: 2024\n    target: 5\n"
            base = ("sources:\n  i:\n    kind: csv\n    base_url: file:///nonexistent/\n"
                    "series:\n  s:\n    source: i\n    path: s.csv\n    column: v\n    frequency: month\n")
            with open(cfg, "w") as f:
                f.write(f"state_dir: {missing}\n" + base + goal)
            p = run("eval", "--config", cfg, "--date", "2024-07-01")
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn(f"state directory {missing} does not exist", p.stderr)
            with open(cfg, "w") as f:
                f.write(f"state_dir: {d}\n" + base + goal)
            p = run("eval", "--config", cfg, "--date", "2024-07-01")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("no database yet (has labourwatchd run?); evaluating without data", p.stderr)
            self.assertIn("Målet »Målet« kan ikke vurderes: der er endnu ikke offentliggjort tal for 2024.", p.stdout)
            with open(cfg, "w") as f:
                f.write(f"state_dir: {d}\n" + base)
            p = run("eval", "--config", cfg)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.splitlines()[0], f"No goals configured (goals: in {cfg}, or goals.d/ beside it).")


if __name__ == "__main__":
    unittest.main()
