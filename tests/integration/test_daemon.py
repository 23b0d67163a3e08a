# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatchd's lifecycle against the sd_notify protocol: READY=1 and STATUS=, watchdog pings,
reload on SIGHUP (a broken file is rejected with FILE:LINE:COL and the daemon carries on), clean
stop on SIGTERM/SIGINT, --once exit status, and start-up failures on a bad state directory."""

import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwdaemon  # noqa: E402
from lwdaemon import BROKEN_CONFIG, FILE_LINE_COL, MINIMAL_CONFIG, DaemonTestCase, Workdir  # noqa: E402


class TestStartup(DaemonTestCase):
    def test_ready_with_status(self):
        d = self.start()
        msg = d.wait_notify("READY", "1")
        # READY=1 carries the status line: goals counted from the configuration, fetch state.
        self.assertIn("STATUS", msg)
        self.assertRegex(msg["STATUS"], r"^0 goals; no sources$")
        self.assertIsNone(d.proc.poll())
        d.wait_stderr(r"<6>Loaded configuration " + re.escape(self.work.config))
        d.wait_stderr(r"<6>labourwatchd \S+ started")

    def test_watchdog_pings(self):
        # 200 ms: sd-event pings at least every 100 ms or so; expect several within two seconds.
        d = self.start(env={"WATCHDOG_USEC": "200000"})
        d.wait_notify("READY", "1")
        start = time.monotonic()
        pings = 0
        while time.monotonic() - start < 2.0:
            msg = d._recv(0.3)
            if msg and msg.get("WATCHDOG") == "1":
                pings += 1
        self.assertGreaterEqual(pings, 5, d.notifications)

    def test_no_watchdog_without_request(self):
        d = self.start()
        d.wait_notify("READY", "1")
        time.sleep(1.0)
        while d._recv(0.1):
            pass
        self.assertFalse(any("WATCHDOG" in m for m in d.notifications), d.notifications)

    def test_help_and_version(self):
        import subprocess
        r = subprocess.run([lwdaemon.DAEMON, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--once", r.stdout)
        self.assertIn("--dry-run", r.stdout)
        r = subprocess.run([lwdaemon.DAEMON, "--version"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^labourwatchd \d+\.\d+")
        r = subprocess.run([lwdaemon.DAEMON, "--no-such-option"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([lwdaemon.DAEMON, "stray"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)


class TestReload(DaemonTestCase):
    def test_broken_then_valid_reload(self):
        d = self.start()
        d.wait_notify("READY", "1")

        # A broken file: rejected, every error with FILE:LINE:COL, the daemon carries on.
        self.work.write_config(BROKEN_CONFIG)
        d.signal(signal.SIGHUP)
        msg = d.wait_notify("RELOADING", "1")
        self.assertRegex(msg.get("MONOTONIC_USEC", ""), r"^\d+$")
        ready = d.wait_notify("READY", "1")
        # visible in `systemctl status` until a good configuration loads
        self.assertRegex(ready.get("STATUS", ""), r"^Configuration reload failed \d\d:\d\d \(previous configuration in use\); ")
        d.wait_stderr(r"<3>" + FILE_LINE_COL.format(path=re.escape(self.work.config)))
        d.wait_stderr(r"rejected, continuing with the previous one")
        self.assertIsNone(d.proc.poll(), "daemon exited after a broken reload")
        self.assertNotIn("Reloaded configuration", d.stderr())

        # A valid file again: RELOADING=1 (with the monotonic time), then READY=1, RELOADED logged.
        self.work.write_config(MINIMAL_CONFIG + "# edited\n")
        before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        d.signal(signal.SIGHUP)
        msg = d.wait_notify("RELOADING", "1")
        after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        self.assertTrue(before <= int(msg["MONOTONIC_USEC"]) <= after, msg)
        ready = d.wait_notify("READY", "1")
        self.assertIn("STATUS", ready)
        self.assertNotIn("reload failed", ready["STATUS"])
        d.wait_stderr(r"<6>Reloaded configuration " + re.escape(self.work.config))
        self.assertIsNone(d.proc.poll())

        # And it still stops cleanly.
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

    def test_state_dir_change_needs_restart(self):
        d = self.start()
        d.wait_notify("READY", "1")
        other = os.path.join(self.work.path, "other-state")
        os.mkdir(other)
        self.work.write_config(MINIMAL_CONFIG, state_dir=other)
        d.signal(signal.SIGHUP)
        d.wait_notify("RELOADING", "1")
        d.wait_notify("READY", "1")
        d.wait_stderr(r"<4>state_dir changed from " + re.escape(self.work.state_dir) + " to " +
                      re.escape(other) + r"; that takes a restart")
        self.assertIsNone(d.proc.poll())


class TestStop(DaemonTestCase):
    def _stop_with(self, sig, name):
        d = self.start()
        d.wait_notify("READY", "1")
        start = time.monotonic()
        d.signal(sig)
        rc = d.wait(timeout=5)
        self.assertLess(time.monotonic() - start, 5.0)
        self.assertEqual(rc, 0, d.stderr())
        d.wait_notify("STOPPING", "1", timeout=1)
        self.assertIn(f"<6>Received SIG{name}, shutting down", d.stderr())
        lwdaemon.assert_no_crash(self, rc, d.stderr())

    def test_sigterm(self):
        self._stop_with(signal.SIGTERM, "TERM")

    def test_sigint(self):
        self._stop_with(signal.SIGINT, "INT")

    def test_sigterm_during_reload_storm(self):
        d = self.start()
        d.wait_notify("READY", "1")
        for _ in range(20):
            d.signal(signal.SIGHUP)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0, d.stderr())


class TestOnce(DaemonTestCase):
    def test_once_ok(self):
        r = lwdaemon.run_once(self.work)
        lwdaemon.assert_no_crash(self, r.returncode, r.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Cycle finished", r.stderr)
        self.assertNotIn("with errors", r.stderr)

    def test_once_dry_run_prints(self):
        r = lwdaemon.run_once(self.work, args=["--dry-run"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("dry run: nothing is sent", r.stderr)
        self.assertRegex(r.stdout, r"^dry-run: ")

    def test_once_with_closed_stderr_pipe(self):
        """Logging into a pipe nobody reads any more gives EPIPE, not death by SIGPIPE."""
        import subprocess
        rfd, wfd = os.pipe()
        os.close(rfd)
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr")
        env.pop("NOTIFY_SOCKET", None)
        try:
            r = subprocess.run([lwdaemon.DAEMON, "--once", "--config", self.work.config], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=wfd, timeout=30)
        finally:
            os.close(wfd)
        self.assertEqual(r.returncode, 0)

    def test_once_broken_config(self):
        self.work.write_config(BROKEN_CONFIG)
        r = lwdaemon.run_once(self.work)
        lwdaemon.assert_no_crash(self, r.returncode, r.stderr)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"<3>" + FILE_LINE_COL.format(path=re.escape(self.work.config)))
        self.assertIn("rejected, not starting", r.stderr)

    def test_once_missing_config(self):
        missing = os.path.join(self.work.path, "nope.yaml")
        r = lwdaemon.run_once(self.work, config=missing)
        lwdaemon.assert_no_crash(self, r.returncode, r.stderr)
        self.assertEqual(r.returncode, 1)
        self.assertIn(missing, r.stderr)


class TestCycle(DaemonTestCase):
    """The cycle on a real fetch pipeline: a local CSV source (file://)."""

    def test_once_fetches_what_is_due(self):
        lwdaemon.write_csv_config(self.work)
        r = lwdaemon.run_once(self.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Fetch run finished: 1 series fetched, 0 failed", r.stderr)
        self.assertRegex(r.stderr, r"<6>Fetched series ordrer from internal: .*2 new periods")
        # Fetched an hour ago at most: not due again.
        r = lwdaemon.run_once(self.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Fetch run finished: 0 series fetched, 0 failed", r.stderr)

    def test_once_fetch_failure_exits_1(self):
        lwdaemon.write_csv_config(self.work, csv="missing.csv")
        r = lwdaemon.run_once(self.work)
        lwdaemon.assert_no_crash(self, r.returncode, r.stderr)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("Fetch run finished: 0 series fetched, 1 failed", r.stderr)
        self.assertIn("Cycle finished with errors", r.stderr)

    def test_daemon_fetches_then_schedules_next(self):
        lwdaemon.write_csv_config(self.work, schedule="1h")
        d = self.start()
        d.wait_notify("READY", "1")
        d.wait_stderr(r"Fetch run finished: 1 series fetched, 0 failed")
        # After the cycle STATUS= names the next fetch, an hour on (TZ=UTC in the test).
        deadline = time.time() + 3600
        want = {time.strftime("%H:%M", time.gmtime(deadline + k)) for k in (-60, 0, 60)}
        msg = d.wait_notify("STATUS")
        while "next fetch" not in msg["STATUS"] or "fetching now" in msg["STATUS"]:
            msg = d.wait_notify("STATUS")
        m = re.fullmatch(r"0 goals; next fetch (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)", msg["STATUS"])
        self.assertIsNotNone(m, msg)
        self.assertIn(m.group(1)[-5:], want, msg)
        # Nothing else happens while idle: one fetch only.
        time.sleep(1.5)
        self.assertEqual(d.stderr().count("Fetch run finished"), 1, d.stderr())
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

    def test_daemon_refetches_when_due(self):
        # The shortest interval the configuration allows is one minute: this test takes that long.
        lwdaemon.write_csv_config(self.work, schedule="1min")
        d = self.start()
        d.wait_notify("READY", "1")
        d.wait_stderr(r"Fetch run finished: 1 series fetched")
        first = time.monotonic()
        d.wait_stderr(r"(?s)Fetch run finished: 1 series fetched.*Fetch run finished: 1 series fetched",
                      timeout=90)
        self.assertGreater(time.monotonic() - first, 50)
        self.assertRegex(d.stderr(), r"Fetched series ordrer from internal: .*0 new periods")
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

    def _slow_server(self, delay):
        """An HTTP server on 127.0.0.1 that answers the CSV after `delay` seconds."""
        import http.server
        import threading

        arrived = self.request_arrived = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                arrived.set()
                time.sleep(delay)
                body = lwdaemon.CSV_DATA.encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the daemon went away (the SIGTERM test)

            def log_message(self, *args):
                pass

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    def _write_http_config(self, url):
        self.work.write_config(lwdaemon.CSV_CONFIG.replace("file://{data_dir}/", url + "/"),
                               schedule="1h", csv="rekruttering.csv")

    def test_reload_during_cycle_is_deferred_and_applied(self):
        self._write_http_config(self._slow_server(2.0))
        d = self.start()
        d.wait_notify("READY", "1")
        self.assertTrue(self.request_arrived.wait(10 * lwdaemon.TIMEOUT_SCALE), d.stderr())  # the request is in flight
        self.assertNotIn("Fetch run finished", d.stderr())
        d.signal(signal.SIGHUP)
        d.wait_stderr(r"Reload requested during a cycle; reloading when it has finished")
        self.assertNotIn("Reloaded configuration", d.stderr())
        # RELOADING=1 only once the fetch is done, and the reload then happens.
        d.wait_notify("RELOADING", "1")
        d.wait_notify("READY", "1")
        # stderr is read by another thread than the notifications: wait for it, then check the order.
        d.wait_stderr(r"(?s)Reload requested during a cycle.*"
                      r"Fetch run finished: 1 series fetched, 0 failed.*Reloading configuration.*Reloaded configuration")
        self.assertIsNone(d.proc.poll())
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

    def test_sigterm_during_fetch(self):
        self._write_http_config(self._slow_server(30.0))
        d = self.start()
        d.wait_notify("READY", "1")
        self.assertTrue(self.request_arrived.wait(10 * lwdaemon.TIMEOUT_SCALE), d.stderr())  # the request is in flight
        start = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(timeout=5)
        self.assertLess(time.monotonic() - start, 5.0)
        lwdaemon.assert_no_crash(self, rc, d.stderr())
        self.assertEqual(rc, 0, d.stderr())
        self.assertNotIn("Fetch run finished", d.stderr())

    def test_sigterm_during_once_cycle_exits_1(self):
        self._write_http_config(self._slow_server(30.0))
        d = self.start(args=["--once"], notify=False)
        self.assertTrue(self.request_arrived.wait(10 * lwdaemon.TIMEOUT_SCALE), d.stderr())
        d.signal(signal.SIGTERM)
        rc = d.wait(timeout=5)
        lwdaemon.assert_no_crash(self, rc, d.stderr())
        self.assertEqual(rc, 1, d.stderr())  # the cycle's work was not done
        self.assertIn("Received SIGTERM, shutting down", d.stderr())


class TestGoals(DaemonTestCase):
    """Fetch -> evaluate with the real goal engine: STATUS= counts, status changes, --dry-run."""

    def test_once_dry_run_lists_evaluations(self):
        lwdaemon.write_goals_config(self.work)
        r = lwdaemon.run_once(self.work, args=["--dry-run"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Fetch run finished: 2 series fetched, 0 failed", r.stderr)
        lines = [l for l in r.stdout.splitlines() if l.startswith("dry-run: goal ")]
        self.assertEqual(lines, ["dry-run: goal match-2024: missed", "dry-run: goal ordrer-2024: achieved"],
                         r.stdout)

    def test_status_counts_off_track_and_logs_changes(self):
        lwdaemon.write_goals_config(self.work)
        d = self.start()
        ready = d.wait_notify("READY", "1")
        # Before the first fetch the store is empty: evaluated, nothing off track, no data.
        self.assertRegex(ready["STATUS"], r"^2 goals, 0 off track, 2 without data; ")
        d.wait_stderr(r"Fetch run finished: 2 series fetched, 0 failed")
        msg = d.wait_notify("STATUS")
        while "next fetch" not in msg["STATUS"] or "fetching now" in msg["STATUS"]:
            msg = d.wait_notify("STATUS")
        self.assertRegex(msg["STATUS"], r"^2 goals, 1 off track; next fetch (\d{4}-\d\d-\d\d )?\d\d:\d\d$")
        d.wait_stderr(r"<5>Goal match-2024: \S+ -> missed \[GOAL=match-2024 OLD_STATUS=\S+ STATUS=missed\]")
        d.wait_stderr(r"<5>Goal ordrer-2024: \S+ -> achieved \[GOAL=ordrer-2024 ")

        # Better figures and a reload: evaluated again for STATUS=, now nothing is off track.
        lwdaemon.write_goals_config(self.work, matched=6)
        d.signal(signal.SIGHUP)
        d.wait_notify("RELOADING", "1")
        ready = d.wait_notify("READY", "1")
        # The data are only re-fetched when due (in an hour): the stored 30 % still counts.
        self.assertRegex(ready["STATUS"], r"^2 goals, 1 off track; next fetch ")
        d.signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=5), 0)

    def test_missing_data_file_fails_once_but_evaluates(self):
        lwdaemon.write_goals_config(self.work)
        os.unlink(os.path.join(self.work.path, "data", "rekruttering.csv"))
        r = lwdaemon.run_once(self.work, args=["--dry-run"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("2 failed", r.stderr)
        # Evaluation still ran on the (empty) store.
        self.assertIn("dry-run: goal match-2024: no_data", r.stdout)
        # The next --once finds the source waiting for its retry (nothing due): still exit 1, with
        # one line per failing source, so a cron job mails it.
        r = lwdaemon.run_once(self.work, args=["--dry-run"])
        self.assertEqual(r.returncode, 1, r.stderr)
        failing = [l for l in r.stderr.splitlines() if "is failing (1 failed run in a row)" in l]
        self.assertEqual(len(failing), 1, r.stderr)


class TestStateDir(DaemonTestCase):
    """A state directory the store cannot use stops the start-up with exit status 1 and a message
    naming the directory; never a crash. Both modes behave the same."""

    def _expect_failure(self, state_dir, reason_re):
        self.work.write_config(MINIMAL_CONFIG, state_dir=state_dir)
        for once in (True, False):
            if once:
                r = lwdaemon.run_once(self.work)
                rc, err = r.returncode, r.stderr
            else:
                d = self.start()
                rc = d.wait(timeout=15)
                err = d.stderr()
                while d._recv(0.1):
                        pass
                self.assertFalse(any("READY" in m for m in d.notifications), "READY=1 sent")
            lwdaemon.assert_no_crash(self, rc, err)
            self.assertEqual(rc, 1, err)
            self.assertIn("Failed to open the state store", err)
            self.assertIn(state_dir, err)
            self.assertRegex(err, reason_re)

    def test_missing(self):
        self._expect_failure(os.path.join(self.work.path, "does", "not", "exist"), r"(?i)no such file|not exist|missing")

    def test_not_a_directory(self):
        path = os.path.join(self.work.path, "a-file")
        with open(path, "w") as f:
            f.write("x")
        self._expect_failure(path, r"(?i)not a directory|directory")

    def test_corrupt_database(self):
        bad = os.path.join(self.work.path, "corrupt")
        os.mkdir(bad)
        with open(os.path.join(bad, "labourwatch.db"), "wb") as f:
            f.write(b"this is not an SQLite database\n" * 200)
        self._expect_failure(bad, r"(?i)not a database|corrupt|malformed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
