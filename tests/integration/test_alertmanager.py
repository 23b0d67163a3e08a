#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""kind: alertmanager (issue 12 §4) against Debian's prometheus-alertmanager on 127.0.0.1 (a free
port, storage in a temporary directory, no clustering): a firing notice in the outbox is delivered
by `labourwatchd --once` to /api/v2/alerts, where the alert appears with its labels (alertname,
goal, status, plan, municipality) and its Danish and English annotations, active until endsAt a few
days ahead; a resolved notice for the same goal resolves it; a daily "refresh" of a firing goal
keeps it active (alerting.c decides when: tests/unit/test-alerting.c). Notices are put in the outbox table
directly, as in test_notify.py: this is about delivery, not about when alerts fire.

Environment: LW_DAEMON, LW_SOURCE_DIR."""

import copy
import datetime
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import lwdaemon  # noqa: E402

AM = "/usr/bin/prometheus-alertmanager"
NOTICE = os.path.join(lwdaemon.SOURCE_DIR, "tests", "data", "notify", "notice-goals.json")

CONFIG = """\
state_dir: {state}
plan: Beskæftigelsesplan 2024
municipality: Herlev Kommune
notifiers:
  am:
    kind: alertmanager
    url: http://127.0.0.1:{port}/
    retry_max: 2s
    timeout: 10s
"""

AM_CONFIG = """\
route:
  receiver: blackhole
  group_wait: 1h
receivers:
  - name: blackhole
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


