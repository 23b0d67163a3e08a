#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""metrics_file (issue 12 §3): after a `labourwatchd --once` cycle the node_exporter textfile holds
goal status gauges (one per goal and status), value/projected/target/gap, per-source last success,
failures, fetch duration and bytes, the outbox queue and the evaluation duration, and
`promtool check metrics` (Debian's prometheus package) accepts it. A failing source shows as
failures, and the file is replaced atomically (no temporary file is left).

Environment: LW_DAEMON (labourwatchd, maybe a valgrind wrapper)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import lwdaemon  # noqa: E402

CONFIG = """\
state_dir: {tmp}/state
plan: "Beskæftigelsesplan 2024"
municipality: Herlev Kommune
metrics_file: {tmp}/textfile/labourwatch.prom
sources:
  internal:
    kind: csv
    base_url: file://{tmp}/data/
  broken:
    kind: csv
    base_url: file://{tmp}/nonexistent/
series:
  fleksjob_fuldtid:
    source: internal
    path: fleksjob.csv
    column: fuldtid
    frequency: month
  missing:
    source: broken
    path: x.csv
    column: v
    frequency: month
goals:
  fleksjob-2024:
    title: Flere i fleksjob
    kind: level
    series: fleksjob_fuldtid
    period: 2024
    aggregate: average
    direction: at_least
    target: 380
  uden-data:
    title: Et mål uden data
    plan: 'Plan "B" \\ 2024'
    kind: level
    series: missing
    period: 2024
    aggregate: average
    direction: at_least
    target: 1
"""

CSV = "periode;fuldtid\n" + "".join(f"2024M{m:02d};{381 + m}\n" for m in range(1, 7))

STATUSES = ["on_track", "at_risk", "off_track", "achieved", "missed", "no_data", "insufficient_data"]


def samples(text):
    """{(name, frozenset(labels)): value} from the exposition text."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        assert m, f"unparsable line {line!r}"
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


class Metrics(unittest.TestCase):
    def setUp(self):
        lwdaemon.require_daemon(self)
        self.tmp = tempfile.mkdtemp(prefix="lw-metrics-")
        for d in ("state", "data", "textfile"):
            os.mkdir(os.path.join(self.tmp, d))
        with open(os.path.join(self.tmp, "data", "fleksjob.csv"), "w") as f:
            f.write(CSV)
        self.conf = os.path.join(self.tmp, "labourwatch.yaml")
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(tmp=self.tmp))
        self.prom = os.path.join(self.tmp, "textfile", "labourwatch.prom")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_once(self):
        old = os.environ.get("LW_TEST_TODAY")
        os.environ["LW_TEST_TODAY"] = "2024-07-15"
        try:
            p = lwdaemon.run_once(None, config=self.conf)
        finally:
            if old is None:
                os.environ.pop("LW_TEST_TODAY", None)
            else:
                os.environ["LW_TEST_TODAY"] = old
        lwdaemon.assert_no_crash(self, p.returncode, p.stderr)
        self.assertNotEqual(p.returncode, 99, p.stderr)  # valgrind
        return p

    def test_metrics_file_after_a_cycle(self):
        self.run_once()
        self.assertTrue(os.path.exists(self.prom))
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.prom))), ["labourwatch.prom"])
        self.assertEqual(os.stat(self.prom).st_mode & 0o777, 0o644)
        with open(self.prom, encoding="utf-8") as f:
            text = f.read()

        p = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout + p.stderr, "")

        s = samples(text)
        plan = "Beskæftigelsesplan 2024"
        # one gauge per goal and status, exactly one of them 1
        for goal, pl in (("fleksjob-2024", plan), ("uden-data", 'Plan \\"B\\" \\\\ 2024')):
            got = {st: s[("labourwatch_goal_status",
                          frozenset({("goal", goal), ("plan", pl), ("status", st)}))] for st in STATUSES}
            self.assertEqual(sorted(got.values()), [0] * 6 + [1], goal)
        fl = frozenset({("goal", "fleksjob-2024"), ("plan", plan)})
        self.assertEqual(s[("labourwatch_goal_status", fl | {("status", "on_track")})], 1)
        self.assertEqual(s[("labourwatch_goal_value", fl)], 384.5)  # mean of 382..387
        self.assertEqual(s[("labourwatch_goal_target", fl)], 380)
        self.assertIn(("labourwatch_goal_projected", fl), s)
        self.assertGreater(s[("labourwatch_goal_gap", fl)], 0)
        nd = frozenset({("goal", "uden-data"), ("plan", 'Plan \\"B\\" \\\\ 2024')})
        self.assertEqual(s[("labourwatch_goal_status", nd | {("status", "no_data")})], 1)
        self.assertNotIn(("labourwatch_goal_value", nd), s)  # no value: no sample, never NaN

        ok, bad = frozenset({("source", "internal")}), frozenset({("source", "broken")})
        self.assertGreater(s[("labourwatch_source_last_success_timestamp_seconds", ok)], 1.5e9)
        self.assertNotIn(("labourwatch_source_last_success_timestamp_seconds", bad), s)
        self.assertEqual(s[("labourwatch_source_consecutive_failures", ok)], 0)
        self.assertEqual(s[("labourwatch_source_consecutive_failures", bad)], 1)
        self.assertEqual(s[("labourwatch_source_fetch_response_bytes", ok)], len(CSV.encode()))
        self.assertGreaterEqual(s[("labourwatch_source_fetch_duration_seconds", ok)], 0)
        self.assertEqual(s[("labourwatch_source_fetch_failed_series", bad)], 1)
        self.assertEqual(s[("labourwatch_outbox_queue_length", frozenset())], 0)
        self.assertEqual(s[("labourwatch_outbox_oldest_age_seconds", frozenset())], 0)
        self.assertGreaterEqual(s[("labourwatch_evaluation_duration_seconds", frozenset())], 0)
        self.assertGreater(s[("labourwatch_last_cycle_timestamp_seconds", frozenset())], 1.5e9)

        # a second cycle replaces the file (renamed over it): the failing source is backing off, so
        # it was not fetched in this run (no fetch figures) and its failure count stays
        ino = os.stat(self.prom).st_ino
        self.run_once()
        self.assertNotEqual(os.stat(self.prom).st_ino, ino)
        with open(self.prom, encoding="utf-8") as f:
            s = samples(f.read())
        self.assertEqual(s[("labourwatch_source_consecutive_failures", bad)], 1)
        self.assertNotIn(("labourwatch_source_fetch_series", bad), s)
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.prom))), ["labourwatch.prom"])

    def test_unwritable_directory_is_not_fatal(self):
        os.rmdir(os.path.join(self.tmp, "textfile"))
        p = self.run_once()
        self.assertIn("Failed to write the metrics file", p.stderr)
        self.assertFalse(os.path.exists(self.prom))


if __name__ == "__main__":
    unittest.main(verbosity=2)
