# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the daemon integration tests: run labourwatchd with a NOTIFY_SOCKET the test
listens on, collect its stderr, and write configurations into a temporary directory."""

import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

DAEMON = os.environ.get("LW_DAEMON")
SOURCE_DIR = os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
# Multiplies every wait below: 3 when the programs run under valgrind (tests/CMakeLists.txt), so a
# slow runner gets room in proportion; 1 otherwise, where the waits are the promises under test.
TIMEOUT_SCALE = float(os.environ.get("LW_TIMEOUT_SCALE") or 1)

# A valid configuration with nothing to fetch and no goals: the smallest thing the daemon runs on.
# The daemon tests are about its lifecycle, not the schema (labourwatch.yaml(5)).
MINIMAL_CONFIG = """\
# labourwatch integration test: no sources, no goals
state_dir: {state_dir}
"""

# Invalid YAML: an unterminated flow sequence. Any YAML parser rejects it with a position.
BROKEN_CONFIG = """\
state_dir: {state_dir}
sources: [ {{ name: dst
"""

FILE_LINE_COL = r"{path}:\d+:\d+: "


def require_daemon(testcase):
    if not DAEMON or not os.access(DAEMON, os.X_OK):
        testcase.fail("LW_DAEMON is not set to the labourwatchd binary (run through ctest)")


class Workdir:
    """A temporary directory with a state dir and a config file."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="lw-daemon-")
        self.path = self._tmp.name
        self.state_dir = os.path.join(self.path, "state")
        os.mkdir(self.state_dir, 0o700)
        self.config = os.path.join(self.path, "labourwatch.yaml")
        self.write_config(MINIMAL_CONFIG)

    def write_config(self, template, path=None, **kw):
        kw.setdefault("state_dir", self.state_dir)
        path = path or self.config
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(template.format(**kw))
        os.rename(tmp, path)  # atomically, as an editor or config management would

    def cleanup(self):
        self._tmp.cleanup()


class Daemon:
    """labourwatchd as a child process. Notifications (sd_notify datagrams) are collected in
    self.notifications as dicts; stderr lines in self.stderr_lines."""

    def __init__(self, workdir, args=(), env=None, notify=True, config=None):
        self.workdir = workdir
        self.notifications = []
        self.sock = None
        e = dict(os.environ)
        e.pop("NOTIFY_SOCKET", None)
        e.pop("WATCHDOG_USEC", None)
        e.pop("WATCHDOG_PID", None)
        e.setdefault("LABOURWATCH_LOG_TARGET", "stderr")
        e["TZ"] = "UTC"
        if notify:
            path = os.path.join(workdir.path, "notify.sock")
            if os.path.exists(path):
                os.unlink(path)
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(path)
            e["NOTIFY_SOCKET"] = path
        if env:
            e.update(env)
        cmd = [DAEMON, "--config", config or workdir.config, *args]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e)
        self.stderr_lines = []
        self.stdout_lines = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._reader, args=(self.proc.stderr, self.stderr_lines)),
                         threading.Thread(target=self._reader, args=(self.proc.stdout, self.stdout_lines))]
        for t in self._threads:
            t.daemon = True
            t.start()

    def _reader(self, stream, into):
        for raw in iter(stream.readline, b""):
            with self._lock:
                into.append(raw.decode("utf-8", "replace").rstrip("\n"))

    @property
    def pid(self):
        return self.proc.pid

    def stderr(self):
        with self._lock:
            return "\n".join(self.stderr_lines)

    def stdout(self):
        with self._lock:
            return "\n".join(self.stdout_lines)

    def _recv(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return None
        msg = {}
        for line in data.decode("utf-8", "replace").split("\n"):
            if "=" in line:
                k, v = line.split("=", 1)
                msg[k] = v
        self.notifications.append(msg)
        return msg

    def wait_notify(self, key, value=None, timeout=15):
        """Waits for a notification carrying key (=value); returns it. Fails on timeout or exit."""
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while time.monotonic() < deadline:
            msg = self._recv(min(0.2, deadline - time.monotonic()))
            if msg is not None and key in msg and (value is None or msg[key] == value):
                return msg
            if msg is None and self.proc.poll() is not None:
                # drain what was sent before the exit
                msg = self._recv(0.05)
                if msg is not None and key in msg and (value is None or msg[key] == value):
                    return msg
                raise AssertionError(f"labourwatchd exited ({self.proc.returncode}) before {key}=; "
                                     f"stderr:\n{self.stderr()}")
        raise AssertionError(f"no {key}= notification within {timeout} s; got {self.notifications}; "
                             f"stderr:\n{self.stderr()}")

    def wait_stderr(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while time.monotonic() < deadline:
            m = re.search(pattern, self.stderr())
            if m:
                return m
            time.sleep(0.05)
        raise AssertionError(f"stderr never matched {pattern!r}:\n{self.stderr()}")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=10):
        rc = self.proc.wait(timeout=timeout * TIMEOUT_SCALE)
        for t in self._threads:
            t.join(timeout=5)
        return rc

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.wait()
        if self.sock:
            self.sock.close()
        self.proc.stdout.close()
        self.proc.stderr.close()


def run_once(workdir, args=(), config=None, timeout=60):
    """Runs labourwatchd --once to completion; returns the CompletedProcess (text)."""
    e = dict(os.environ)
    for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        e.pop(k, None)
    e.setdefault("LABOURWATCH_LOG_TARGET", "stderr")
    e["TZ"] = "UTC"
    return subprocess.run([DAEMON, "--config", config or workdir.config, "--once", *args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=e,
                          timeout=timeout * TIMEOUT_SCALE)


def assert_no_crash(testcase, returncode, stderr):
    testcase.assertGreaterEqual(returncode, 0, f"killed by signal {-returncode}:\n{stderr}")
    for marker in ("AddressSanitizer", "runtime error:", "Segmentation fault", "Assertion"):
        testcase.assertNotIn(marker, stderr)


# One local CSV source (file://, no network) with one fetched series and no goals.
CSV_CONFIG = """\
state_dir: {state_dir}
sources:
  internal:
    kind: csv
    base_url: file://{data_dir}/
    # no jitter: the tests compare the announced next fetch time
    schedule: {{interval: {schedule}, jitter: 0}}
series:
  ordrer:
    source: internal
    path: {csv}
    column: ordrer
    frequency: month
"""

CSV_DATA = "periode;ordrer;matchede\n2024M01;10;5\n2024M02;12;6\n"


def write_csv_config(workdir, schedule="1h", csv="rekruttering.csv", data=CSV_DATA):
    data_dir = os.path.join(workdir.path, "data")
    os.makedirs(data_dir, exist_ok=True)
    if data is not None:
        with open(os.path.join(data_dir, "rekruttering.csv"), "w", encoding="utf-8") as f:
            f.write(data)
    workdir.write_config(CSV_CONFIG, data_dir=data_dir, schedule=schedule, csv=csv)


# The CSV source with two series and two goals for 2024 (final by now): matched/orders = 30 % against
# "at least 50 %" is missed (off track); 10 orders a month against "at most 20" is achieved.
GOALS_CONFIG = """\
state_dir: {state_dir}
sources:
  internal:
    kind: csv
    base_url: file://{data_dir}/
    schedule: 1h
series:
  ordrer:
    source: internal
    path: rekruttering.csv
    column: ordrer
    frequency: month
  matchede:
    source: internal
    path: rekruttering.csv
    column: matchede
    frequency: month
"""

GOALS_FILE = """\
goals:
  match-2024:
    title: {da: Mindst 50 % besat, en: At least 50 % matched}
    kind: share
    numerator: matchede
    denominator: ordrer
    period: 2024
    direction: at_least
    target: 50
  ordrer-2024:
    title: {da: Højst 20 ordrer om måneden, en: At most 20 orders a month}
    kind: level
    series: ordrer
    aggregate: average
    period: 2024
    direction: at_most
    target: 20
"""


def write_goals_config(workdir, matched=3):
    data_dir = os.path.join(workdir.path, "data")
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(data_dir, "rekruttering.csv"), "w", encoding="utf-8") as f:
        f.write("periode;ordrer;matchede\n")
        for m in range(1, 13):
            f.write(f"2024M{m:02d};10;{matched}\n")
    goals_dir = os.path.join(workdir.path, "goals.d")
    os.makedirs(goals_dir, exist_ok=True)
    with open(os.path.join(goals_dir, "10-test.yaml"), "w", encoding="utf-8") as f:
        f.write(GOALS_FILE)
    workdir.write_config(GOALS_CONFIG, data_dir=data_dir)


class DaemonTestCase(unittest.TestCase):
    """A test case with a fresh Workdir and the daemons it started, all stopped afterwards."""

    def setUp(self):
        require_daemon(self)
        self.work = Workdir()
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        self.work.cleanup()

    def start(self, *args, **kw):
        d = Daemon(self.work, *args, **kw)
        self.daemons.append(d)
        return d
