# SPDX-License-Identifier: GPL-2.0-or-later
"""SMTP AUTH XOAUTH2 with a client-credentials token (issue 20 §1): a fixture token endpoint
(fixture_server.py) and a real SMTP server (aiosmtpd) with an AUTH XOAUTH2 handler.

The token endpoint counts its requests: a second message within the token's life reuses it, one
after it expired fetches a new one. A refusal of the endpoint (invalid_client, a tenant it does not
know) and a 535 to a valid token are said once, naming the setting, and the messages wait. Neither
the client secret nor a token ever reaches the daemon's output.

Run with /usr/bin/python3 (Debian's python3-aiosmtpd)."""

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))

import lwdaemon  # noqa: E402
import test_notify as tn  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402
from fixture_server import FixtureServer, Response  # noqa: E402

SECRET = "cl13nt~s3cret&=+/x"
MAILBOX = "labourwatch@herlev.dk"

CONFIG = """\
state_dir: {state_dir}
plan: Beskæftigelsesplan 2024
municipality: Herlev Kommune
recipients:
  chef:
    display_name: Jobcenterchef Søren Ørsted
    email: chef@herlev.dk
notifiers:
  m365:
    kind: smtp
    url: smtp://127.0.0.1:{smtp_port}
    from: labourwatch@herlev.dk
    auth: oauth2
    token_url: {token_url}
    client_id: 11111111-2222-3333-4444-555555555555
    client_secret_file: {secret_file}
    retry_max: 2s
"""


