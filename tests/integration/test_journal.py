# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatchd's structured logging against a real systemd-journald: every event class carries
its fixed MESSAGE_ID and fields, read back with journalctl -o json.

journald is started by the test in a private mount namespace (unshare --mount) with tmpfs over
/run and /var/log/journal, so its sockets and journal files never touch the host and vanish with
the namespace. This needs root (CAP_SYS_ADMIN); when that is not possible the test fails and says
why: it is never skipped."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

JOURNALD = "/lib/systemd/systemd-journald"
NS_MARK = "LW_JOURNAL_TEST_NAMESPACE"

if os.environ.get(NS_MARK) != "1":
    # Re-run this file inside a private mount namespace.
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    argv = [unshare, "--mount", "--propagation", "private", "--", "/usr/bin/env", f"{NS_MARK}=1",
            sys.executable, os.path.abspath(__file__), *sys.argv[1:]]
    try:
        os.execv(unshare, argv)
    except OSError as e:
        sys.exit(f"test_journal: cannot run unshare(1) for a private mount namespace: {e}")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwdaemon  # noqa: E402
from lwdaemon import BROKEN_CONFIG, Daemon, Workdir  # noqa: E402

# Fixed in daemon/io/log.c and explained in systemd/labourwatch.catalog; operators filter on them, so
# a change is a compatibility break this test is meant to catch.
MESSAGE_IDS = {
    "CONFIG_LOADED": "b86e10786543481aa596ed90e15157a9",
    "CONFIG_REJECTED": "1186a3d28ee94930a0dfca8023d46ef2",
    "RELOADED": "fa2b39bdb56140288b8a0efbb34d6a20",
    "SHUTTING_DOWN": "82e5205be8234986871610665a42b5dc",
    "STARTED": "c270196f89dd428483601926e763dab6",
    "FETCH_SUCCEEDED": "cca09e47201a46f4803bb53d04547f2e",
    "FETCH_FAILED": "4066d0455a0a49d4b956d35abbdfb006",
    "GOAL_STATUS_CHANGED": "5380eb830cc54a08bad3323d45832ea3",
    "ALERT": "3077b7aba06046b0a5cd21dc64a42f55",
    "NOTIFICATION_SENT": "cfd64003938d47ddb6a9220793040d34",
    "NOTIFICATION_FAILED": "0ab7c1d22e5445c785012fc5faa33c46",
    "NOTIFICATION_EXPIRED": "0d70a2dd2e3542a39b68167e9a8e4170",
}

journald = None


