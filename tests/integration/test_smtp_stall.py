# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 18 §3: a mail server that goes silent after the final dot stops nothing else.

A real aiosmtpd on 127.0.0.1 whose DATA handler, for one recipient, sits on the message far longer
than the notifier's timeout before it answers, and answers at once for every other recipient. The
daemon must deliver the other recipients' mails within a few seconds as if nothing were wrong, exit
within 5 s of SIGTERM while the stuck transfer is in flight, and leave the stuck message in the
outbox, unsent, to be sent again later as the same message (same Message-ID). When the notifier's
timeout passes, the stuck message costs itself one failed attempt and nothing else."""

import asyncio
import email
import http.server
import email.policy
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import lwdaemon  # noqa: E402
from test_notify import DATA, NEVER, free_port  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402

SCALE = lwdaemon.TIMEOUT_SCALE

CONFIG = """\
state_dir: {state_dir}
recipients:
  stuck:
    email: stuck@herlev.dk
  r1:
    email: r1@herlev.dk
  r2:
    email: r2@herlev.dk
  r3:
    email: r3@herlev.dk
  r4:
    email: r4@herlev.dk
notifiers:
  mail:
    kind: smtp
    url: smtp://127.0.0.1:{port}
    from: labourwatch@herlev.dk
    timeout: {timeout}
    retry_max: 30s
  hook:
    kind: webhook
    url: http://127.0.0.1:{hook_port}/hook
    timeout: 5s