class XOAuth2Sink(tn.Sink):
    """tn.Sink that accepts AUTH XOAUTH2 with a token in `tokens` (RFC-less but documented by
    Google and Microsoft: base64 of "user=USER^Aauth=Bearer TOKEN^A^A"); anything else gets 535."""

    def __init__(self):
        super().__init__()
        self.tokens = set()
        self.refuse = False  # 535 to every token: the app lacks the permission
        self.seen = []  # (user, token) of every attempt

    async def auth_XOAUTH2(self, server, args):
        if len(args) == 1:
            blob = await server.challenge_auth("")
            if not isinstance(blob, bytes):
                return AuthResult(success=False, handled=True)
        else:
            blob = base64.b64decode(args[1])
        fields = dict(f.split("=", 1) for f in blob.decode().split("\1") if "=" in f)
        user, auth = fields.get("user"), fields.get("auth", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        with self.lock:
            self.seen.append((user, token))
        if token in self.tokens and user == MAILBOX and not self.refuse:
            return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful [SN4PR0501CA0001.namprd05.prod]")


class TokenEndpoint:
    """The answers of a client-credentials token endpoint, one token per request."""

    def __init__(self, sink, expires_in=3600):
        self.sink = sink
        self.expires_in = expires_in
        self.error = None  # (status, body) to answer instead
        self.issued = []
        self.lock = threading.Lock()

    def __call__(self, req):
        form = urllib.parse.parse_qs(req.body.decode())
        if self.error:
            return Response(status=self.error[0], headers={"Content-Type": "application/json"},
                            body=json.dumps(self.error[1]))
        ok = (form.get("grant_type") == ["client_credentials"] and form.get("client_secret") == [SECRET]
              and form.get("scope") == ["https://outlook.office365.com/.default"]
              and req.header("Content-Type") == "application/x-www-form-urlencoded")
        if not ok:
            return Response(status=400, body=json.dumps({"error": "invalid_request", "form": form}))
        with self.lock:
            token = "eyJ0eXAiOiJKV1Qi.tok%d.sig" % (len(self.issued) + 1)
            self.issued.append(token)
        self.sink.tokens.add(token)
        return Response(headers={"Content-Type": "application/json"},
                        body=json.dumps({"token_type": "Bearer", "expires_in": self.expires_in,
                                         "ext_expires_in": self.expires_in, "access_token": token}))


class OAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        lwdaemon.require_daemon(cls)

    def setUp(self):
        self.work = lwdaemon.Workdir()
        self.secret_file = os.path.join(self.work.path, "client-secret")
        with open(self.secret_file, "w") as f:
            f.write(SECRET + "\n")
        self.sink = XOAuth2Sink()
        self.smtp_port = tn.free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.smtp_port,
                                     auth_require_tls=False, auth_exclude_mechanism=["LOGIN", "PLAIN"])
        self.controller.start()
        self.endpoint = TokenEndpoint(self.sink)
        self.srv = FixtureServer().start()
        self.srv.route("/tenant/oauth2/v2.0/token", self.endpoint)
        self.work.write_config(CONFIG, smtp_port=self.smtp_port, secret_file=self.secret_file,
                               token_url=self.srv.url("/tenant/oauth2/v2.0/token"))
        self.notify = tn.NotifyTest("run")
        self.notify.work = self.work
        with open(os.path.join(tn.DATA, "notice-goals.json"), encoding="utf-8") as f:
            self.notify.notice = json.load(f)

    def tearDown(self):
        self.controller.stop()
        self.srv.stop()
        self.work.cleanup()

    def run_once(self, check):
        p = self.notify.daemon_once(check=check)
        for t in self.endpoint.issued + [SECRET]:
            self.assertNotIn(t, p.stderr)
            self.assertNotIn(t, p.stdout)
        with self.notify.db() as db:
            for row in db.execute("SELECT COALESCE(last_error, '') FROM outbox"):
                for t in self.endpoint.issued + [SECRET]:
                    self.assertNotIn(t, row[0])
        return p

    def delivered(self):
        return [m["to"][0] for m in self.sink.messages]

    def test_token_reaches_server_and_is_reused(self):
        self.notify.enqueue("m365", "chef")
        self.run_once(0)
        self.assertEqual(self.delivered(), ["chef@herlev.dk"])
        self.assertTrue(self.sink.messages[0]["authenticated"])
        self.assertEqual(self.sink.seen, [(MAILBOX, self.endpoint.issued[0])])
        self.assertEqual(self.srv.count("/tenant/oauth2/v2.0/token"), 1)
        # the form, as the grant wants it (the secret URL-encoded, the client id, the scope)
        body = self.srv.requests("/tenant/oauth2/v2.0/token")[0].body.decode()
        self.assertIn("client_secret=" + urllib.parse.quote(SECRET, safe=""), body)
        self.assertIn("client_id=11111111-2222-3333-4444-555555555555", body)

    def test_notify_test(self):
        """The check microsoft-365.md tells administrators to run: one message through the notifier
        now, what the server said printed, nothing of the token or secret."""
        p = subprocess.run([tn.CLI, "notify-test", "--config", self.work.config, "m365", "--to", "chef"],
                           capture_output=True, text=True, timeout=60 * lwdaemon.TIMEOUT_SCALE,
                           env=dict(os.environ, TZ="UTC"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("250", p.stdout + p.stderr)
        self.assertEqual(self.delivered(), ["chef@herlev.dk"])
        self.assertEqual(self.sink.seen, [(MAILBOX, self.endpoint.issued[0])])
        for t in self.endpoint.issued + [SECRET]:
            self.assertNotIn(t, p.stdout + p.stderr)
        # a refused token: the permission named, exit 1
        self.sink.refuse = True
        p = subprocess.run([tn.CLI, "notify-test", "--config", self.work.config, "m365", "--to", "chef"],
                           capture_output=True, text=True, timeout=60 * lwdaemon.TIMEOUT_SCALE,
                           env=dict(os.environ, TZ="UTC"))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("SMTP.SendAsApp", p.stdout + p.stderr)
        for t in self.endpoint.issued + [SECRET]:
            self.assertNotIn(t, p.stdout + p.stderr)

    def test_deliveries_started_together_ask_once(self):
        """Two messages in flight at once: one token request, both use it."""
        self.notify.enqueue("m365", "chef")
        self.notify.enqueue("m365", "chef")
        self.run_once(0)
        self.assertEqual(self.delivered(), ["chef@herlev.dk", "chef@herlev.dk"])
        self.assertEqual(self.srv.count("/tenant/oauth2/v2.0/token"), 1)
        self.assertEqual([t for _, t in self.sink.seen], [self.endpoint.issued[0]] * 2)

    def run_daemon(self, n, after_first_login=None):
        """The running daemon until n messages are delivered: n == 2, the second queued due 2 s
        after the first (more under valgrind, which is slow to start); n == 1, after_first_login()
        called once the server saw a login."""
        self.notify.enqueue("m365", "chef")
        if n == 2:
            key = self.notify.enqueue("m365", "chef")
            with self.notify.db() as db:
                db.execute("UPDATE outbox SET next_attempt = ? WHERE dedup_key = ?",
                           (int((time.time() + 2 * lwdaemon.TIMEOUT_SCALE) * 1e6), key))
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC")
        e.pop("NOTIFY_SOCKET", None)
        p = subprocess.Popen([lwdaemon.DAEMON, "--config", self.work.config], env=e,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30 * lwdaemon.TIMEOUT_SCALE
            if after_first_login:
                while time.time() < deadline and not self.sink.seen:
                    time.sleep(0.05)
                after_first_login()
            while time.time() < deadline and len(self.sink.messages) < n:
                time.sleep(0.1)
        finally:
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=30 * lwdaemon.TIMEOUT_SCALE)
        for t in self.endpoint.issued + [SECRET]:
            self.assertNotIn(t, err)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(len(self.delivered()), n, err)
        return err

    def test_second_message_within_life_reuses_token(self):
        """expires_in 1 h: the message due 2 s later reuses the token."""
        self.run_daemon(2)
        self.assertEqual(self.srv.count("/tenant/oauth2/v2.0/token"), 1)
        self.assertEqual([t for _, t in self.sink.seen], [self.endpoint.issued[0]] * 2)

    def test_expired_token_is_fetched_again(self):
        """expires_in 2 s: kept for 1 s (renewed before it expires); the message 2 s later gets a
        new one."""
        self.endpoint.expires_in = 2
        self.run_daemon(2)
        self.assertEqual(self.srv.count("/tenant/oauth2/v2.0/token"), 2)
        self.assertEqual([t for _, t in self.sink.seen], self.endpoint.issued)
        self.assertNotEqual(self.endpoint.issued[0], self.endpoint.issued[1])

    def assert_said_once(self, p, cause, *words):
        """One error or warning about the notifier, naming the cause and the setting."""
        lines = [x for x in p.stderr.splitlines() if "m365" in x and x[:3] in ("<3>", "<4>")]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("<3>Notifier 'm365': "), lines[0])
        for w in words + ("CAUSE=" + cause,):
            self.assertIn(w, lines[0])
        self.assertEqual(self.delivered(), [])
        rows = self.notify.outbox()
        self.assertTrue(all(r[6] is None and r[4] < tn.NEVER for r in rows), rows)  # waiting
        return lines[0]

    def test_invalid_client_said_once_and_messages_wait(self):
        self.endpoint.error = (401, {"error": "invalid_client", "error_description":
                                     "AADSTS7000215: Invalid client secret provided. Ensure the secret "
                                     "being sent in the request is the client secret value."})
        for _ in range(3):
            self.notify.enqueue("m365", "chef")
        p = self.run_once(1)
        line = self.assert_said_once(p, "oauth-secret", "client secret", "client_secret_file", "AADSTS7000215")
        # deliveries in flight together may each ask (one after another), never more
        self.assertIn(self.srv.count("/tenant/oauth2/v2.0/token"), (1, 2, 3), line)
        # fixed: the held messages go out on their next attempt
        self.endpoint.error = None
        self.notify.wait_due()
        self.run_once(0)
        self.assertEqual(len(self.delivered()), 3)

    def test_unknown_client_and_tenant(self):
        self.endpoint.error = (400, {"error": "unauthorized_client", "error_description":
                                     "AADSTS700016: Application with identifier '1111' was not found in "
                                     "the directory 'Herlev'."})
        self.notify.enqueue("m365", "chef")
        self.assert_said_once(self.run_once(1), "oauth-client", "client_id", "AADSTS700016")
        self.endpoint.error = (400, {"error": "invalid_request", "error_description":
                                     "AADSTS90002: Tenant 'herlev.example' not found."})
        self.notify.wait_due()
        p = self.run_once(1)
        self.assert_said_once(p, "oauth-tenant", "tenant", "token_url", "AADSTS90002")

    def test_refused_token_names_the_permission(self):
        """A valid token and 535: SMTP.SendAsApp or the mailbox; the token is not used again."""
        self.sink.refuse = True
        self.notify.enqueue("m365", "chef")
        p = self.run_once(1)
        self.assert_said_once(p, "oauth-permission", "SMTP.SendAsApp", "Add-MailboxPermission", "535")
        self.assertEqual(self.sink.seen, [(MAILBOX, self.endpoint.issued[0])])
        self.sink.refuse = False
        self.notify.wait_due()
        self.run_once(0)
        self.assertEqual(self.delivered(), ["chef@herlev.dk"])

    def test_refused_token_dropped_from_cache(self):
        """In one daemon: after a 535 the retry (retry_max 2 s later) asks for a new token, since
        the roles granted meanwhile are only in a new one."""
        self.sink.refuse = True
        self.run_daemon(1, after_first_login=lambda: setattr(self.sink, "refuse", False))
        self.assertEqual(self.srv.count("/tenant/oauth2/v2.0/token"), 2)
        self.assertEqual([t for _, t in self.sink.seen], self.endpoint.issued)


if __name__ == "__main__":
    unittest.main()
