# SPDX-License-Identifier: GPL-2.0-or-later
"""The bundled demo, end to end (what packaging/demo.sh runs, without apt-get and the build):
etc/demo/serve.py on 127.0.0.1, the configuration from etc/demo/labourwatch.yaml.in, one
labourwatchd --once cycle, then labourwatch eval. The expected statuses are the ones the demo data
were designed to show (etc/demo/README.md); they change only when the data, the providers, the
fetch pipeline or the goal engine change, so a regression in any of them fails here."""

import collections
import glob
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwtest  # noqa: E402

SOURCE_DIR = os.path.abspath(os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")))
DAEMON = os.environ.get("LW_DAEMON")
CLI = os.environ.get("LW_CLI")
DEMO = os.path.join(SOURCE_DIR, "etc", "demo")

# 15 July 2024: figures up to June, projected to the end of the year.
MID_2024 = {
    "fleksjob-2024": "on_track",
    "uddannelseshjaelp-2024": "off_track",
    "sygedagpenge-fald-2024": "on_track",
    "sygedagpenge-vs-landet-2024": "on_track",
    "virksomhedsrettede-tilbud-2024": "at_risk",
    "kurser-2024": "at_risk",
    "rekruttering-match-2024": "on_track",
    "smaajob-2024": "on_track",
    "flygtninge-selvforsoergelse-2024": "at_risk",
    "benchmark-top10-2024": "on_track",
}
# Any date after the last 2024 figures are in: the final verdicts.
FINAL_2024 = {
    "fleksjob-2024": "achieved",
    "uddannelseshjaelp-2024": "missed",
    "sygedagpenge-fald-2024": "achieved",
    "sygedagpenge-vs-landet-2024": "achieved",
    "virksomhedsrettede-tilbud-2024": "achieved",
    "kurser-2024": "achieved",
    "rekruttering-match-2024": "achieved",
    "smaajob-2024": "achieved",
    "flygtninge-selvforsoergelse-2024": "missed",
    "benchmark-top10-2024": "achieved",
}
# Final values that follow from the data files by hand (sums and ratios of whole numbers), so a
# parser or engine regression shows as a wrong number, not just a changed status.
FINAL_VALUES = {
    "smaajob-2024": 67,  # sum of the 2024 rows of smaajob.csv
    "kurser-2024": 100 * (146 - 120) / 120,  # 2024 against 2019 in kurser.csv
    "rekruttering-match-2024": 100 * 113 / 198,  # matched / orders in 2024
    "flygtninge-selvforsoergelse-2024": 100 * 237 / 323,  # self-supporting / job-ready, 2024K1-K4
    "benchmark-top10-2024": 8,  # Y30R21, 2024QMAT04
}
MID_VALUES = {
    "smaajob-2024": 35,  # January to June 2024
    "kurser-2024": 100 * (76 - 64) / 64,  # January to June 2024 against January to June 2019
}
# Periods stored per fetched series (2023-2024; kurser also 2019 as its baseline).
PERIODS = {
    "fleksjob_fuldtid": 24, "uddannelseshjaelp_fuldtid": 24, "sygedagpenge_personer": 24,
    "sygedagpenge_personer_hele_landet": 24, "adagpenge_fuldtid": 24, "flygtninge_ydelse_fuldtid": 24,
    "benchmark_placering": 8, "fleksjob_fuldtid_dst": 8, "ledighed_pct_danmark_eurostat": 24,
    "rekruttering_ordrer": 24, "rekruttering_matchede": 24, "smaajob_personer": 24,
    "flygtninge_jobparate": 8, "flygtninge_selvforsoergende": 8, "kurser_opkvalificering": 36,
    "virksomhedsrettede_tilbud": 24,
}


def goal_ids_in_goals_d():
    """The goal ids of etc/goals.d/*.yaml: the two-space-indented keys below a top-level 'goals:'."""
    ids = []
    for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "etc", "goals.d", "*.yaml"))):
        in_goals = False
        with open(path, encoding="utf-8") as f:
            for line in f:
                if re.match(r"^\S", line) and not line.startswith("#"):
                    in_goals = line.startswith("goals:")
                    continue
                m = re.match(r"^  ([A-Za-z0-9_.-]+):\s*$", line)
                if in_goals and m:
                    ids.append(m.group(1))
    return ids


