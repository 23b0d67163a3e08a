#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch backtest (issue 17 §4): each goal's rule moved to the earlier periods of the stored
history, revealed month by month as fetched, scored against the final verdict.

Demo: the bundled demo (etc/demo) fetched by one labourwatchd --once cycle, so the store's history
starts today and every earlier month is evaluated on the latest figures (and says so). The engine is
a black box here: the tests check what follows from the data and the definitions (final values by
hand, counts, ranges, the scores recomputed from the evaluations printed), never a probability.

Revisions: one series written straight into the store with chosen fetch times and a revised month,
as a history of fetches would have left it; the goal judged on its latest month with the point
projection, so each month's status follows from the figures known then.

Environment: LW_DAEMON, LW_CLI (the programs, maybe valgrind wrappers), LW_SOURCE_DIR."""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwtest  # noqa: E402

SOURCE_DIR = os.path.abspath(os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")))
DAEMON = os.environ.get("LW_DAEMON")
CLI = os.environ.get("LW_CLI", "labourwatch")
DEMO = os.path.join(SOURCE_DIR, "etc", "demo")
SCORE_KEYS = {"periods", "achieved", "missed", "skipped", "evaluations", "with_probability", "not_revision_aware",
              "covered", "coverage", "brier", "calibration", "false_alarms", "missed_caught", "missed_with_mid",
              "median_lead_months"}
SCORED = ("on_track", "at_risk", "off_track")


def env():
    e = dict(os.environ, TZ="UTC", LABOURWATCH_LOG_TARGET="stderr")
    e.pop("LABOURWATCH_CONFIG", None)
    return e


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, env=env())


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not DAEMON or not os.access(DAEMON, os.X_OK):
            raise RuntimeError("LW_DAEMON and LW_CLI must name the built programs (run through ctest)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lw-backtest-")
        work = cls.tmp.name
        os.mkdir(os.path.join(work, "state"), 0o700)
        os.mkdir(os.path.join(work, "outbox"), 0o700)
        token = os.path.join(work, "jobindsats.token")
        with open(os.open(token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write("backtest-test-token\n")
        server, port = lwtest.start_demo_server(DEMO, work, token, os.path.join(work, "requests.log"))
        try:
            cls.config = lwtest.write_demo_config(DEMO, work, port, SOURCE_DIR)
            p = subprocess.run([DAEMON, "--once", "--config", cls.config], capture_output=True, text=True,
                               timeout=120, env=env())
        finally:
            lwtest.stop_process(server)
        if p.returncode != 0:
            raise RuntimeError("labourwatchd --once: " + p.stderr)
        cls.doc = cls.backtest_json()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def backtest_json(cls, *args):
        p = run("backtest", "--config", cls.config, "--json", *args)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)
        return json.loads(p.stdout)

    def goal(self, gid):
        return next(g for g in self.doc["goals"] if g["id"] == gid)

    def series(self, name):
        p = run("series", "--config", self.config, "--json", name)
        self.assertEqual(p.returncode, 0, p.stderr)
        return {r["period"]: r["value"] for r in json.loads(p.stdout)}

    def test_every_goal_moved_back(self):
        ids = [g["id"] for g in json.loads(run("eval", "--config", self.config, "--json").stdout)]
        self.assertEqual([g["id"] for g in self.doc["goals"]], ids)
        for g in self.doc["goals"]:
            with self.subTest(goal=g["id"]):
                self.assertEqual(set(g["score"]), SCORE_KEYS)
                self.assertGreaterEqual(len(g["periods"]), 1, "the demo has 2023 before every 2024 goal")
                self.assertEqual([p["years_back"] for p in g["periods"]], list(range(1, len(g["periods"]) + 1)))
                self.assertEqual(g["periods"][0]["period"], "2023")
                self.assertTrue(all(p["over"] for p in g["periods"]))

    def test_final_values_follow_from_the_data(self):
        fleksjob = self.series("fleksjob_fuldtid")
        avg = sum(v for k, v in fleksjob.items() if k.startswith("2023")) / 12
        p = self.goal("fleksjob-2024")["periods"][0]
        self.assertAlmostEqual(p["final_value"], avg, delta=1e-6)
        self.assertEqual(p["outcome"], "achieved" if avg >= 380 else "missed")
        smaajob = sum(v for k, v in self.series("smaajob_personer").items() if k.startswith("2023"))
        p = self.goal("smaajob-2024")["periods"][0]
        self.assertAlmostEqual(p["final_value"], smaajob, delta=1e-6)
        self.assertEqual(p["outcome"], "achieved" if smaajob >= 60 else "missed")

    def test_change_goal_without_the_earlier_baseline_is_not_scored(self):
        # "fewer than in 2023" moved back is "2023 against 2022"; the demo has no 2022
        g = self.goal("sygedagpenge-fald-2024")
        p = g["periods"][0]
        self.assertEqual((p["period"], p["baseline"], p["outcome"], p["final_reason"]),
                         ("2023", "2022", None, "no_baseline"))
        self.assertEqual(p["evaluations"], [])
        self.assertIsNone(p["revision_aware"])
        self.assertEqual(g["score"]["periods"], 0)
        self.assertEqual(g["score"]["skipped"], len(g["periods"]))

    def test_evaluations_month_by_month(self):
        for g in self.doc["goals"]:
            for p in g["periods"]:
                if p["outcome"] is None:
                    continue
                with self.subTest(goal=g["id"], period=p["period"]):
                    self.assertIn(p["outcome"], ("achieved", "missed"))
                    ev = p["evaluations"]
                    year = int(p["period"])
                    self.assertEqual([e["month"] for e in ev], list(range(1, 12)))
                    self.assertEqual([e["date"] for e in ev], ["%d-%02d-01" % (year, m + 1) for m in range(1, 12)])
                    for e in ev:
                        # the demo was fetched today: nothing of 2023 as it was known then
                        self.assertFalse(e["revision_aware"])
                        self.assertNotIn(e["status"], ("achieved", "missed"), "the period is not over yet")
                        if e["probability"] is None:
                            self.assertIsNone(e["covered"])
                            continue
                        self.assertTrue(0 <= e["probability"] <= 1, e)
                        self.assertLessEqual(e["low"], e["high"])
                        self.assertEqual(e["covered"], e["low"] - 1e-6 <= p["final_value"] <= e["high"] + 1e-6)
                    self.assertIsNotNone(g["revision_aware_from"])
                    self.assertFalse(p["revision_aware"])

    def test_scores_recomputed_from_the_evaluations(self):
        total = {"periods": 0, "evaluations": 0, "with_probability": 0, "covered": 0, "brier": 0.0, "ever": 0,
                 "two": 0, "missed": 0, "achieved": 0, "caught": 0}
        bands = [[0, 0] for _ in range(10)]
        for g in self.doc["goals"]:
            s = g["score"]
            n = sum(1 for p in g["periods"] if p["outcome"])
            self.assertEqual(s["periods"], n, g["id"])
            self.assertEqual(s["skipped"], len(g["periods"]) - n, g["id"])
            for p in g["periods"]:
                if not p["outcome"]:
                    continue
                o = 1 if p["outcome"] == "achieved" else 0
                total["periods"] += 1
                total["achieved" if o else "missed"] += 1
                st = [e["status"] for e in p["evaluations"]]
                if o:
                    total["ever"] += "off_track" in st
                    total["two"] += any(a == b == "off_track" for a, b in zip(st, st[1:]))
                else:
                    total["caught"] += st[5] == "off_track"  # after June
                for e in p["evaluations"]:
                    if e["status"] not in SCORED:
                        continue
                    total["evaluations"] += 1
                    if e["probability"] is None:
                        continue
                    total["with_probability"] += 1
                    total["covered"] += e["covered"]
                    total["brier"] += (e["probability"] - o) ** 2
                    b = min(9, int(e["probability"] * 10))
                    bands[b][0] += 1
                    bands[b][1] += o
        t = self.doc["total"]
        self.assertEqual(set(t), SCORE_KEYS)
        for k in ("periods", "achieved", "missed", "evaluations", "with_probability", "covered"):
            self.assertEqual(t[k], total[k], k)
        self.assertGreater(t["periods"], 0)
        self.assertGreater(t["with_probability"], 0)
        self.assertEqual(t["not_revision_aware"], t["evaluations"])
        self.assertAlmostEqual(t["brier"], total["brier"] / total["with_probability"], places=9)
        self.assertTrue(0 <= t["brier"] <= 1)
        self.assertAlmostEqual(t["coverage"], total["covered"] / total["with_probability"], places=9)
        self.assertEqual(t["false_alarms"], {"ever_off_track": total["ever"], "off_track_two_months": total["two"]})
        self.assertEqual(t["missed_caught"], total["caught"])
        self.assertEqual([b["n"] for b in t["calibration"]], [b[0] for b in bands])
        self.assertEqual([b["band"] for b in t["calibration"]], ["%.1f-%.1f" % (i / 10, (i + 1) / 10) for i in range(10)])
        for b, (n, achieved) in zip(t["calibration"], bands):
            if n == 0:
                self.assertIsNone(b["mean_predicted"])
                self.assertIsNone(b["observed"])
            else:
                self.assertTrue(b["from"] <= b["mean_predicted"] <= b["to"], b)
                self.assertAlmostEqual(b["observed"], achieved / n, places=9)
        leads = t["median_lead_months"]
        self.assertTrue(leads is None if t["missed"] == 0 else 0 <= leads <= 11)

    def test_deterministic_and_years(self):
        self.assertEqual(self.backtest_json(), self.doc)
        one = self.backtest_json("--years", "1", "kurser-2024", "fleksjob-2024")
        self.assertEqual([g["id"] for g in one["goals"]], ["fleksjob-2024", "kurser-2024"])  # configuration order
        self.assertEqual([len(g["periods"]) for g in one["goals"]], [1, 1])
        self.assertEqual(one["goals"][0], self.goal("fleksjob-2024"))
        # kurser (2024 against 2019) has figures back to 2019: more than one earlier period without --years
        self.assertGreater(len(self.goal("kurser-2024")["periods"]), 1)

    def test_thresholds_from_the_command_line(self):
        """--status-from probability with other thresholds: every evaluation with a probability has
        the status those thresholds give it (the documented rule, whatever the probability is), and
        the rule backtested is reported."""
        doc = self.backtest_json("--status-from", "probability", "--probability-at-risk", "0.7",
                                 "--probability-off-track", "0.3")
        n = 0
        for g in doc["goals"]:
            self.assertEqual((g["status_from"], g["probability_at_risk"], g["probability_off_track"]),
                             ("probability", 0.7, 0.3))
            for p in g["periods"]:
                for e in p["evaluations"]:
                    if e["probability"] is None or e["status"] not in SCORED:
                        continue
                    want = "on_track" if e["probability"] >= 0.7 else "at_risk" if e["probability"] >= 0.3 else "off_track"
                    self.assertEqual(e["status"], want, (g["id"], p["period"], e))
                    n += 1
        self.assertGreater(n, 0)
        # without options: each goal's own rule, the defaults filled in
        for g in self.doc["goals"]:
            self.assertIn(g["status_from"], ("projection", "probability"))
            self.assertTrue(0 <= g["probability_off_track"] < g["probability_at_risk"] <= 1, g["id"])
        # only the off_track threshold: the goal's own at_risk stays
        one = self.backtest_json("--probability-off-track", "0.05", "fleksjob-2024")["goals"][0]
        own = self.goal("fleksjob-2024")
        self.assertEqual((one["status_from"], one["probability_at_risk"], one["probability_off_track"]),
                         (own["status_from"], own["probability_at_risk"], 0.05))
        p = run("backtest", "--config", self.config, "--probability-at-risk", "0.85", "--probability-off-track", "0.9",
                "fleksjob-2024")
        self.assertEqual(p.returncode, 2)
        self.assertIn("goal 'fleksjob-2024': the off_track threshold 0.9 must be below the at_risk threshold",
                      p.stderr)
        for args in (["--status-from", "guess"], ["--probability-at-risk", "0"], ["--probability-off-track", "1.5"]):
            p = run("backtest", "--config", self.config, *args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(args[0], p.stderr)

    def test_text(self):
        p = run("backtest", "--config", self.config)
        self.assertEqual(p.returncode, 0, p.stderr)
        t = self.doc["total"]
        self.assertIn("not revision-aware for periods before ", p.stdout)
        self.assertIn("Total, %d goals:\n  scored %d evaluations (%d with a probability) of %d periods "
                      "(%d achieved, %d missed)" % (len(self.doc["goals"]), t["evaluations"], t["with_probability"],
                                                    t["periods"], t["achieved"], t["missed"]), p.stdout)
        self.assertRegex(p.stdout, r"(?m)^fleksjob-2024 \(level, at_least 380, 2024\): \d+ earlier periods?$")
        self.assertRegex(p.stdout, r"(?m)^  2023/2022  no final verdict \(no_data, no_baseline\): not scored$")
        # the total's calibration table has every band; a goal's only those it has evaluations in
        goals, total = p.stdout.split("\nTotal, ")
        self.assertRegex(total, r"(?m)^  calibration +n +predicted +observed$")
        self.assertEqual(len([line for line in total.splitlines() if line.startswith("  0.")]), 10)
        g = self.goal("fleksjob-2024")
        section = goals.split("fleksjob-2024 (", 1)[1].split("\n\n", 1)[0]
        rows = [line.split()[:2] for line in section.splitlines() if line.startswith("  0.")]
        self.assertEqual(rows, [[b["band"], str(b["n"])] for b in g["score"]["calibration"] if b["n"]])
        self.assertGreater(len(rows), 0)

    def test_json_keys_documented(self):
        """Every key --json prints is named in labourwatch(1)'s backtest entry (the stable keys)."""
        with open(os.path.join(SOURCE_DIR, "packaging", "man", "labourwatch.1"), encoding="utf-8") as f:
            man = f.read()
        entry = man.split(".It Cm backtest", 1)[1].split(".Sh ", 1)[0]
        documented = set()
        for line in entry.splitlines():
            words = line.replace(",", " ").lstrip(".").split()
            if line.startswith(".") and "Ic" in words:  # .Ic a , b and .Pq Ic a , b
                documented |= {w for w in words[words.index("Ic") + 1:] if w.isidentifier()}
        keys = set(self.doc) | set(self.doc["total"]) | set(self.doc["total"]["false_alarms"])
        keys |= set(self.doc["total"]["calibration"][0])
        for g in self.doc["goals"]:
            keys |= set(g)
            for p in g["periods"]:
                keys |= set(p)
                for e in p["evaluations"]:
                    keys |= set(e)
        self.assertEqual(keys - documented, set())

    def test_errors(self):
        p = run("backtest", "--config", self.config, "fleksjob-2024", "no-such-goal")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown goal 'no-such-goal'", p.stderr)
        self.assertEqual(p.stdout, "")
        for bad in ("0", "-1", "abc", "101"):
            p = run("backtest", "--config", self.config, "--years", bad)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("--years", p.stderr)


