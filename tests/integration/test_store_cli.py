#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch series / status against a real state database.

The database is written by the real store (tests/bench/bench-store: series bench_NN, period k from
2005M01 has value 100*NN + k, fetched 2024-07-02 06:00 UTC; the last 12 periods revised by +1 on
2024-07-04 06:00, the very last one having been a missing cell until then). Source state and evaluations are added with Python's sqlite3, as the fetcher and
engine would have stored them.
"""
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("LW_CLI")
BUILD = os.environ.get("LW_BUILD_DIR")

USEC = 1_000_000
T0 = 1719900000 * USEC  # 2024-07-02 06:00:00 UTC

CONFIG = """\
state_dir: {state}
sources:
  bench:
    kind: csv
    base_url: file:///nonexistent/
  other:
    kind: csv
    base_url: file:///nonexistent/
series:
  bench_00:
    source: bench
    path: x.csv
    column: v
    frequency: month
  bench_01:
    source: bench
    path: x.csv
    column: v
    frequency: month
  never_fetched:
    source: bench
    path: x.csv
    column: v
    frequency: month
  summen:
    expr: bench_00 + bench_01
    frequency: month
notifiers:
  archive:
    kind: directory
    directory: {state}
  quiet:
    kind: directory
    directory: {state}
goals:
  fleksjob_2024:
    title: Flere i fleksjob
    kind: level
    series: bench_00
    period: 2024
    aggregate: average
    direction: at_least
    target: 400
  sygedagpenge_2024:
    title: Færre på sygedagpenge
    kind: level
    series: bench_01
    period: 2024
    aggregate: average
    direction: at_most
    target: 100