def yaml_section(path, section):
    """{key: [lines]} for the two-space-indented keys of a top-level section, comments and blank
    lines dropped (enough for the plain block style of the sample files; no YAML module needed)."""
    out, key, inside = {}, None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if re.match(r"^\S", line):
                inside, key = line.startswith(section + ":"), None
                continue
            m = re.match(r"^  ([A-Za-z0-9_.-]+):\s*$", line)
            if inside and m:
                key = m.group(1)
                out[key] = []
            elif inside and key:
                out[key].append(line.rstrip())
    return out


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not DAEMON or not CLI or not os.access(DAEMON, os.X_OK) or not os.access(CLI, os.X_OK):
            raise RuntimeError("LW_DAEMON and LW_CLI must name the built programs (run through ctest)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lw-demo-")
        cls.work = cls.tmp.name
        os.mkdir(os.path.join(cls.work, "state"), 0o700)
        os.mkdir(os.path.join(cls.work, "outbox"), 0o700)
        cls.token = "demo-test-token-5f3a9c"
        cls.token_file = os.path.join(cls.work, "jobindsats.token")
        with open(os.open(cls.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(cls.token + "\n")
        cls.log = os.path.join(cls.work, "requests.log")
        cls.server, cls.port = lwtest.start_demo_server(DEMO, cls.work, cls.token_file, cls.log)
        cls.config = lwtest.write_demo_config(DEMO, cls.work, cls.port, SOURCE_DIR)
        cls.first = cls.daemon_once()
        cls.first_requests = cls.requests()

    @classmethod
    def tearDownClass(cls):
        cls.stop_server()
        cls.tmp.cleanup()

    @classmethod
    def stop_server(cls):
        lwtest.stop_process(cls.server)

    @classmethod
    def daemon_once(cls):
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr")
        return subprocess.run([DAEMON, "--once", "--config", cls.config], env=env, capture_output=True,
                              text=True, timeout=120)

    def cli(self, *args):
        p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, f"labourwatch {' '.join(args)}: {p.stdout}{p.stderr}")
        return p.stdout

    def eval_json(self, date=None):
        args = ["eval", "--config", self.config, "--json"] + (["--date", date] if date else [])
        return {r["id"]: r for r in json.loads(self.cli(*args))}

    @classmethod
    def requests(cls):
        if not os.path.exists(cls.log):
            return []
        with open(cls.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def observation_rows(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.work, "state", "labourwatch.db"), uri=True)
        try:
            return db.execute("SELECT count(*) FROM observations").fetchone()[0]
        finally:
            db.close()

    # -- the first cycle -------------------------------------------------------------------------

    def test_configuration_is_valid(self):
        out = self.cli("check", "--config", self.config)
        self.assertIn("configuration OK", out)

    def test_same_series_as_the_sample_configuration(self):
        """The demo measures what the shipped configuration measures: every series identical
        (source, table, selection, CSV file and column, frequency, lag, unit); sources differ
        only in their addresses."""
        sample = os.path.join(SOURCE_DIR, "etc", "labourwatch.yaml")
        template = os.path.join(DEMO, "labourwatch.yaml.in")
        self.assertEqual(yaml_section(template, "series"), yaml_section(sample, "series"))
        kinds = lambda path: {k: [x for x in v if x.strip().startswith("kind:")]
                              for k, v in yaml_section(path, "sources").items()}
        self.assertEqual(kinds(template), kinds(sample))
        # exactly the recipients the goals name
        named = set()
        for path in glob.glob(os.path.join(SOURCE_DIR, "etc", "goals.d", "*.yaml")):
            with open(path, encoding="utf-8") as f:
                for m in re.finditer(r"(?m)^\s+recipients: \[(.*)\]", f.read()):
                    named |= {r.strip() for r in m.group(1).split(",")}
        self.assertEqual(sorted(yaml_section(template, "recipients")), sorted(named))

    def test_first_cycle_fetches_everything(self):
        p = self.first
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotRegex(p.stderr, r"(?m)^<[0-3]>", "no errors in the first cycle")
        self.assertIn("Fetch run finished: 16 series fetched, 0 failed", p.stderr)
        self.assertNotIn(self.token, p.stderr + p.stdout)

    def test_eval_text_states_the_chance(self):
        # issue 17 §3: an open goal's chance in words, never "0 %" or "100 %"
        out = self.cli("eval", "--config", self.config, "--date", "2024-07-15")
        self.assertRegex(out, r"Målet (nås næppe|nås sandsynligvis|kan nås|er i fare): "
                              r"(ca\. \d+|under 5|over 95) % chance")
        self.assertNotRegex(out, r"\b(0|100) % chance")

    def test_mail_and_card_state_the_chance(self):
        # issue 17 §3: the sentence eval prints, under the status in the mail and the Teams card
        text = self.cli("render", "--config", self.config, "uddannelseshjaelp-2024", "--date", "2024-07-15")
        self.assertIn("Uddannelseshjælp ned til 95 fuldtidspersoner i 2024: Ikke på sporet\n"
                      "Målet nås næppe: under 5 % chance. 80 % sikkert mellem 104 og 108 fuldtidspersoner.\n", text)
        card = json.loads(self.cli("render", "--config", self.config, "uddannelseshjaelp-2024", "--date", "2024-07-15",
                                   "--format", "teams"))
        body = card["attachments"][0]["content"]["body"]
        texts = [b.get("text") for b in body]
        i = texts.index("Målet nås næppe: under 5 % chance. 80 % sikkert mellem 104 og 108 fuldtidspersoner.")
        self.assertEqual(texts[i - 1], "Uddannelseshjælp ned til 95 fuldtidspersoner i 2024: Ikke på sporet")
        # the source as the reader knows it, the ids in the footer (issue 23)
        self.assertRegex(text, r"\n  Kilde: +Jobindsats, tabel Y38A02, hentet \d+\. \w+ \d{4}\n")
        self.assertNotIn("(serie ", text)
        self.assertIn("\nSerier: uddannelseshjaelp_fuldtid (jobindsats, Y38A02).", text)
        own = self.cli("render", "--config", self.config, "flygtninge-selvforsoergelse-2024", "--date", "2024-07-15")
        self.assertRegex(own, r"\n  Kilde: +Jobcentrets egne tal, hentet \d+\. \w+ \d{4}\n")
        self.assertNotIn("internal,", own)
        # a finished goal: the result, no chance and no projection
        final = self.cli("render", "--config", self.config, "uddannelseshjaelp-2024", "--date", "2025-06-01")
        self.assertNotIn("% chance", final)
        self.assertNotIn("Fremskrevet:", final)

    def test_every_goal_has_a_status_mid_2024(self):
        got = self.eval_json("2024-07-15")
        ids = goal_ids_in_goals_d()
        self.assertEqual(len(ids), 10, ids)
        self.assertEqual(sorted(got), sorted(ids), "every goal of etc/goals.d, and only those")
        for gid in ids:
            self.assertNotIn(got[gid]["status"], ("no_data", "insufficient_data"), got[gid])
        self.assertEqual({k: v["status"] for k, v in got.items()}, MID_2024)
        for gid, want in MID_VALUES.items():
            self.assertAlmostEqual(got[gid]["value"], want, delta=0.05, msg=gid)
        # projections, not verdicts: the year is not over
        self.assertEqual(got["fleksjob-2024"]["period"], "2024M06")
        self.assertEqual(got["flygtninge-selvforsoergelse-2024"]["period"], "2024Q2")

    def test_mix_of_projections(self):
        statuses = set(MID_2024.values())
        self.assertTrue({"on_track", "at_risk", "off_track"} <= statuses)
        self.assertTrue({"achieved", "missed"} <= set(FINAL_2024.values()))

    def test_final_verdicts(self):
        for date in ("2025-06-01", None):  # a date after the year, and today
            got = self.eval_json(date)
            self.assertEqual({k: v["status"] for k, v in got.items()}, FINAL_2024, date)
            for gid, want in FINAL_VALUES.items():
                self.assertAlmostEqual(got[gid]["value"], want, delta=0.05, msg=gid)

    def test_daemon_recorded_evaluations(self):
        out = self.cli("status", "--config", self.config)
        for gid, status in FINAL_2024.items():
            # status says it in words ("Achieved"); --json keeps the code
            self.assertRegex(out, r"(?m)^%s\s+%s\b" % (re.escape(gid), status.capitalize()))
        doc = json.loads(self.cli("status", "--config", self.config, "--json"))
        got = {g["id"]: g["status"] for g in doc["goals"]}
        self.assertEqual(got, FINAL_2024)

    def test_periods_stored_per_series(self):
        for name, n in PERIODS.items():
            rows = json.loads(self.cli("series", "--config", self.config, name, "--json"))
            self.assertEqual(len(rows), n, name)
            self.assertTrue(all(not r["missing"] and r["revisions"] == [] for r in rows), name)
        kurser = json.loads(self.cli("series", "--config", self.config, "kurser_opkvalificering", "--json"))
        self.assertEqual(kurser[0]["period"], "2019M01")
        self.assertEqual(sum(r["value"] for r in kurser if r["period"].startswith("2019")), 120)

    def test_server_saw_the_bearer_token(self):
        jobindsats = [r for r in self.first_requests if r["path"].startswith("/jobindsats/")]
        self.assertTrue(all(r["token_ok"] for r in jobindsats), jobindsats)
        # data for each of the 7 series; metadata once per table (6 tables: the two Y07A02
        # series, Herlev and Hele landet, share one metadata response within a run)
        tables = collections.Counter(r["path"].split("/")[-1] for r in jobindsats if "/table/" in r["path"])
        data = [r for r in jobindsats if "/data/" in r["path"]]
        self.assertEqual(len(data), 7, data)
        self.assertEqual(sorted(tables), ["Y01A02", "Y07A02", "Y08A02", "Y30R21", "Y35A02", "Y38A02"])
        self.assertEqual(set(tables.values()), {1}, tables)

    def test_server_refuses_without_token(self):
        req = urllib.request.Request("http://127.0.0.1:%d/jobindsats/v3/table/Y08A02?format=json" % self.port)
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(e.exception.code, 401)
        self.assertIn("Not authenticated", json.loads(e.exception.read())["detail"])
        e.exception.close()

    # -- later cycles (named so that they run after the tests above: unittest sorts by name) ---------

    def test_z1_second_cycle_has_nothing_due(self):
        before, rows = len(self.requests()), self.observation_rows()
        p = self.daemon_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Fetch run finished: 0 series fetched, 0 failed", p.stderr)
        self.assertEqual(len(self.requests()), before, "no source is due again within its schedule")
        self.assertEqual(self.observation_rows(), rows)

    def test_z2_forced_fetch_is_conditional(self):
        before, rows = len(self.requests()), self.observation_rows()
        out = self.cli("fetch", "--config", self.config)
        new = self.requests()[before:]
        # Statistikbank: tableinfo only; its 'updated' stamp is unchanged, so no data request
        self.assertEqual([r["path"] for r in new if r["path"].startswith("/statbank/")], ["/statbank/v1/tableinfo"])
        self.assertRegex(out, r"(?m)^fleksjob_fuldtid_dst: unchanged$")
        # Jobindsats and Eurostat: data requested with the stored ETag, answered 304 Not Modified
        data = [r for r in new if "/data/" in r["path"]]
        self.assertEqual(len(data), 8, data)
        self.assertTrue(all(r["status"] == 304 for r in data), data)
        self.assertEqual(self.observation_rows(), rows, "no new rows: no new periods, no revisions")
        self.assertEqual({k: v["status"] for k, v in self.eval_json("2024-07-15").items()}, MID_2024)


if __name__ == "__main__":
    unittest.main(verbosity=2)