def setUpModule():
    global journald
    if os.geteuid() != 0:
        raise RuntimeError("test_journal needs root to mount tmpfs and run systemd-journald")
    if not os.access(JOURNALD, os.X_OK):
        raise RuntimeError(f"{JOURNALD} is missing: install systemd")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"], check=True)
    if os.path.isdir("/var/log/journal"):
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/var/log/journal"], check=True)
    journald = subprocess.Popen([JOURNALD], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while not (os.path.exists("/run/systemd/journal/socket") and os.path.exists("/run/systemd/journal/stdout")):
        if journald.poll() is not None:
            raise RuntimeError(f"systemd-journald exited ({journald.returncode}): "
                               f"{journald.stderr.read().decode(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError("systemd-journald did not create /run/systemd/journal/socket within 10 s")
        time.sleep(0.05)


def tearDownModule():
    if journald and journald.poll() is None:
        journald.send_signal(signal.SIGTERM)
        try:
            journald.wait(timeout=10)
        except subprocess.TimeoutExpired:
            journald.kill()
            journald.wait()


def journal_entries(pid, want, timeout=10):
    """Entries of process pid; waits until want(entries) is true (journald writes asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        r = subprocess.run(["journalctl", "--no-pager", "-o", "json", f"_PID={pid}"],
                           capture_output=True, text=True)
        entries = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        if want(entries) or time.monotonic() > deadline:
            return entries
        time.sleep(0.1)


def with_id(entries, name):
    return [e for e in entries if e.get("MESSAGE_ID") == MESSAGE_IDS[name]]


class TestJournal(lwdaemon.DaemonTestCase):
    def test_lifecycle_events(self):
        d = self.start(env={"LABOURWATCH_LOG_TARGET": "journal"})
        d.wait_notify("READY", "1")
        self.work.write_config(BROKEN_CONFIG)
        d.signal(signal.SIGHUP)
        d.wait_notify("RELOADING", "1")
        d.wait_notify("READY", "1")
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

        entries = journal_entries(d.pid, lambda es: with_id(es, "SHUTTING_DOWN"))
        self.assertTrue(entries, "nothing from labourwatchd in the journal")
        for e in entries:
            self.assertEqual(e["SYSLOG_IDENTIFIER"], "labourwatch")
            self.assertEqual(e["_TRANSPORT"], "journal")
            self.assertIn("CODE_FUNC", e)

        loaded = with_id(entries, "CONFIG_LOADED")
        self.assertEqual(len(loaded), 1, entries)
        self.assertEqual(loaded[0]["CONFIG_FILE"], self.work.config)
        self.assertEqual(loaded[0]["PRIORITY"], "6")
        self.assertEqual(len(with_id(entries, "STARTED")), 1)

        rejected = with_id(entries, "CONFIG_REJECTED")
        self.assertGreaterEqual(len(rejected), 1, entries)
        for e in rejected:
            self.assertEqual(e["PRIORITY"], "3")
            self.assertEqual(e["CONFIG_FILE"], self.work.config)
            self.assertRegex(e["MESSAGE"], "^" + re.escape(self.work.config) + r":\d+:\d+: \S")
        self.assertEqual(with_id(entries, "RELOADED"), [])

        down = with_id(entries, "SHUTTING_DOWN")
        self.assertEqual(len(down), 1)
        self.assertEqual(down[0]["MESSAGE"], "Received SIGTERM, shutting down")

        # Nothing went to stderr: it was all in the journal.
        self.assertNotRegex(d.stderr(), r"<\d>")

    def test_reloaded_event(self):
        d = self.start(env={"LABOURWATCH_LOG_TARGET": "journal"})
        d.wait_notify("READY", "1")
        self.work.write_config(lwdaemon.MINIMAL_CONFIG + "# changed\n")
        d.signal(signal.SIGHUP)
        d.wait_notify("RELOADING", "1")
        d.wait_notify("READY", "1")
        entries = journal_entries(d.pid, lambda es: with_id(es, "RELOADED"))
        reloaded = with_id(entries, "RELOADED")
        self.assertEqual(len(reloaded), 1, entries)
        self.assertEqual(reloaded[0]["CONFIG_FILE"], self.work.config)
        self.assertIn("Reloaded configuration", reloaded[0]["MESSAGE"])

    def test_cycle_events_with_fields(self):
        """A cycle on a local CSV source with two goals: FETCH_SUCCEEDED with SOURCE= and SERIES=,
        GOAL_STATUS_CHANGED with GOAL= and STATUS=."""
        lwdaemon.write_goals_config(self.work)
        d = self.start(env={"LABOURWATCH_LOG_TARGET": "journal"})
        d.wait_notify("READY", "1")
        entries = journal_entries(d.pid, lambda es: len(with_id(es, "GOAL_STATUS_CHANGED")) >= 2)
        fetched = with_id(entries, "FETCH_SUCCEEDED")
        self.assertEqual(sorted(e["SERIES"] for e in fetched), ["matchede", "ordrer"], entries)
        for e in fetched:
            self.assertEqual(e["SOURCE"], "internal")
        changed = {e["GOAL"]: e for e in with_id(entries, "GOAL_STATUS_CHANGED")}
        self.assertEqual(set(changed), {"match-2024", "ordrer-2024"}, entries)
        self.assertEqual(changed["match-2024"]["STATUS"], "missed")
        self.assertEqual(changed["ordrer-2024"]["STATUS"], "achieved")
        self.assertEqual(changed["match-2024"]["PRIORITY"], "5")
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

    def test_fetch_failed_event(self):
        lwdaemon.write_csv_config(self.work, csv="missing.csv")
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="journal")
        p = subprocess.Popen([lwdaemon.DAEMON, "--once", "--config", self.work.config], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 1, err)
        entries = journal_entries(p.pid, lambda es: with_id(es, "FETCH_FAILED"))
        failed = with_id(entries, "FETCH_FAILED")
        self.assertEqual(len(failed), 1, entries)
        self.assertEqual(failed[0]["SOURCE"], "internal")
        self.assertEqual(failed[0]["SERIES"], "ordrer")
        self.assertEqual(failed[0]["PRIORITY"], "3")
        self.assertIn("missing.csv", failed[0]["MESSAGE"])

    def test_once_missing_config(self):
        missing = os.path.join(self.work.path, "missing.yaml")
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="journal")
        p = subprocess.Popen([lwdaemon.DAEMON, "--once", "--config", missing], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 1, err)
        entries = journal_entries(p.pid, lambda es: with_id(es, "CONFIG_REJECTED"))
        rejected = with_id(entries, "CONFIG_REJECTED")
        self.assertGreaterEqual(len(rejected), 1, entries)
        self.assertIn(missing, rejected[0]["MESSAGE"])
        self.assertEqual(rejected[0]["CONFIG_FILE"], missing)

    def test_journal_stream_detected(self):
        """Under systemd, stderr is a journald stream named by $JOURNAL_STREAM: the daemon notices
        and logs structured entries instead of plain lines."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect("/run/systemd/journal/stdout")
        # journald's stream header: identifier, unit, priority, level prefix, syslog, kmsg, console
        s.sendall(b"labourwatchd-stream\n\n6\n1\n0\n0\n0\n")
        st = os.fstat(s.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        env.pop("LABOURWATCH_LOG_TARGET", None)
        env.pop("NOTIFY_SOCKET", None)
        p = subprocess.Popen([lwdaemon.DAEMON, "--once", "--config", self.work.config], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s.fileno())
        self.assertEqual(p.wait(timeout=30), 0)
        s.close()
        entries = journal_entries(p.pid, lambda es: with_id(es, "STARTED"))
        started = with_id(entries, "STARTED")
        self.assertEqual(len(started), 1, entries)
        self.assertEqual(started[0]["_TRANSPORT"], "journal")

    def test_journal_stream_mismatch_uses_stderr(self):
        """A $JOURNAL_STREAM inherited by a child whose stderr was redirected must not count."""
        env = dict(os.environ, JOURNAL_STREAM="1:2")
        env.pop("LABOURWATCH_LOG_TARGET", None)
        r = subprocess.run([lwdaemon.DAEMON, "--once", "--config", self.work.config], env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<6>Loaded configuration", r.stderr)


class TestCatalog(unittest.TestCase):
    def test_catalog_compiles_and_covers_every_id(self):
        """journalctl accepts systemd/labourwatch.catalog and lists an entry for every MESSAGE_ID
        defined in daemon/io/log.c."""
        import tempfile
        src = lwdaemon.SOURCE_DIR
        with open(os.path.join(src, "daemon", "io", "log.c"), encoding="utf-8") as f:
            ids = re.findall(r'\[LOG_EVENT_\w+\] = "([0-9a-f]{32})"', f.read())
        self.assertEqual(len(ids), 14)
        for name, mid in MESSAGE_IDS.items():
            self.assertIn(mid, ids, name)
        with tempfile.TemporaryDirectory() as root:
            catdir = os.path.join(root, "usr", "lib", "systemd", "catalog")
            os.makedirs(catdir)
            os.makedirs(os.path.join(root, "var", "lib", "systemd"))
            shutil.copy(os.path.join(src, "systemd", "labourwatch.catalog"), catdir)
            r = subprocess.run(["journalctl", "--root", root, "--update-catalog"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr.strip(), "")
            r = subprocess.run(["journalctl", "--root", root, "--list-catalog"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            listed = dict(line.split(" ", 1) for line in r.stdout.splitlines() if line.strip())
            for mid in ids:
                self.assertIn(mid, listed)
                self.assertRegex(listed[mid], r"^labourwatch: labourwatch ")  # Defined-By: Subject


if __name__ == "__main__":
    unittest.main(verbosity=2)