"""


def run(*args):
    # times for people are local, with the zone (JSON stays UTC): run in Copenhagen summer time
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, TZ="Europe/Copenhagen"))
    # A crash shows up as a negative return code; never acceptable.
    assert p.returncode >= 0, f"{args}: killed by signal {-p.returncode}: {p.stderr}"
    return p


class StoreCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lw-store-cli-")
        cls.state = os.path.join(cls.tmp, "state")
        os.mkdir(cls.state)
        cls.config = os.path.join(cls.tmp, "labourwatch.yaml")
        with open(cls.config, "w") as f:
            f.write(CONFIG.format(state=cls.state))
        bench = os.path.join(BUILD, "tests", "bench-store")
        subprocess.run([bench, cls.state, "2", "15"], check=True, capture_output=True, timeout=60)

        db = sqlite3.connect(os.path.join(cls.state, "labourwatch.db"))
        db.execute(
            "INSERT INTO source_state (key, last_attempt, last_success, first_failure, consecutive_failures,"
            " next_due, last_error) VALUES ('bench', ?, ?, ?, 3, ?, 'HTTP 503 from https://bench.invalid/v1/data')",
            (T0 + 3 * 3600 * USEC, T0, T0 + 1 * 3600 * USEC, T0 + 4 * 3600 * USEC))
        db.executemany("INSERT INTO fetch_log (source, url, http_status, ok, message, at) VALUES ('bench', NULL, ?, ?, ?, ?)",
                       [(200, 1, None, T0), (503, 0, "HTTP 503", T0 + 3600 * USEC),
                        (503, 0, "HTTP 503", T0 + 3 * 3600 * USEC)])
        # the newest evaluation carries the predictive distribution, as goal_result_to_json stores it
        result = json.dumps({"status": "off_track", "probability": 0.3, "projected_low": 372.4,
                             "projected_high": 391.2, "unit": "", "pace_unit": ""})
        for at, date, status, res in ((T0, "2024-07-02", "on_track", "{}"),
                                      (T0 + 86400 * USEC, "2024-07-03", "off_track", result)):
            db.execute("INSERT INTO evaluations (goal, eval_date, status, inputs_json, result_json, at)"
                       " VALUES ('fleksjob_2024', ?, ?, '{}', ?, ?)", (date, status, res, at))
        # firing since 2024M05, silenced and acknowledged after the status changed
        db.execute("INSERT INTO alert_state (goal, json) VALUES ('fleksjob_2024', ?)", (json.dumps({
            "status": "off_track", "status_since": T0 + 86400 * USEC, "off_count": 2, "off_since": "2024M05",
            "off_last": "2024M06", "firing": True, "firing_at": T0 + 86400 * USEC}),))
        # a data problem announced and not over (alerting.c's state, under a key no goal can have)
        db.execute("INSERT INTO alert_state (goal, json) VALUES ('@problem:source_failing:bench', ?)", (json.dumps({
            "kind": "source_failing", "since": T0 + 3600 * USEC, "announced_at": T0 + 2 * 3600 * USEC}),))
        db.execute("INSERT INTO alert_controls (goal, silence_until, silence_comment, silence_by, silenced_at,"
                   " ack_at, ack_comment, ack_by) VALUES ('fleksjob_2024', '2099-12-31', 'handlingsplan', 'ops', ?,"
                   " ?, 'udvalget orienteret', 'anna')", (T0, T0 + 2 * 86400 * USEC))
        # archive: one delivered, one given up, two waiting (one being retried); "gone" is no longer
        # configured
        never = 2**63 - 1
        db.executemany("INSERT INTO outbox (id, channel, recipient, dedup_key, payload_json, created_at, attempts,"
                       " next_attempt, last_error, sent_at) VALUES (?, ?, NULL, ?, '{}', ?, ?, ?, ?, ?)", [
                           (1, "archive", "k1", T0, 0, T0, None, T0 + 60 * USEC),
                           (2, "archive", "k2", T0 + 100 * USEC, 5, never, "permission denied", None),
                           (3, "archive", "k3", T0 + 5400 * USEC, 0, T0 + 5400 * USEC, None, None),
                           (4, "archive", "k4", T0 + 3600 * USEC, 2, T0 + 7200 * USEC, "disk full", None),
                           (5, "gone", "k5", T0, 0, T0, None, None)])
        db.commit()
        db.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_series_text(self):
        p = run("series", "--config", self.config, "bench_01")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("PERIOD"))
        self.assertEqual(len(lines), 1 + 15 + 1)
        first = lines[1].split()
        self.assertEqual(first[:6], ["2005M01", "100", "2024-07-02", "08:00", "CEST", "bench/BENCH01"])
        self.assertNotIn("revised", lines[3])  # 2005M03, never revised
        # 2005M04 is the first of the 12 revised periods: current 104, was 103.
        self.assertTrue(lines[4].startswith("2005M04"), lines[4])
        self.assertIn(" 104 ", lines[4])
        self.assertIn("2024-07-04 08:00 CEST", lines[4])
        self.assertIn("(revised; was 103 fetched 2024-07-02 08:00 CEST)", lines[4])
        self.assertTrue(lines[15].startswith("2006M03"), lines[15])
        self.assertIn("(revised; was .. fetched 2024-07-02 08:00 CEST)", lines[15])
        self.assertEqual(lines[-1], "bench_01: 15 periods, 12 revised")

    def test_series_json(self):
        # NAME before the option works too.
        p = run("series", "bench_00", "--json", "--config", self.config)
        self.assertEqual(p.returncode, 0, p.stderr)
        data = json.loads(p.stdout)
        self.assertEqual([d["period"] for d in data][:3], ["2005M01", "2005M02", "2005M03"])
        self.assertEqual(len(data), 15)
        d = data[0]
        self.assertEqual(d["value"], 0)
        self.assertFalse(d["missing"])
        self.assertEqual(d["fetched_at"], "2024-07-02T06:00:00Z")
        self.assertEqual(d["source"], "bench")
        self.assertEqual(d["table"], "BENCH01")
        self.assertEqual(d["selection"], "OMRÅDE=163")
        self.assertEqual(d["url"], "https://bench.invalid/v1/data")
        self.assertEqual(d["revisions"], [])
        d = data[14]
        self.assertEqual(d["period"], "2006M03")
        self.assertEqual(d["value"], 15)
        self.assertEqual(d["fetched_at"], "2024-07-04T06:00:00Z")
        self.assertEqual(d["revisions"], [{"value": None, "missing": True, "fetched_at": "2024-07-02T06:00:00Z",
                                           "superseded_at": "2024-07-04T06:00:00Z"}])
        d = data[13]
        self.assertEqual(d["value"], 14)
        self.assertEqual(d["revisions"], [{"value": 13, "missing": False, "fetched_at": "2024-07-02T06:00:00Z",
                                           "superseded_at": "2024-07-04T06:00:00Z"}])

    def test_series_derived_is_computed(self):
        # a derived series is never stored: series computes it from its inputs, as the goals see it
        p = run("series", "--config", self.config, "summen")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("summen is derived: bench_00 + bench_01, computed from the stored inputs", p.stdout)
        self.assertNotIn("no observations stored", p.stdout)
        want = {}
        for s in ("bench_00", "bench_01"):
            for d in json.loads(run("series", "--config", self.config, s, "--json").stdout):
                if d["value"] is not None:
                    want.setdefault(d["period"], []).append(d["value"])
        p = run("series", "--config", self.config, "summen", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {d["period"]: d["value"] for d in json.loads(p.stdout) if not d["missing"]}
        both = {k: sum(v) for k, v in want.items() if len(v) == 2}
        self.assertTrue(both)
        for k, v in both.items():
            self.assertAlmostEqual(got[k], v)

    def test_series_nothing_stored(self):
        p = run("series", "--config", self.config, "never_fetched")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "no observations stored for never_fetched")
        p = run("series", "--config", self.config, "never_fetched", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), [])

    def test_series_unknown_and_usage(self):
        p = run("series", "--config", self.config, "nope")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no series 'nope'", p.stderr)
        self.assertEqual(run("series", "--config", self.config).returncode, 2)
        self.assertEqual(run("series", "--config", self.config, "a", "b").returncode, 2)
        self.assertEqual(run("series", "--bogus", "bench_00").returncode, 2)

    def test_status_text(self):
        p = run("status", "--config", self.config)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        bench = next(line for line in out.splitlines() if line.startswith("bench "))
        self.assertEqual(bench.split(), ["bench", "csv", "2024-07-02", "08:00", "CEST", "2024-07-02", "11:00", "CEST",
                                         "3", "2024-07-02", "12:00", "CEST"])
        self.assertIn("  failing since 2024-07-02 09:00 CEST", out)
        self.assertIn("  last error: HTTP 503 from https://bench.invalid/v1/data", out)
        other = next(line for line in out.splitlines() if line.startswith("other "))
        self.assertEqual(other.split(), ["other", "csv", "never", "never", "0", "now"])
        ser = next(line for line in out.splitlines() if line.startswith("bench_01 "))
        self.assertEqual(ser.split(), ["bench_01", "15", "2006M03", "115", "2024-07-04", "08:00", "CEST"])
        ser = next(line for line in out.splitlines() if line.startswith("never_fetched "))
        self.assertEqual(ser.split(), ["never_fetched", "0", "nothing", "stored"])
        lines = out.splitlines()
        i = next(i for i, line in enumerate(lines) if line.startswith("fleksjob_2024"))
        # the status in words, then the chance, the alert and the operator's controls
        self.assertEqual(lines[i].split(), ["fleksjob_2024", "Off", "track", "2024-07-03", "2024-07-03", "08:00", "CEST"])
        self.assertEqual(lines[i + 1], "  The target is at risk: about 30% chance. 80% likely between 372 and 391.")
        self.assertEqual(lines[i + 2], "  alert firing since 2024M05 (announced 2024-07-03 08:00 CEST)")
        self.assertEqual(lines[i + 3], "  silenced until 2099-12-31 by ops: handlingsplan")
        self.assertEqual(lines[i + 4], "  acknowledged 2024-07-04 08:00 CEST by anna: udvalget orienteret")
        goal = next(line for line in lines if line.startswith("sygedagpenge_2024"))
        self.assertEqual(goal.split(), ["sygedagpenge_2024", "never", "evaluated"])
        i = next(i for i, line in enumerate(lines) if line.startswith("archive "))
        self.assertEqual(lines[i].split(), ["archive", "directory", "2", "2024-07-02", "09:00", "CEST",
                                            "2024-07-02", "08:01", "CEST"])
        self.assertEqual(lines[i + 1:i + 3], ["  given up: 1", "  last error: disk full"])
        self.assertEqual(lines[i + 3].split(), ["quiet", "directory", "0", "-", "never"])
        self.assertNotIn("gone", out)
        i = lines.index("DATA PROBLEMS (announced, not over)")
        self.assertEqual(lines[i + 1:], ["source_failing:bench, since 2024-07-02 09:00 CEST"])

    def test_status_json(self):
        p = run("status", "--json", "--config", self.config)
        self.assertEqual(p.returncode, 0, p.stderr)
        data = json.loads(p.stdout)
        self.assertEqual(data["schema_version"], 3)
        src = {s["name"]: s for s in data["sources"]}
        self.assertEqual(src["bench"], {
            "name": "bench", "kind": "csv", "last_success": "2024-07-02T06:00:00Z",
            "last_failure": "2024-07-02T09:00:00Z", "last_attempt": "2024-07-02T09:00:00Z", "consecutive_failures": 3,
            "failing_since": "2024-07-02T07:00:00Z",
            "last_error": "HTTP 503 from https://bench.invalid/v1/data", "next_due": "2024-07-02T10:00:00Z"})
        self.assertIsNone(src["other"]["last_success"])
        ser = {s["name"]: s for s in data["series"]}
        self.assertEqual(ser["bench_00"], {"name": "bench_00", "source": "bench", "periods": 15, "revised_periods": 12,
                                           "latest_period": "2006M03", "latest_value": 15,
                                           "last_new_data": "2024-07-04T06:00:00Z"})
        self.assertEqual(ser["never_fetched"]["periods"], 0)
        self.assertIsNone(ser["never_fetched"]["latest_period"])
        goals = {g["id"]: g for g in data["goals"]}
        self.assertEqual(goals["fleksjob_2024"]["status"], "off_track")
        self.assertEqual(goals["fleksjob_2024"]["eval_date"], "2024-07-03")
        self.assertEqual(goals["fleksjob_2024"]["evaluated_at"], "2024-07-03T06:00:00Z")
        self.assertEqual(goals["fleksjob_2024"]["title"], "Flere i fleksjob")
        self.assertIsNone(goals["sygedagpenge_2024"]["status"])
        g = goals["fleksjob_2024"]
        self.assertEqual((g["status_text"], g["status_text_en"]), ("Ikke på sporet", "Off track"))
        self.assertEqual((g["probability"], g["projected_low"], g["projected_high"]), (0.3, 372.4, 391.2))
        self.assertEqual(g["chance"], "Målet er i fare: ca. 30 % chance. 80 % sikkert mellem 372 og 391.")
        self.assertEqual(g["chance_en"], "The target is at risk: about 30% chance. 80% likely between 372 and 391.")
        self.assertEqual(g["alert"], {
            "firing": True, "firing_since": "2024M05", "firing_at": "2024-07-03T06:00:00Z",
            "silenced": True, "silenced_until": "2099-12-31", "silenced_by": "ops", "silence_comment": "handlingsplan",
            "acked": True, "acked_at": "2024-07-04T06:00:00Z", "acked_by": "anna",
            "ack_comment": "udvalget orienteret"})
        g = goals["sygedagpenge_2024"]
        for k in ("status_text", "status_text_en", "probability", "chance", "chance_en", "evaluated_at"):
            self.assertIsNone(g[k], k)
        self.assertEqual((g["alert"]["firing"], g["alert"]["silenced"], g["alert"]["acked"]), (False, False, False))
        notifiers = {n["name"]: n for n in data["notifiers"]}
        self.assertEqual(sorted(notifiers), ["archive", "quiet"])
        self.assertEqual(notifiers["archive"], {
            "name": "archive", "kind": "directory", "pending": 2, "given_up": 1,
            "oldest_pending": "2024-07-02T07:00:00Z", "last_delivery": "2024-07-02T06:01:00Z",
            "last_error": "disk full", "last_error_undelivered": True})
        self.assertEqual(notifiers["quiet"], {
            "name": "quiet", "kind": "directory", "pending": 0, "given_up": 0, "oldest_pending": None,
            "last_delivery": None, "last_error": None, "last_error_undelivered": False})
        self.assertEqual(data["data_problems"], [{"name": "source_failing:bench", "kind": "source_failing",
                                                  "since": "2024-07-02T07:00:00Z",
                                                  "announced_at": "2024-07-02T08:00:00Z"}])

    def _other_state(self, content):
        """A second config whose state dir holds `content` as labourwatch.db (None: no file)."""
        d = tempfile.mkdtemp(prefix="lw-store-cli-bad-", dir=self.tmp)
        if content is not None:
            with open(os.path.join(d, "labourwatch.db"), "wb") as f:
                f.write(content)
        cfg = os.path.join(d, "labourwatch.yaml")
        with open(cfg, "w") as f:
            f.write(CONFIG.format(state=d))
        return d, cfg

    def test_no_database(self):
        d, cfg = self._other_state(None)
        for cmd in (["series", "bench_00"], ["status"]):
            p = run(*cmd, "--config", cfg)
            self.assertEqual(p.returncode, 1)
            self.assertIn(os.path.join(d, "labourwatch.db") + ": no database yet", p.stderr)
        # The read-only commands never create the database.
        self.assertFalse(os.path.exists(os.path.join(d, "labourwatch.db")))

    def test_corrupt_database(self):
        d, cfg = self._other_state(bytes((i * 7919 + 13) % 251 for i in range(8192)))
        for cmd in (["series", "bench_00"], ["status"]):
            p = run(*cmd, "--config", cfg)
            self.assertEqual(p.returncode, 1)
            self.assertIn(os.path.join(d, "labourwatch.db"), p.stderr)
            self.assertIn("file is not a database", p.stderr)


class StatusScale(unittest.TestCase):
    """status reads each table once and looks names up in the result: its CPU time grows about
    linearly with the goals, series and sources (4x of each: well under 8x the time; a lookup per
    name that scans would be 16x)."""

    def build(self, n):
        tmp = tempfile.mkdtemp(prefix=f"lw-status-scale-{n}-")
        self.addCleanup(shutil.rmtree, tmp)
        state = os.path.join(tmp, "state")
        os.mkdir(state)
        subprocess.run([os.path.join(BUILD, "tests", "bench-store"), state, str(n), "12"], check=True,
                       capture_output=True, timeout=120)
        n_sources = max(n // 10, 1)
        cfg = [f"state_dir: {state}", "sources:"]
        cfg += [f"  src{k}:\n    kind: csv\n    base_url: file:///nonexistent/" for k in range(n_sources)]
        cfg.append("notifiers:")
        cfg += [f"  n{k}:\n    kind: directory\n    directory: {state}" for k in range(10)]
        cfg.append("series:")
        cfg += [f"  bench_{i:02d}:\n    source: src{i % n_sources}\n    path: x.csv\n    column: v\n"
                f"    frequency: month" for i in range(n)]
        cfg.append("goals:")
        cfg += [f"  g{i}:\n    kind: level\n    series: bench_{i:02d}\n    period: 2005\n    aggregate: average\n"
                f"    direction: at_least\n    target: 100" for i in range(n)]
        config = os.path.join(tmp, "labourwatch.yaml")
        with open(config, "w") as f:
            f.write("\n".join(cfg) + "\n")
        db = sqlite3.connect(os.path.join(state, "labourwatch.db"))
        res = json.dumps({"probability": 0.4, "projected_low": 90.0, "projected_high": 110.0})
        db.executemany("INSERT INTO evaluations (goal, eval_date, status, inputs_json, result_json, at) "
                       "VALUES (?, '2024-07-01', 'at_risk', '{}', ?, ?)",
                       [(f"g{i}", res, T0 + d * 86400 * USEC) for i in range(n) for d in range(10)])
        db.executemany("INSERT INTO alert_state (goal, json) VALUES (?, ?)",
                       [(f"g{i}", json.dumps({"status": "off_track", "firing": True, "off_count": 1,
                                              "off_since": "2005M03", "firing_at": T0})) for i in range(n)])
        db.executemany("INSERT INTO alert_controls (goal, ack_at, ack_comment, ack_by) VALUES (?, ?, 'x', 'y')",
                       [(f"g{i}", T0) for i in range(0, n, 2)])
        db.executemany("INSERT INTO source_state (key, last_attempt, last_success) VALUES (?, ?, ?)",
                       [(f"src{k}", T0, T0) for k in range(n_sources)])
        db.executemany("INSERT INTO fetch_log (source, http_status, ok, at) VALUES (?, 503, 0, ?)",
                       [(f"src{k}", T0 + j) for k in range(n_sources) for j in range(20)])
        db.executemany("INSERT INTO outbox (channel, dedup_key, payload_json, created_at, next_attempt) "
                       "VALUES (?, ?, '{}', ?, ?)", [(f"n{i % 10}", f"k{i}", T0, T0) for i in range(n)])
        db.commit()
        db.close()
        return config

    def cpu(self, config):
        """The least CPU time (user + system) of three runs of status --json."""
        best = None
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = run("status", "--json", "--config", config)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.assertEqual(p.returncode, 0, p.stderr)
            t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best = t if best is None else min(best, t)
        return best, json.loads(p.stdout)

    def test_near_linear(self):
        small, d_small = self.cpu(self.build(300))
        big, d_big = self.cpu(self.build(1200))
        self.assertEqual(len(d_big["goals"]), 1200)
        g = d_big["goals"][1199]
        self.assertEqual((g["status"], g["probability"], g["alert"]["firing"]), ("at_risk", 0.4, True))
        self.assertEqual(sum(n["pending"] for n in d_big["notifiers"]), 1200)
        print(f"status --json: 300 goals {small * 1000:.0f} ms CPU, 1200 goals {big * 1000:.0f} ms CPU "
              f"({big / max(small, 1e-3):.1f}x)", file=sys.stderr)
        self.assertLess(big, 8 * max(small, 0.01))


if __name__ == "__main__":
    if not CLI or not BUILD:
        print("LW_CLI and LW_BUILD_DIR must be set (run through ctest)", file=sys.stderr)
        sys.exit(2)
    unittest.main(verbosity=2)