class Alertmanager(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lw-alertmanager-")
        cls.port = free_port()
        with open(os.path.join(cls.tmp, "am.yml"), "w") as f:
            f.write(AM_CONFIG)
        os.mkdir(os.path.join(cls.tmp, "am-data"))
        cls.am = subprocess.Popen(
            [AM, "--config.file=" + os.path.join(cls.tmp, "am.yml"),
             "--storage.path=" + os.path.join(cls.tmp, "am-data"),
             "--web.listen-address=127.0.0.1:%d" % cls.port, "--cluster.listen-address=",
             "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(cls.tmp, "am.log"), "w"))
        deadline = time.time() + 30 * lwdaemon.TIMEOUT_SCALE
        while time.time() < deadline:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % cls.port, timeout=2)
                break
            except OSError:
                if cls.am.poll() is not None:
                    raise AssertionError("alertmanager exited: " + open(os.path.join(cls.tmp, "am.log")).read())
                time.sleep(0.2)
        else:
            raise AssertionError("alertmanager not ready")

    @classmethod
    def tearDownClass(cls):
        cls.am.terminate()
        try:
            cls.am.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.am.kill()
            cls.am.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        lwdaemon.require_daemon(self)
        self.state = tempfile.mkdtemp(prefix="state-", dir=self.tmp)
        self.conf = os.path.join(self.state, "labourwatch.yaml")
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(state=self.state, port=self.port))
        with open(NOTICE, encoding="utf-8") as f:
            self.notice = json.load(f)

    def daemon_once(self):
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC")
        p = subprocess.run([lwdaemon.DAEMON, "--once", "--config", self.conf], env=e, capture_output=True,
                           text=True, timeout=120 * lwdaemon.TIMEOUT_SCALE)
        lwdaemon.assert_no_crash(self, p.returncode, p.stderr)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def enqueue(self, notice):
        if not os.path.exists(os.path.join(self.state, "labourwatch.db")):
            self.daemon_once()
        n = dict(notice, notifier="am", recipient=None)
        n["key"] = hashlib.sha256(json.dumps(n, sort_keys=True).encode() + str(time.time()).encode()).hexdigest()
        now = int(time.time() * 1e6)
        with sqlite3.connect(os.path.join(self.state, "labourwatch.db")) as db:
            db.execute("INSERT INTO outbox (channel, recipient, dedup_key, payload_json, created_at, next_attempt) "
                       "VALUES (?, NULL, ?, ?, ?, ?)", ("am", n["key"], json.dumps(n, ensure_ascii=False), now, now))

    def outbox(self):
        with sqlite3.connect(os.path.join(self.state, "labourwatch.db")) as db:
            return db.execute("SELECT attempts, last_error, sent_at FROM outbox ORDER BY id").fetchall()

    def alerts(self, goal):
        with urllib.request.urlopen("http://127.0.0.1:%d/api/v2/alerts" % self.port, timeout=10) as r:
            return [a for a in json.load(r) if a["labels"].get("goal") == goal]

    def test_fires_then_resolves(self):
        goal = "fleksjob-2024"
        self.enqueue(self.notice)
        self.daemon_once()
        rows = self.outbox()
        self.assertTrue(rows and all(r[2] is not None for r in rows), rows)

        got = self.alerts(goal)
        self.assertEqual(len(got), 1, got)
        a = got[0]
        self.assertEqual(a["labels"], {"alertname": "LabourwatchGoal", "goal": goal, "status": "off_track",
                                       "plan": "Beskæftigelsesplan 2024", "municipality": "Herlev Kommune"})
        self.assertEqual(a["status"]["state"], "active")
        self.assertEqual(a["annotations"]["summary"], "More people in flexi-jobs")
        self.assertEqual(a["annotations"]["summary_da"], "Flere i fleksjob")
        self.assertIn("Flexi-jobs are below the target path", a["annotations"]["description"])
        self.assertIn("Fleksjob ligger under målkurven", a["annotations"]["description_da"])
        self.assertEqual(a["annotations"]["event"], "firing")
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertGreater(parse_time(a["endsAt"]), now + datetime.timedelta(days=2))
        # the second goal of the notice too
        self.assertEqual(len(self.alerts("ledighed-2024")), 1)

        # back on track: a resolved event for the same goal ends the alert
        resolved = copy.deepcopy(self.notice)
        ev = resolved["events"][0]
        ev.update(event="resolved", status="on_track", previous_status="off_track")
        ev["result"].update(status="on_track", explanation="Fleksjob er tilbage på rette spor.",
                            explanation_en="Flexi-jobs are back on track.")
        resolved["events"] = [ev]
        self.enqueue(resolved)
        self.daemon_once()
        self.assertTrue(all(r[2] is not None for r in self.outbox()), self.outbox())
        deadline = time.time() + 10
        while time.time() < deadline:
            got = self.alerts(goal)
            if not got or all(x["status"]["state"] != "active" or parse_time(x["endsAt"]) <= now
                              + datetime.timedelta(minutes=1) for x in got):
                break
            time.sleep(0.2)
        for x in got:  # gone, or ended now
            self.assertLessEqual(parse_time(x["endsAt"]), datetime.datetime.now(datetime.timezone.utc))
        # the other goal stays active
        self.assertEqual([x["status"]["state"] for x in self.alerts("ledighed-2024")], ["active"])

    def test_refresh_keeps_it_active(self):
        # alerting.c re-posts a firing goal once a day as event "refresh" (no new data, no route
        # repeat:): Alertmanager takes it as the same alert, active with endsAt moved on
        goal = "fleksjob-2024"
        refresh = copy.deepcopy(self.notice)
        ev = refresh["events"][0]
        ev.update(event="refresh", previous_status=None)
        refresh["events"] = [ev]
        self.enqueue(refresh)
        self.daemon_once()
        rows = self.outbox()
        self.assertTrue(rows and all(r[2] is not None for r in rows), rows)
        got = self.alerts(goal)
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["labels"]["status"], "off_track")
        self.assertEqual(got[0]["status"]["state"], "active")
        self.assertEqual(got[0]["annotations"]["event"], "refresh")
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertGreater(parse_time(got[0]["endsAt"]), now + datetime.timedelta(days=2))


if __name__ == "__main__":
    unittest.main(verbosity=2)