REVISIONS_CONFIG = """\
state_dir: {state_dir}
sources:
  internal:
    kind: csv
    base_url: file://{data_dir}/
    schedule: 1h
series:
  niveau:
    source: internal
    path: niveau.csv
    column: niveau
    frequency: month
    publication_lag: 1
goals:
  niveau-2021:
    title: Niveauet
    kind: level
    series: niveau
    aggregate: latest
    projection: none
    status_from: projection
    period: 2021
    direction: at_least
    target: 100
    tolerance: 5
  niveau-2099:
    title: Niveauet engang
    kind: level
    series: niveau
    period: 2099
    direction: at_least
    target: 100
"""


class Revisions(unittest.TestCase):
    """Each 2020 month fetched on the 5th of the next; March first published as 80 and revised to
    110 on 20 May. Evaluated on the first of each month, the goal sees the month before last
    (published on the 5th): April 1 still has February, May 1 has March as first published."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lw-backtest-rev-")
        self.state = os.path.join(self.tmp, "state")
        data = os.path.join(self.tmp, "data")
        os.mkdir(self.state, 0o700)
        os.mkdir(data)
        self.config = os.path.join(self.tmp, "labourwatch.yaml")
        with open(self.config, "w") as f:
            f.write(REVISIONS_CONFIG.format(state_dir=self.state, data_dir=data))
        csv = os.path.join(data, "niveau.csv")
        with open(csv, "w") as f:
            f.write("periode;niveau\n2020M01;110\n")
        p = run("import", "--config", self.config, "niveau", csv)  # creates the database and its schema
        self.assertEqual(p.returncode, 0, p.stderr)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    @staticmethod
    def usec(y, m, d):
        return int(datetime.datetime(y, m, d, 6, 0, tzinfo=datetime.timezone.utc).timestamp()) * 1000000

    def write(self, rows):
        db = sqlite3.connect(os.path.join(self.state, "labourwatch.db"))
        with db as c:
            c.execute("DELETE FROM observations")
            for m, v, fetched, superseded in rows:
                start = (datetime.date(2020, m, 1) - datetime.date(1970, 1, 1)).days
                nxt = datetime.date(2020 + m // 12, m % 12 + 1, 1)
                end = (nxt - datetime.date(1970, 1, 1)).days - 1
                c.execute("INSERT INTO observations (series, period, freq, year, sub, start_day, end_day, value, "
                          "missing, fetched_at, last_seen, superseded_at, source) "
                          "VALUES ('niveau', ?, 'month', 2020, ?, ?, ?, ?, 0, ?, ?, ?, 'internal')",
                          ("2020M%02d" % m, m, start, end, v, fetched, fetched, superseded))
        db.close()

    def test_months_as_fetched_then(self):
        values = {1: 110, 2: 110, 3: 110, 4: 110, 5: 90, 6: 90, 7: 110, 8: 110, 9: 110, 10: 110, 11: 110, 12: 104}
        rows = []
        for m, v in values.items():
            fetched = self.usec(2020 + m // 12, m % 12 + 1, 5)
            if m == 3:
                rows.append((3, 80, fetched, self.usec(2020, 5, 20)))  # first published 80...
                fetched = self.usec(2020, 5, 20)                       # ...revised to 110 on 20 May
            rows.append((m, v, fetched, None))
        self.write(rows)

        p = run("backtest", "--config", self.config, "--json", "niveau-2021")
        self.assertEqual(p.returncode, 0, p.stderr)
        g = json.loads(p.stdout)["goals"][0]
        self.assertEqual([x["period"] for x in g["periods"]], ["2020"], "nothing stored before 2020")
        per = g["periods"][0]
        self.assertEqual((per["outcome"], per["final_value"]), ("achieved", 104))
        ev = per["evaluations"]
        self.assertEqual([e["status"] for e in ev],
                         ["no_data",                 # 1 Feb: before the first fetch; January not out yet
                          "on_track", "on_track",    # January, February
                          "off_track",               # 1 May: March as first published (80), not the 110 of today
                          "on_track", "off_track", "off_track", "on_track", "on_track", "on_track", "on_track"])
        self.assertEqual([e["revision_aware"] for e in ev], [False] + [True] * 10)
        self.assertEqual(g["revision_aware_from"], "2020-02-05T06:00:00Z")
        self.assertFalse(per["revision_aware"])
        s = g["score"]
        self.assertEqual((s["periods"], s["achieved"], s["evaluations"], s["not_revision_aware"]), (1, 1, 10, 0))
        self.assertEqual(s["false_alarms"], {"ever_off_track": 1, "off_track_two_months": 1})
        self.assertIsNone(s["median_lead_months"])

        # the latest figures alone (no history of fetches) would have hidden the false alarm of May
        self.write([(m, v, self.usec(2021, 2, 1), None) for m, v in values.items()])
        g = json.loads(run("backtest", "--config", self.config, "--json", "niveau-2021").stdout)["goals"][0]
        ev = g["periods"][0]["evaluations"]
        self.assertEqual(ev[3]["status"], "on_track")
        self.assertEqual([e["revision_aware"] for e in ev], [False] * 11)
        self.assertEqual(g["revision_aware_from"], "2021-02-01T06:00:00Z")
        p = run("backtest", "--config", self.config, "niveau-2021")
        self.assertIn("not revision-aware for periods before 2021-02-01 06:00 UTC", p.stdout)

    def test_periods_not_over_are_not_scored(self):
        self.write([(m, 100 + m, self.usec(2021, 2, 1), None) for m in range(1, 13)])
        p = run("backtest", "--config", self.config, "--json", "--years", "2", "niveau-2099")
        self.assertEqual(p.returncode, 0, p.stderr)
        g = json.loads(p.stdout)["goals"][0]
        self.assertEqual([(x["period"], x["over"], x["outcome"], x["evaluations"]) for x in g["periods"]],
                         [("2098", False, None, []), ("2097", False, None, [])])
        self.assertEqual((g["score"]["periods"], g["score"]["skipped"]), (0, 2))
        p = run("backtest", "--config", self.config, "--years", "1", "niveau-2099")
        self.assertIn("  2098       not over yet: not scored\n", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