"""

OTHERS = ("r1", "r2", "r3", "r4")


class StallingSink:
    """Answers DATA at once, except for messages to an address in `stall`: those are kept (in
    `stalled`) and answered only after `stall_seconds`, once; later messages to it are answered at
    once."""

    def __init__(self, stall, stall_seconds):
        self.stall_all = stall is None  # every message, every time
        self.stall = set(stall or ())
        self.stall_seconds = stall_seconds
        self.messages, self.stalled = [], []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        to = set(envelope.rcpt_tos)
        with self.lock:
            stall = self.stall_all or bool(to & self.stall)
            self.stall -= to
            if stall:
                self.stalled.append({"to": list(envelope.rcpt_tos), "raw": envelope.original_content,
                                     "at": time.monotonic()})
        if stall:
            await asyncio.sleep(self.stall_seconds)  # silent after the final dot
            return "250 2.0.0 Ok: queued (late)"
        with self.lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "raw": envelope.original_content,
                                  "at": time.monotonic()})
        return "250 2.0.0 Ok: queued as LW%d" % len(self.messages)


def message_id(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


class SmtpStallTest(lwdaemon.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.port = free_port()
        self.hook_port = free_port()
        self.controller = None
        with open(os.path.join(DATA, "notice-goals.json"), encoding="utf-8") as f:
            self.notice = json.load(f)

    def tearDown(self):
        super().tearDown()  # the daemons first: a stuck transfer must not outlive the server
        if self.controller:
            self.controller.stop()

    def serve(self, stall=("stuck@herlev.dk",), stall_seconds=120):
        self.sink = StallingSink(stall, stall_seconds)
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost")
        self.controller.start()
        return self.sink

    def configure(self, timeout):
        self.work.write_config(CONFIG, port=self.port, hook_port=self.hook_port, timeout=timeout)
        p = lwdaemon.run_once(self.work)  # creates the database
        self.assertEqual(p.returncode, 0, p.stderr)

    def db(self):
        return sqlite3.connect(os.path.join(self.work.state_dir, "labourwatch.db"))

    def enqueue(self, recipient, delay=0.0, channel="mail"):
        """Queues one notice for recipient, due `delay` seconds from now; returns its key."""
        n = dict(self.notice, notifier=channel, recipient=recipient)
        n["key"] = hashlib.sha256(("%s/%s/%s/%s" % (channel, recipient, time.time(), os.urandom(8))).encode()).hexdigest()
        now = int(time.time() * 1e6)
        with self.db() as db:
            db.execute("INSERT INTO outbox (channel, recipient, dedup_key, payload_json, created_at, "
                       "next_attempt) VALUES (?, ?, ?, ?, ?, ?)",
                       (channel, recipient, n["key"], json.dumps(n, ensure_ascii=False), now,
                        now + int(delay * 1e6)))
        return n["key"]

    def rows(self):
        with self.db() as db:
            return {r[0]: r[1:] for r in db.execute(
                "SELECT recipient, attempts, next_attempt, last_error, sent_at FROM outbox WHERE channel = 'mail'")}

    def hook(self):
        """A webhook receiver on hook_port answering 200; returns the list of monotonic arrival
        times."""
        arrivals = []

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrivals.append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.hook_port), H)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        self.addCleanup(httpd.server_close)
        self.addCleanup(httpd.shutdown)
        return arrivals

    def wait_for(self, cond, timeout, what):
        deadline = time.monotonic() + timeout * SCALE
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.05)
        self.fail("%s within %s s; outbox: %s" % (what, timeout * SCALE, self.rows()))

    def test_silent_server_delays_nobody_and_sigterm_exits(self):
        """The stuck message's server is silent for 120 s after the dot (timeout: 60s, so it is in
        flight throughout); four mails that become due a moment later arrive within a few seconds;
        SIGTERM then exits within 5 s (after waiting 2 s for the answer) and the stuck message is
        still due, and is sent by the next run as the same message."""
        sink = self.serve(stall_seconds=120)
        self.configure("60s")
        self.enqueue("stuck")
        for r in OTHERS:
            self.enqueue(r, delay=1.5)
        due = time.monotonic() + 1.5
        d = self.start()
        d.wait_notify("READY", "1")
        self.wait_for(lambda: sink.stalled, 10, "the stuck message's DATA")
        self.wait_for(lambda: len(sink.messages) >= len(OTHERS), 15, "the other recipients' mails")
        late = max(m["at"] for m in sink.messages) - due
        self.assertLess(late, 3 * SCALE, "the other mails waited for the stuck one")
        self.assertEqual(sorted(m["to"][0] for m in sink.messages), ["%s@herlev.dk" % r for r in OTHERS])
        self.wait_for(lambda: all(self.rows()[r][3] for r in OTHERS), 5, "the other mails marked sent")

        t = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(timeout=30)
        took = time.monotonic() - t
        self.assertEqual(rc, 0, d.stderr())
        self.assertLess(took, 5 * SCALE, "SIGTERM took %.1f s with a transfer stuck" % took)
        lwdaemon.assert_no_crash(self, rc, d.stderr())

        attempts, next_attempt, last_error, sent_at = self.rows()["stuck"]
        self.assertIsNone(sent_at)  # left for the next start, not lost
        self.assertLess(next_attempt, NEVER)
        self.assertLessEqual(next_attempt, time.time() * 1e6 + 2e6)

        p = lwdaemon.run_once(self.work)  # the server answers at once now
        self.assertEqual(p.returncode, 0, p.stderr)
        again = [m for m in sink.messages if m["to"] == ["stuck@herlev.dk"]]
        self.assertEqual(len(again), 1, p.stderr)
        self.assertEqual(message_id(again[0]["raw"]), message_id(sink.stalled[0]["raw"]))
        self.assertIsNotNone(self.rows()["stuck"][3])

    def test_sigterm_waits_for_an_answer_in_flight(self):
        """Issue 18 §5: SIGTERM while a server takes a second to answer the dot: the daemon waits
        for the answer (briefly), marks the message sent, and the next start does not send it
        again."""
        sink = self.serve(stall_seconds=1)
        self.configure("60s")
        self.enqueue("stuck")
        d = self.start()
        d.wait_notify("READY", "1")
        self.wait_for(lambda: sink.stalled, 10, "the message's DATA")
        t = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(timeout=30)
        took = time.monotonic() - t
        self.assertEqual(rc, 0, d.stderr())
        self.assertLess(took, 5 * SCALE)
        self.assertIsNotNone(self.rows()["stuck"][3], d.stderr())
        self.assertIn("delivered through mail: 250 2.0.0 Ok: queued (late)", d.stderr())
        p = lwdaemon.run_once(self.work)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sink.messages, [])  # not sent again

    def test_hung_mail_server_leaves_slots_for_others(self):
        """A mail server silent after the dot for every message, with more messages for it than
        there are delivery slots: a webhook notice due a moment later is still delivered at once
        (one notifier holds at most 6 of the 8 slots)."""
        sink = self.serve(stall=None, stall_seconds=120)
        arrivals = self.hook()
        self.configure("60s")
        for k in range(10):
            self.enqueue((("stuck",) + OTHERS)[k % 5])
        self.enqueue(None, delay=1.5, channel="hook")
        due = time.monotonic() + 1.5
        d = self.start()
        d.wait_notify("READY", "1")
        self.wait_for(lambda: len(sink.stalled) >= 6, 10, "six stuck mails")
        self.wait_for(lambda: arrivals, 10, "the webhook notice")
        self.assertLess(arrivals[0] - due, 3 * SCALE)
        time.sleep(0.5)
        self.assertLessEqual(len(sink.stalled), 6)
        t = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(timeout=30)
        self.assertEqual(rc, 0, d.stderr())
        self.assertLess(time.monotonic() - t, 5 * SCALE)
        with self.db() as db:  # none was answered: all still to be sent
            self.assertEqual(db.execute("SELECT count(*) FROM outbox WHERE channel = 'mail' AND sent_at IS NULL "
                                        "AND next_attempt < ?", (NEVER,)).fetchone()[0], 10)

    def test_once_sigterm_with_a_stuck_transfer(self):
        """--once waiting for a server silent after the dot: SIGTERM ends it within 5 s with status
        1 (the delivery was not done), the message still due."""
        sink = self.serve(stall_seconds=120)
        self.configure("60s")
        self.enqueue("stuck")
        d = self.start(args=("--once",))
        self.wait_for(lambda: sink.stalled, 10, "the stuck message's DATA")
        t = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait(timeout=30)
        self.assertLess(time.monotonic() - t, 5 * SCALE)
        self.assertEqual(rc, 1, d.stderr())
        attempts, next_attempt, last_error, sent_at = self.rows()["stuck"]
        self.assertIsNone(sent_at)
        self.assertLessEqual(next_attempt, time.time() * 1e6)

    def test_timeout_costs_one_retry(self):
        """timeout: 3s against a server silent for 60 s after the dot: --once is over a few seconds
        after the timeout (not after the server's silence), the stuck message has one failed attempt
        and is due again, the others are delivered; the retry sends the same message."""
        sink = self.serve(stall_seconds=60)
        self.configure("3s")
        self.enqueue("stuck")
        for r in OTHERS:
            self.enqueue(r)
        t = time.monotonic()
        p = lwdaemon.run_once(self.work, timeout=120)
        took = time.monotonic() - t
        self.assertEqual(p.returncode, 1, p.stderr)  # one delivery failed
        self.assertLess(took, (3 + 5) * SCALE, p.stderr)
        lwdaemon.assert_no_crash(self, p.returncode, p.stderr)
        rows = self.rows()
        for r in OTHERS:
            self.assertIsNotNone(rows[r][3], rows)
            self.assertEqual(rows[r][0], 0, rows)  # first time, no failure
        attempts, next_attempt, last_error, sent_at = rows["stuck"]
        self.assertIsNone(sent_at)
        self.assertEqual(attempts, 1)
        self.assertLess(next_attempt, NEVER)
        self.assertRegex(last_error, "(?i)tim(ed|e)[ -]?out")
        self.assertEqual(sorted(m["to"][0] for m in sink.messages), ["%s@herlev.dk" % r for r in OTHERS])

        with self.db() as db:  # its retry is due (not waiting the backoff out)
            db.execute("UPDATE outbox SET next_attempt = ? WHERE recipient = 'stuck'", (int(time.time() * 1e6),))
        p = lwdaemon.run_once(self.work)
        self.assertEqual(p.returncode, 0, p.stderr)
        again = [m for m in sink.messages if m["to"] == ["stuck@herlev.dk"]]
        self.assertEqual(len(again), 1, p.stderr)
        self.assertEqual(message_id(again[0]["raw"]), message_id(sink.stalled[0]["raw"]))


if __name__ == "__main__":
    unittest.main()
