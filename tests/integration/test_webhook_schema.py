#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The webhook payload against its documented schema (issue 22 §4): packaging/docs/webhook.schema.json,
version 1. labourwatchd --once evaluates goals that fire and POSTs the notices to a fixture HTTP
receiver (fixture_server.py); every body must validate. And each goals notice carries its own goal
only: with 50 goals firing, every POST is as large as the one POST with 1 goal firing.

The validator is a small one in the standard library for the JSON Schema subset the schema uses
(type, const, enum, pattern, minimum, maximum, required, properties, items, $ref to #/$defs); a keyword it does not
know fails the test rather than being ignored, so the schema cannot outgrow it unnoticed.
(Debian's python3-jsonschema would do, but it is not in the test dependencies and this is enough.)

Environment: LW_DAEMON, LW_CLI (the programs, maybe valgrind wrappers), LW_SOURCE_DIR."""

import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwdaemon  # noqa: E402
from fixture_server import FixtureServer, Response  # noqa: E402

CLI = os.environ.get("LW_CLI", "labourwatch")
SRC = os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMA = os.path.join(SRC, "packaging", "docs", "webhook.schema.json")

# ---- the validator ----

ANNOTATIONS = {"$schema", "$id", "title", "description"}
KEYWORDS = {"type", "const", "enum", "pattern", "minimum", "maximum", "required", "properties", "items", "$ref",
            "$defs"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # JSON has no booleans among its numbers; Python does
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def unknown_keywords(schema, path="#"):
    """Every keyword of schema (recursively) the validator does not implement, as JSON pointers."""
    out = []
    if not isinstance(schema, dict):
        return out
    for k, v in schema.items():
        if k not in KEYWORDS | ANNOTATIONS:
            out.append(f"{path}/{k}")
        if k in ("properties", "$defs"):
            for name, sub in v.items():
                out += unknown_keywords(sub, f"{path}/{k}/{name}")
        elif k == "items":
            out += unknown_keywords(v, f"{path}/items")
    return out


def validate(value, schema, root=None, path="$"):
    """The list of errors of value against schema (empty: valid), each "PATH: what"."""
    root = root if root is not None else schema
    errors = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return [f"{path}: unsupported $ref {ref}"]
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        errors += validate(value, target, root, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](value) for t in types):
            return errors + [f"{path}: {json.dumps(value)[:60]} is not of type {'/'.join(types)}"]
    if "const" in schema and not (value == schema["const"] and type(value) is type(schema["const"])):
        errors.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and not any(value == e and type(value) is type(e) for e in schema["enum"]):
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    number = TYPES["number"](value)
    if "minimum" in schema and number and value < schema["minimum"]:
        errors.append(f"{path}: {value!r} is less than {schema['minimum']}")
    if "maximum" in schema and number and value > schema["maximum"]:
        errors.append(f"{path}: {value!r} is more than {schema['maximum']}")
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                errors.append(f"{path}: '{k}' is required")
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                errors += validate(value[k], sub, root, f"{path}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], root, f"{path}[{i}]")
    return errors


# ---- the daemon's side ----

CONFIG = """\
state_dir: {state_dir}
plan: Beskæftigelsesplan 2030
municipality: Herlev Kommune
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
notifiers:
  hook:
    kind: webhook
    url: {url}
    retry_max: 2s
    timeout: {timeout}s
  teams:
    kind: webhook
    format: teams
    url: {teams_url}
    retry_max: 2s
    timeout: {timeout}s
routes:
  - notifiers: [hook, teams]
    data_problems: true
goals:
{goals}"""

GOAL = """\
  niveau-{i:02d}:
    title: {{da: Niveauet {i:02d}, en: The level {i:02d}}}
    kind: level
    series: niveau
    aggregate: latest
    projection: none
    status_from: projection
    period: 2030
    direction: at_least
    target: 100
    tolerance: 5
"""


class WebhookSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA, encoding="utf-8") as f:
            cls.schema = json.load(f)

    def setUp(self):
        self.srv = None

    def tearDown(self):
        if self.srv:
            self.srv.stop()

    def assertValid(self, doc):
        self.assertEqual(validate(doc, self.schema), [], json.dumps(doc, ensure_ascii=False)[:2000])

    # -- the validator itself --

    def test_schema_uses_only_what_the_validator_checks(self):
        self.assertEqual(unknown_keywords(self.schema), [])
        self.assertEqual(self.schema["properties"]["version"], {"const": 1})

    def test_validator_rejects_what_the_schema_forbids(self):
        with open(os.path.join(SRC, "tests", "data", "notify", "notice-goals.json"), encoding="utf-8") as f:
            notice = json.load(f)
        good = dict(notice, sent_at="2030-02-10T06:00:00Z", subject="s", language="da",
                    key="0" * 64, events=[], problems=[])
        self.assertValid(good)
        bad = [
            (dict(good, version=2), "$.version"),
            (dict(good, version=True), "$.version"),  # true == 1 in Python, not in JSON
            ({k: v for k, v in good.items() if k != "key"}, "'key' is required"),
            (dict(good, key="XYZ"), "$.key"),
            (dict(good, type="alert"), "$.type"),
            (dict(good, language=None), "$.language"),
            (dict(good, problems=[{"kind": "source_failing", "source": "x", "series": None, "since": 1.5,
                                   "message": "m"}]), "$.problems[0].since"),
            (dict(good, problems=[{"kind": "source_failing", "source": "x", "series": None, "since": 1,
                                   "message": "m", "resolved": "yes"}]), "$.problems[0].resolved"),
            (dict(good, events=[{"goal": "g"}]), "$.events[0]: 'event' is required"),
            (dict(good, events=[dict(notice["events"][0], probability=1.5)]), "$.events[0].probability"),
        ]
        for doc, want in bad:
            with self.subTest(want=want):
                errors = validate(doc, self.schema)
                self.assertTrue(any(want in e for e in errors), errors)

    # -- real payloads --

    def run_goals(self, n, today="2030-02-10", months=None):
        """n goals, all firing on the same figures; returns the JSON bodies POSTed by one --once."""
        self.srv = FixtureServer().start()
        self.srv.route("/hook", Response(status=200, body=b"ok"))
        self.srv.route("/teams", Response(status=200, body=b"ok"))
        self.work = lwdaemon.Workdir()
        self.addCleanup(self.work.cleanup)
        data_dir = os.path.join(self.work.path, "data")
        os.mkdir(data_dir)
        # 50 POSTs at once from a daemon under valgrind on a busy machine: the timeout scales
        self.work.write_config(CONFIG, data_dir=data_dir, url=self.srv.url("/hook"), teams_url=self.srv.url("/teams"),
                               timeout=int(5 * lwdaemon.TIMEOUT_SCALE),
                               goals="".join(GOAL.format(i=i) for i in range(n)))
        self.put(data_dir, months or {"M01": 90})
        return self.once(today)

    def put(self, data_dir, months):
        path = os.path.join(data_dir, "niveau.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("periode;niveau\n" + "".join(f"2030{k};{v}\n" for k, v in sorted(months.items())))
        p = subprocess.run([CLI, "import", "niveau", path, "--config", self.work.config], capture_output=True,
                           text=True, timeout=60 * lwdaemon.TIMEOUT_SCALE)
        self.assertEqual(p.returncode, 0, p.stderr)

    def once(self, today):
        before = self.srv.count("/hook")
        p = self._once(today)
        lwdaemon.assert_no_crash(self, p.returncode, p.stderr)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [r.body for r in self.srv.requests("/hook")[before:]]

    def _once(self, today):
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC", LW_TEST_TODAY=today)
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
            e.pop(k, None)
        return subprocess.run([lwdaemon.DAEMON, "--config", self.work.config, "--once"], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, env=e, timeout=120 * lwdaemon.TIMEOUT_SCALE)

    def test_goal_notices_validate_and_do_not_grow_with_the_goals(self):
        lwdaemon.require_daemon(self)
        one = self.run_goals(1)
        self.assertEqual(len(one), 1)
        doc = json.loads(one[0])
        self.assertValid(doc)
        self.assertEqual(doc["type"], "goals")
        self.assertEqual([e["goal"] for e in doc["events"]], ["niveau-00"])
        self.assertEqual(doc["events"][0]["event"], "firing")
        self.srv.stop()
        self.srv = None

        fifty = self.run_goals(50)
        self.assertEqual(len(fifty), 50)
        docs = [json.loads(b) for b in fifty]
        for d in docs:
            self.assertValid(d)
            self.assertEqual(len(d["events"]), 1)  # its own goal only
        self.assertEqual(sorted(d["events"][0]["goal"] for d in docs), [f"niveau-{i:02d}" for i in range(50)])
        # the goals differ only in their number (two digits each): a notice carries its goal and no
        # other, so every notice is as large as the lone one, give or take a few bytes
        sizes = [len(b) for b in fifty]
        print(f"webhook notice: 1 goal firing {len(one[0])} bytes; 50 goals firing: 50 notices of "
              f"{min(sizes)}..{max(sizes)} bytes", file=sys.stderr)
        self.assertLessEqual(max(sizes), len(one[0]) + 64)
        self.assertGreaterEqual(min(sizes), len(one[0]) - 64)

    def test_data_problem_notices_validate(self):
        """A series late (the start) and its figures arriving (the resolved notice, issue 22 §3)."""
        lwdaemon.require_daemon(self)
        self.run_goals(1)
        # September: January is older than the 3 months a monthly series may lag
        bodies = self.once("2030-09-10")
        docs = [json.loads(b) for b in bodies]
        problems = [d for d in docs if d["type"] == "data_problems"]
        self.assertEqual(len(problems), 1, docs)
        self.assertValid(problems[0])
        self.assertEqual(problems[0]["problems"][0]["kind"], "series_late")
        self.assertFalse(problems[0]["problems"][0]["resolved"])
        self.put(os.path.join(self.work.path, "data"), {f"M{m:02d}": 90 for m in range(1, 9)})
        docs = [json.loads(b) for b in self.once("2030-09-11")]
        resolved = [d for d in docs if d["type"] == "data_problems"]
        self.assertEqual(len(resolved), 1, docs)
        self.assertValid(resolved[0])
        self.assertTrue(resolved[0]["problems"][0]["resolved"])
        self.assertEqual(resolved[0]["problems"][0]["series"], "niveau")
        # the Teams card of the same notice: the problem's line says it is over, in green
        card = json.loads(self.srv.requests("/teams")[-1].body)["attachments"][0]["content"]
        lines = [b for b in card["body"] if b["type"] == "TextBlock" and b["text"].startswith("Tallene er kommet")]
        self.assertEqual(len(lines), 1, card["body"])
        self.assertEqual(lines[0]["color"], "Good")
        self.assertIn("Tallene i serien niveau er kommet", lines[0]["text"])
        self.assertEqual(card["body"][0]["text"], "Beskæftigelsesplan 2030: 1 dataproblem løst")
        self.assertEqual([d["type"] for d in map(json.loads, self.once("2030-09-12"))
                          if d["type"] == "data_problems"], [])

    def test_test_notice_validates(self):
        lwdaemon.require_daemon(self)
        self.run_goals(1)
        before = self.srv.count("/hook")
        p = subprocess.run([CLI, "notify-test", "hook", "--config", self.work.config], capture_output=True, text=True,
                           timeout=60 * lwdaemon.TIMEOUT_SCALE)
        self.assertEqual(p.returncode, 0, p.stderr)
        bodies = [r.body for r in self.srv.requests("/hook")[before:]]
        self.assertEqual(len(bodies), 1)
        doc = json.loads(bodies[0])
        self.assertEqual(doc["type"], "test")
        self.assertValid(doc)


if __name__ == "__main__":
    unittest.main(verbosity=2)
