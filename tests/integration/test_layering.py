# SPDX-License-Identifier: GPL-2.0-or-later
"""The dependency rules of README.md ("Source layout") and daemon/README.md, checked on the
#include lines and calls of daemon/ and include/labourwatch/ (issue 7 §7), so they hold by test,
not only by review:

- pure modules reach (through any chain of includes) no curl, SQLite, sd-event/sd-journal/
  sd-daemon header, no log.h, store.h or fetch.h, and call no clock, getenv or file I/O;
- modules that never log (pure ones, config*, yaml-fields, goal-test, store) include no log.h;
- each outside library lives in its module(s): SQLite in store.c, the journal in log.c, libcurl
  in curl-glue / fetch / notify channels, libyaml in the YAML field engine and its users,
  sd-daemon in manager.c;
- no module includes a header that includes it back (no include cycle).

Run: LW_SOURCE_DIR=. /usr/bin/python3 tests/integration/test_layering.py
"""

import os
import re
import unittest
from pathlib import Path

SRC = Path(os.environ.get("LW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DAEMON = SRC / "daemon"
INCLUDE = SRC / "include" / "labourwatch"

PURE = ["goal.c", "alert.c", "text.c", "expr.c", "format.c", "schedule.c", "report-due.c", "period.c", "series.c",
        "source.c", "source-period.c", "source-registry.c", "chart.c"]
PURE += sorted(p.name for p in DAEMON.glob("source-*.c"))
NEVER_LOG = PURE + ["config.c", "config-load.c", "config-schema.c", "config-expr.c", "yaml-fields.c",
                    "goal-test.c", "store.c", "scrub.c", "secret.c", "fileio.c", "parse-util.c"]
IMPURE_HEADERS = {"curl/curl.h", "sqlite3.h", "systemd/sd-event.h", "systemd/sd-journal.h",
                  "systemd/sd-daemon.h", "labourwatch/log.h", "labourwatch/store.h", "labourwatch/fetch.h",
                  "labourwatch/curl-glue.h", "labourwatch/pipeline.h"}
IMPURE_CALLS = re.compile(r"\b(clock_gettime|gettimeofday|time\s*\(\s*NULL|now\s*\(\s*CLOCK_|getenv|fopen|"
                          r"open\s*\(|sd_journal_\w+|log_(error|warning|info|debug|notice|full|event)\w*\s*\()")
# outside library header -> the only files that may include it directly
OWNERS = {
    "sqlite3.h": {"store.c"},
    "systemd/sd-journal.h": {"log.c"},
    "systemd/sd-daemon.h": {"manager.c"},
    "curl/curl.h": {"curl-glue.h", "fetch.c", "notify-internal.h"},
    "yaml.h": {"yaml-fields.h", "cli-test.c"},
}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", re.sub(r"//[^\n]*", "", text), flags=re.S)


def direct_includes(path):
    return INCLUDE_RE.findall(strip_comments(path.read_text(encoding="utf-8")))


def resolve(name, here):
    """A project header for an #include name, or None for a system/library header."""
    if name.startswith("labourwatch/"):
        p = INCLUDE / name[len("labourwatch/"):]
        return p if p.exists() else None
    p = here.parent / name
    return p if p.exists() and p.parent == DAEMON else None


def closure(path):
    """Every include name reached from path, and the project headers on the way."""
    seen, names, todo = set(), set(), [path]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for n in direct_includes(p):
            names.add(n)
            q = resolve(n, p)
            if q:
                todo.append(q)
    return names, seen


class LayeringTest(unittest.TestCase):
    def test_pure_modules(self):
        for name in PURE:
            p = DAEMON / name
            if not p.exists():
                continue
            names, _ = closure(p)
            bad = sorted(names & IMPURE_HEADERS)
            self.assertEqual(bad, [], f"{name} (pure) reaches {bad}")
            calls = IMPURE_CALLS.findall(strip_comments(p.read_text(encoding="utf-8")))
            self.assertEqual(calls, [], f"{name} (pure) calls {calls}")

    def test_never_log(self):
        for name in NEVER_LOG:
            p = DAEMON / name
            if p.exists():
                self.assertNotIn("labourwatch/log.h", direct_includes(p), f"{name} must not log")

    def test_one_library_one_home(self):
        files = sorted(DAEMON.glob("*.[ch]")) + sorted(INCLUDE.glob("*.h"))
        for f in files:
            for n in direct_includes(f):
                if n in OWNERS:
                    self.assertIn(f.name, OWNERS[n], f"{f.name} includes {n}; only {sorted(OWNERS[n])} may")

    def test_no_include_cycle(self):
        for h in sorted(INCLUDE.glob("*.h")):
            for n in direct_includes(h):
                q = resolve(n, h)
                if q:
                    _, reached = closure(q)
                    self.assertNotIn(h, reached, f"include cycle: {h.name} <-> {q.name}")

    def test_readme_lists_every_module(self):
        text = (SRC / "README.md").read_text(encoding="utf-8") + (DAEMON / "README.md").read_text(encoding="utf-8")
        missing = [p.name for p in sorted(DAEMON.glob("*.c"))
                   if not p.name.startswith("cli-")  # "cli.c, cli-*.c: one file per command"
                   and p.name not in text]
        self.assertEqual(missing, [], "modules missing from README.md's source layout and daemon/README.md")


if __name__ == "__main__":
    unittest.main()
