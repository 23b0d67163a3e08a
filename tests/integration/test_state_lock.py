# SPDX-License-Identifier: GPL-2.0-or-later
"""The state directory's lock (issue 18): one labourwatchd owns state_dir/labourwatchd.lock for its
life, with its PID in it; a second daemon and a --once on the same state directory are refused
with one line naming that PID, and read-only commands (status) keep working beside it.

Environment: LW_DAEMON, LW_CLI (the programs, maybe valgrind wrappers)."""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwdaemon  # noqa: E402
from lwdaemon import DaemonTestCase  # noqa: E402

CLI = os.environ.get("LW_CLI", "labourwatch")


class TestStateLock(DaemonTestCase):

    def refused(self, rc, stderr, pid):
        self.assertNotEqual(rc, 0, stderr)
        # One error line (after the info line of the configuration loaded), naming the holder.
        lines = [l for l in stderr.splitlines() if re.match(r"<[0-4]>", l)]
        self.assertEqual(len(lines), 1, stderr)
        self.assertRegex(lines[0], r"^<3>.*labourwatchd\.lock.*\bPID %d\b" % pid)

    def test_second_daemon_and_once_refused(self):
        first = self.start()
        first.wait_notify("READY", "1")
        lock = os.path.join(self.work.state_dir, "labourwatchd.lock")
        with open(lock, encoding="ascii") as f:
            self.assertEqual(f.read(), "%d\n" % first.pid)

        second = self.start(notify=False)
        rc = second.wait()
        self.refused(rc, second.stderr(), first.pid)

        once = lwdaemon.run_once(self.work)
        self.refused(once.returncode, once.stderr, first.pid)

        # Read-only beside the daemon.
        st = subprocess.run([CLI, "status", "--config", self.work.config], capture_output=True, text=True,
                            timeout=60 * lwdaemon.TIMEOUT_SCALE)
        self.assertEqual(st.returncode, 0, st.stderr)

        # The first one is untouched and still owns the lock.
        self.assertIsNone(first.proc.poll())
        with open(lock, encoding="ascii") as f:
            self.assertEqual(f.read(), "%d\n" % first.pid)

    def test_lock_released_on_exit(self):
        once = lwdaemon.run_once(self.work)
        self.assertEqual(once.returncode, 0, once.stderr)
        # A stale file (the PID of a process gone) does not lock anyone out.
        d = self.start()
        d.wait_notify("READY", "1")
        with open(os.path.join(self.work.state_dir, "labourwatchd.lock"), encoding="ascii") as f:
            self.assertEqual(f.read(), "%d\n" % d.pid)


if __name__ == "__main__":
    unittest.main()
