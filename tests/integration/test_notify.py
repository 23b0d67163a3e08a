# SPDX-License-Identifier: GPL-2.0-or-later
"""Delivery with real peers on 127.0.0.1: a real SMTP server (aiosmtpd) in plaintext and with
STARTTLS + AUTH under a self-signed CA, an HTTP receiver that verifies webhook signatures, the
directory notifier, and the faults: a server down then up, 500 then 200, a 4xx, SIGKILL at the
delivery crash points. Items are put in the outbox table directly (the notice document v1), so these
tests are about delivery, not about when alerts fire; one end-to-end test lets the daemon enqueue.

Each message is parsed with Python's email package: decoded Danish subject, both parts, threading
headers, Auto-Submitted, and no injected header."""

import asyncio
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import lwdaemon  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

CLI = os.environ.get("LW_CLI")
DATA = os.path.join(lwdaemon.SOURCE_DIR, "tests", "data", "notify")
NEVER = 2**63 - 1


class Sink:
    """An aiosmtpd handler keeping every message's raw bytes and envelope. Recipients in
    `unknown` are refused with 550."""

    def __init__(self):
        self.messages = []
        self.logins = []
        self.unknown = set()
        self.delay = 0  # seconds each DATA takes: keeps deliveries in flight
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "raw": envelope.original_content,
                                  "tls": session.ssl is not None,
                                  "authenticated": session.authenticated})
        return "250 2.0.0 Ok: queued as LW%d" % len(self.messages)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    def __init__(self, port=None, tls_context=None, auth=None, hostname="127.0.0.1"):
        self.sink = Sink()
        self.port = port or free_port()
        kw = {}
        if tls_context:
            kw.update(tls_context=tls_context, require_starttls=True)
        if auth:
            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and \
                    (auth_data.login, auth_data.password) == auth
                if ok:
                    self.sink.logins.append(auth_data.login.decode())
                # handled=False: aiosmtpd then answers a failure with 535 (its default, True,
                # means "already answered" and leaves the client waiting)
                return AuthResult(success=ok, handled=False)
            kw.update(authenticator=authenticator, auth_require_tls=True)
        self.controller = Controller(self.sink, hostname=hostname, port=self.port,
                                     server_hostname="localhost", **kw)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        with self.sink.lock:
            return list(self.sink.messages)


class WebhookReceiver:
    """HTTP on 127.0.0.1. statuses: what to answer, one per request (the last one repeats)."""

    def __init__(self, key=b"", statuses=(200,), retry_after=None):
        self.requests = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                i = len(outer.requests)
                status = statuses[min(i, len(statuses) - 1)]
                outer.requests.append({"headers": dict(self.headers), "body": body,
                                       "status": status, "at": time.time()})
                self.send_response(status)
                if retry_after and status in (429, 503):
                    self.send_header("Retry-After", str(retry_after))
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.key = key

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def verify(self, req, max_age=300):
        """The receiver side as packaging/docs/webhook.md describes it."""
        sig = req["headers"].get("X-Labourwatch-Signature", "")
        parts = dict(p.split("=", 1) for p in sig.split(","))
        t = int(parts["t"])
        if abs(time.time() - t) > max_age:
            return False
        want = hmac.new(self.key, str(t).encode() + b"." + req["body"], hashlib.sha256).hexdigest()
        return hmac.compare_digest(want, parts["v1"])


def make_ca(dirpath):
    """A CA and a server certificate for localhost/127.0.0.1 signed by it, with the openssl CLI."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=dirpath, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=labourwatch test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost")
    with open(os.path.join(dirpath, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(os.path.join(dirpath, "server.pem"), os.path.join(dirpath, "server.key"))
    return os.path.join(dirpath, "ca.pem"), ctx


CONFIG = """\
state_dir: {state_dir}
plan: Beskæftigelsesplan 2024
municipality: Herlev Kommune
recipients:
  chef:
    display_name: Jobcenterchef Søren Ørsted
    email: chef@herlev.dk
  boss:
    display_name: Director
    salutation: Ann Hansen
    email: director@herlev.dk
    language: en
  ops:
    email: ops@herlev.dk
notifiers:
  mail:
    kind: smtp
    url: smtp://127.0.0.1:{smtp_port}
    from: labourwatch@herlev.dk
    retry_max: 2s
  secure:
    kind: smtp
    url: smtp://localhost:{tls_port}
    from: labourwatch@herlev.dk
    ca_file: {ca_file}
    username_file: {user_file}
    password_file: {password_file}
    retry_max: 2s
  hook:
    kind: webhook
    url: http://127.0.0.1:{hook_port}/hook
    secret_file: {secret_file}
    retry_max: 2s
    timeout: 5s
  teams:
    kind: webhook
    format: teams
    url: http://127.0.0.1:{hook_port}/teams
    retry_max: 2s
  archive:
    kind: directory
    directory: {archive}
routes:
  - notifiers: [archive]
    recipients: [ops]
    data_problems: true
"""


class NotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        lwdaemon.require_daemon(cls)
        cls.certdir = tempfile.mkdtemp(prefix="lw-notify-ca-")
        cls.ca_file, cls.tls_ctx = make_ca(cls.certdir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certdir, ignore_errors=True)

    def setUp(self):
        self.work = lwdaemon.Workdir()
        self.servers = []
        self.archive = os.path.join(self.work.path, "archive")
        os.mkdir(self.archive)
        secrets = {"user": "lwuser\n", "password": "s3cret pass\n", "secret": "webhook-key\n"}
        for k, v in secrets.items():
            with open(os.path.join(self.work.path, k), "w") as f:
                f.write(v)
        self.smtp_port, self.tls_port = free_port(), free_port()
        self.hook = None
        self.hook_port = free_port()
        self.write_config()
        self.notice = json.load(open(os.path.join(DATA, "notice-goals.json"), encoding="utf-8"))

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.work.cleanup()

    def write_config(self, extra=""):
        self.work.write_config(CONFIG + extra, smtp_port=self.smtp_port, tls_port=self.tls_port,
                               hook_port=self.hook_port, ca_file=self.ca_file,
                               user_file=os.path.join(self.work.path, "user"),
                               password_file=os.path.join(self.work.path, "password"),
                               secret_file=os.path.join(self.work.path, "secret"),
                               archive=self.archive)

    # -- helpers --

    def smtp(self, **kw):
        s = SMTPServer(port=kw.pop("port", self.smtp_port), **kw).start()
        self.servers.append(s)
        return s

    def webhook(self, statuses=(200,), retry_after=None):
        self.hook = WebhookReceiver(b"webhook-key", statuses, retry_after)
        # the port is fixed in the configuration: rebind the receiver there
        self.hook.httpd.server_close()
        hook = self.hook

        class Srv(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
        self.hook.httpd = Srv(("127.0.0.1", self.hook_port), hook.httpd.RequestHandlerClass)
        self.hook.port = self.hook_port
        self.hook.thread = threading.Thread(target=self.hook.httpd.serve_forever, daemon=True)
        self.hook.start()
        self.servers.append(self.hook)
        return self.hook

    def daemon_once(self, env=None, check=None):
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC")
        e.update(env or {})
        p = subprocess.run([lwdaemon.DAEMON, "--once", "--config", self.work.config], env=e,
                           capture_output=True, text=True, timeout=120 * lwdaemon.TIMEOUT_SCALE)
        if check is not None:
            self.assertEqual(p.returncode, check, p.stderr)
        return p

    def db(self):
        return sqlite3.connect(os.path.join(self.work.state_dir, "labourwatch.db"))

    def enqueue(self, channel, recipient, notice=None, key=None, age=0):
        """Puts one notice in the outbox, as the alerting code does (queued `age` seconds ago)."""
        if not os.path.exists(os.path.join(self.work.state_dir, "labourwatch.db")):
            self.daemon_once(check=0)  # creates the database
        n = dict(notice or self.notice)
        n["notifier"], n["recipient"] = channel, recipient
        n["key"] = key or hashlib.sha256(("%s/%s/%s" % (channel, recipient, time.time())).encode()).hexdigest()
        now = int((time.time() - age) * 1e6)
        with self.db() as db:
            db.execute("INSERT INTO outbox (channel, recipient, dedup_key, payload_json, created_at, "
                       "next_attempt) VALUES (?, ?, ?, ?, ?, ?)",
                       (channel, recipient, n["key"], json.dumps(n, ensure_ascii=False), now, now))
        return n["key"]

    def outbox(self):
        with self.db() as db:
            return db.execute("SELECT channel, recipient, dedup_key, attempts, next_attempt, last_error, "
                              "sent_at FROM outbox ORDER BY id").fetchall()

    def wait_due(self, timeout=10):
        """Sleeps until every unsent, not given up item is due."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.db() as db:
                row = db.execute("SELECT MAX(next_attempt) FROM outbox WHERE sent_at IS NULL AND "
                                 "next_attempt < ?", (NEVER,)).fetchone()
            if row[0] is None or row[0] <= time.time() * 1e6:
                return
            time.sleep(0.2)
        self.fail("outbox items not due within %ss" % timeout)

    def parse(self, raw):
        return email.message_from_bytes(raw, policy=email.policy.default)

    def assert_danish_mail(self, raw, to="chef@herlev.dk"):
        msg = self.parse(raw)
        self.assertEqual(msg["Subject"], "Beskæftigelsesplan 2024: 2 mål er ikke på rette spor")
        self.assertEqual(msg["To"].addresses[0].addr_spec, to)
        self.assertEqual(msg["To"].addresses[0].display_name, "Jobcenterchef Søren Ørsted")
        self.assertEqual(msg["From"].addresses[0].addr_spec, "labourwatch@herlev.dk")
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertEqual(msg["In-Reply-To"], "<goal-fleksjob-2024@labourwatch>")
        self.assertEqual(msg["References"].split(), ["<goal-fleksjob-2024@labourwatch>",
                                                     "<goal-ledighed-2024@labourwatch>"])
        self.assertRegex(msg["Message-ID"], r"^<[0-9a-f]{64}@herlev\.dk>$")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts], ["text/plain", "text/html"])
        text, html = (p.get_content().replace("\r\n", "\n") for p in parts)
        # the badge is text_status_label's word; the value is labelled by the goal's aggregate
        self.assertIn("Flere i fleksjob: Ikke på sporet\nMålet nås næppe: ca. 15 % chance. 80 % sikkert mellem 360 og 376 "
                      "fuldtidspersoner.\nFleksjob ligger under målkurven", text)
        # one column for every label of the block, the widest setting it (issue 23)
        self.assertIn("  Gennemsnit januar–juni 2024:  372,4 fuldtidspersoner\n"
                      "  Mål:                          mindst 390 fuldtidspersoner (2024)\n", text)
        self.assertIn("  Afvigelse:                    21,9 for få\n", text)
        self.assertIn("  Nødvendigt tempo:             stigning på 3,6 fuldtidspersoner om måneden\n", text)
        # chef has no salutation: a function is not greeted with "Kære"
        self.assertNotIn("Kære", text)
        self.assertTrue(text.startswith("Status for disse mål er ændret:\n"), text)
        self.assertIn("Ikke på sporet siden:  2. kvt. 2024", text)
        self.assertIn("<table", html)
        self.assertIn("#b3261e", html)
        self.assertNotIn("Bcc", [k for k in msg.keys()])
        return msg

    # -- SMTP --

    def test_smtp_plaintext_loopback(self):
        """smtp:// to 127.0.0.1 without a ca_file: plaintext to the local relay. The message arrives
        once, parses, and is byte for byte what the directory notifier stores (but the Date)."""
        server = self.smtp()
        key = self.enqueue("mail", "chef")
        self.enqueue("archive", "chef", key=key[::-1])
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 1)
        m = server.messages[0]
        self.assertEqual(m["from"], "labourwatch@herlev.dk")
        self.assertEqual(m["to"], ["chef@herlev.dk"])
        self.assertFalse(m["tls"])
        msg = self.assert_danish_mail(m["raw"])
        self.assertEqual(msg["Message-ID"], "<%s@herlev.dk>" % key)
        rows = self.outbox()
        self.assertTrue(all(r[6] for r in rows), rows)  # both sent

        # the archive holds the same message: the .eml as SMTP sends it, and the JSON
        eml = [f for f in os.listdir(self.archive) if f.endswith(".eml")]
        self.assertEqual(len(eml), 1)
        with open(os.path.join(self.archive, eml[0]), "rb") as f:
            stored = f.read()
        self.assertFalse([f for f in os.listdir(self.archive) if f.startswith(".")])  # no temp files

        def without_date_and_ids(b):
            return b"\r\n".join(line for line in b.split(b"\r\n")
                                if not line.startswith((b"Date:", b"Message-ID:", b"X-Labourwatch-Key:"))
                                and b"=_lw_" not in line)
        self.assertEqual(without_date_and_ids(stored), without_date_and_ids(m["raw"]))
        with open(os.path.join(self.archive, eml[0][:-4] + ".json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["events"][0]["goal"], "fleksjob-2024")

        # nothing is sent twice
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 1)

    def test_smtp_english_recipient(self):
        server = self.smtp()
        n = dict(self.notice)
        del n["language"]  # the recipient's language decides
        self.enqueue("mail", "boss", notice=n)
        self.daemon_once(check=0)
        msg = self.parse(server.messages[0]["raw"])
        self.assertEqual(msg["Subject"], "Beskæftigelsesplan 2024: 2 goals off track")
        text = list(msg.iter_parts())[0].get_content().replace("\r\n", "\n")
        self.assertIn("  Average January–June 2024:  372.4 full-time persons\n", text)
        self.assertIn("  Recent pace:                a fall of 1.2 full-time persons a month\n", text)
        # boss names a person (salutation:): greeted by name, "Dear <name>," (issue 23)
        self.assertTrue(text.startswith("Dear Ann Hansen, the status of these goals has changed:\n"), text)

    def test_smtp_starttls_auth(self):
        """smtp:// with a ca_file: STARTTLS is required and verified against it, then AUTH."""
        server = self.smtp(port=self.tls_port, tls_context=self.tls_ctx, auth=(b"lwuser", b"s3cret pass"))
        self.enqueue("secure", "chef")
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 1, self.outbox())
        self.assertTrue(server.messages[0]["tls"])
        self.assertTrue(server.messages[0]["authenticated"])
        self.assertEqual(server.sink.logins, ["lwuser"])
        self.assert_danish_mail(server.messages[0]["raw"])

    def test_smtp_tls_required(self):
        """A server that offers no STARTTLS gets nothing when TLS is required (ca_file given): the
        item stays queued with the reason."""
        server = self.smtp(port=self.tls_port)  # plaintext only
        self.enqueue("secure", "chef")
        for r in ("chef", "boss"):
            self.enqueue("secure", r)
        p = self.daemon_once(check=1)
        self.assertEqual(server.messages, [])
        rows = self.outbox()
        self.assertTrue(all(r[6] is None for r in rows), rows)
        self.assertLess(max(r[4] for r in rows), NEVER)  # tried again later, not given up
        # issue 18 §5: one line for the root cause, naming the settings, not one per message
        lines = [line for line in p.stderr.splitlines() if "Notifier 'secure'" in line]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("offers no STARTTLS", lines[0])
        self.assertIn("allow_plaintext", lines[0])
        self.assertNotIn("retrying in", p.stderr)

    def test_smtp_wrong_password_said_once(self):
        """Issue 18 §5: a 535 is a problem of the configuration: one error line naming the settings
        to fix (not a warning per message and attempt), the notifier's messages held back for
        retry_max; once the password file is right they go out."""
        server = self.smtp(port=self.tls_port, tls_context=self.tls_ctx, auth=(b"lwuser", b"other pass"))
        for r in ("chef", "boss", "ops"):
            self.enqueue("secure", r)
        p = self.daemon_once(check=1)
        self.assertEqual(server.messages, [])
        lines = [line for line in p.stderr.splitlines() if "secure" in line and "<7>" not in line]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("<3>Notifier 'secure': the server refused the login"), lines[0])
        self.assertIn("password_file", lines[0])
        self.assertIn("535", lines[0])
        rows = self.outbox()
        self.assertTrue(all(r[6] is None and r[4] < NEVER for r in rows), rows)
        # held back for retry_max (2 s), not on the usual backoff
        self.assertTrue(all(r[4] >= time.time() * 1e6 + 0.5e6 for r in rows), rows)
        with open(os.path.join(self.work.path, "password"), "w") as f:
            f.write("other pass\n")
        self.wait_due()
        self.daemon_once(check=0)
        self.assertEqual(sorted(m["to"][0] for m in server.messages),
                         ["chef@herlev.dk", "director@herlev.dk", "ops@herlev.dk"])

    def test_smtp_held_notifier_released_by_reload(self):
        """Issue 18 §5: the running daemon holds a notifier whose login is refused for its
        retry_max (here 1 h), and tries again at once on SIGHUP once the password is fixed."""
        with open(self.work.config, encoding="utf-8") as f:
            cfg = f.read()
        self.assertIn("    retry_max: 2s\n  hook:", cfg)
        with open(self.work.config, "w", encoding="utf-8") as f:
            f.write(cfg.replace("    retry_max: 2s\n  hook:", "    retry_max: 1h\n  hook:"))
        server = self.smtp(port=self.tls_port, tls_context=self.tls_ctx, auth=(b"lwuser", b"other pass"))
        self.enqueue("secure", "chef")
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC")
        e.pop("NOTIFY_SOCKET", None)
        p = subprocess.Popen([lwdaemon.DAEMON, "--config", self.work.config], env=e,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30 * lwdaemon.TIMEOUT_SCALE
            while time.time() < deadline and self.outbox()[0][3] == 0:
                time.sleep(0.1)
            row = self.outbox()[0]
            self.assertEqual(row[3], 1)
            self.assertGreater(row[4], time.time() * 1e6 + 1800e6)  # held for retry_max, 1 h
            with open(os.path.join(self.work.path, "password"), "w") as f:
                f.write("other pass\n")
            p.send_signal(signal.SIGHUP)
            while time.time() < deadline and not server.messages:
                time.sleep(0.1)
            self.assertEqual(len(server.messages), 1)
            while time.time() < deadline and self.outbox()[0][6] is None:
                time.sleep(0.1)
            self.assertIsNotNone(self.outbox()[0][6])
        finally:
            p.terminate()
            err = p.communicate(timeout=30)[1]
        self.assertEqual(p.returncode, 0, err)
        said = [line for line in err.splitlines() if line.startswith("<3>Notifier 'secure'")]
        self.assertEqual(len(said), 1, err)

    def test_smtp_down_then_up(self):
        """No server: the item stays, retried within retry_max; once the server is up it arrives
        exactly once."""
        self.enqueue("mail", "chef")
        p = self.daemon_once(check=1)
        self.assertIn("retrying in", p.stderr)
        rows = self.outbox()
        self.assertEqual(rows[0][3], 1)
        self.assertIsNone(rows[0][6])
        self.assertLessEqual(rows[0][4] - time.time() * 1e6, 2.5e6)  # retry_max: 2s
        server = self.smtp()
        self.wait_due()
        self.daemon_once(check=0)
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 1)
        self.assertIsNotNone(self.outbox()[0][6])

    def test_smtp_550_permanent(self):
        """A 550 to RCPT is the server refusing this message for good: given up at once, with the
        server's words in the outbox and in notify-test's output."""
        server = self.smtp()
        server.sink.unknown.add("chef@herlev.dk")
        self.enqueue("mail", "chef")
        p = self.daemon_once(check=1)
        self.assertIn("refused permanently", p.stderr)
        self.assertIn("550 5.1.1 <chef@herlev.dk>: Recipient address rejected: User unknown", p.stderr)
        rows = self.outbox()
        self.assertEqual(rows[0][4], NEVER)
        self.assertIn("User unknown", rows[0][5])
        self.assertEqual(server.messages, [])
        p = subprocess.run([CLI, "notify-test", "--config", self.work.config, "mail", "--to", "chef"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("  550 5.1.1 <chef@herlev.dk>: Recipient address rejected: User unknown\n", p.stdout)
        self.assertIn("NOT delivered (refused permanently)", p.stdout)

    def test_give_up_after(self):
        """A message still undelivered give_up_after (default 3 days) after it was queued is given
        up without another attempt: NOTIFICATION_EXPIRED, and ops hear of it once (the notice about
        it is not itself reported when it fails)."""
        self.enqueue("mail", "chef", age=3 * 86400 + 60)  # no SMTP server at all
        p = self.daemon_once(env={"LABOURWATCH_LOG_TARGET": "stderr"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("Gave up the notification to chef through mail: not delivered within give_up_after (72h)",
                      p.stderr)
        rows = self.outbox()
        self.assertEqual(rows[0][4], NEVER)
        self.assertEqual(rows[0][3], 1)  # the give-up is its one recorded failure: no delivery was tried
        self.assertEqual([(r[0], r[1], r[6] is not None) for r in rows[1:]], [("archive", "ops", True)])
        doc = json.load(open(os.path.join(self.archive, [f for f in os.listdir(self.archive)
                                                          if f.endswith(".json")][0]), encoding="utf-8"))
        self.assertEqual(doc["problems"][0]["kind"], "notification_expired")
        self.daemon_once(check=0)
        self.assertEqual(len(self.outbox()), 2)

    def test_running_daemon_retries_on_its_timer(self):
        """The running daemon (not --once) retries on its own timer: the server comes up after the
        first attempt failed, and the message arrives within retry_max (2 s) without any nudge."""
        self.enqueue("mail", "chef")
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC")
        e.pop("NOTIFY_SOCKET", None)
        p = subprocess.Popen([lwdaemon.DAEMON, "--config", self.work.config], env=e,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30 * lwdaemon.TIMEOUT_SCALE
            while time.time() < deadline and self.outbox()[0][3] == 0:
                time.sleep(0.1)
            self.assertEqual(self.outbox()[0][3], 1)  # the first attempt failed
            server = self.smtp()
            while time.time() < deadline and not server.messages:
                time.sleep(0.1)
            self.assertEqual(len(server.messages), 1)
            while time.time() < deadline and self.outbox()[0][6] is None:
                time.sleep(0.1)
            self.assertIsNotNone(self.outbox()[0][6])
        finally:
            p.terminate()
            err = p.communicate(timeout=30)[1]
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(len(server.messages), 1)

    def test_reread_during_batch_sends_each_once(self):
        """Issue 18 §2: twenty messages due, eight in flight, and the outbox re-read (SIGHUP) while
        they are: a batch read then holds the eight, and none is sent twice when they finish."""
        for k in range(20):
            self.enqueue("mail", "chef", key="dup-%02d" % k)
        server = self.smtp()
        server.sink.delay = 0.3
        e = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr", TZ="UTC")
        e.pop("NOTIFY_SOCKET", None)
        p = subprocess.Popen([lwdaemon.DAEMON, "--config", self.work.config], env=e,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30 * lwdaemon.TIMEOUT_SCALE
            hups = 0
            # the first message in: the daemon handles signals, and a batch is in flight
            while time.time() < deadline and not server.messages and p.poll() is None:
                time.sleep(0.02)
            while time.time() < deadline and p.poll() is None and any(r[6] is None for r in self.outbox()):
                if hups < 3:
                    p.send_signal(signal.SIGHUP)  # re-reads the outbox with transfers in flight
                    hups += 1
                time.sleep(0.25)
            self.assertTrue(all(r[6] is not None for r in self.outbox()), self.outbox())
            time.sleep(1.5)  # what a stale batch would send again arrives now
        finally:
            p.terminate()
            err = p.communicate(timeout=30)[1]
        self.assertEqual(p.returncode, 0, err)
        self.assertGreater(hups, 0)
        self.assertEqual(len(server.messages), 20, err)

    def test_crash_after_deliver(self):
        """SIGKILL between the server's acceptance and the commit: after the restart the message is
        sent once more, as the same message (the documented window)."""
        server = self.smtp()
        key = self.enqueue("mail", "chef")
        p = self.daemon_once(env={"LW_TEST_CRASH_AT": "after-deliver"})
        self.assertIn(p.returncode, (-9, 137))
        self.assertEqual(len(server.messages), 1)
        self.assertIsNone(self.outbox()[0][6])
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 2)
        ids = [self.parse(m["raw"])["Message-ID"] for m in server.messages]
        self.assertEqual(ids, ["<%s@herlev.dk>" % key] * 2)
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 2)

    def test_crash_after_mark_sent(self):
        """SIGKILL right after the commit: nothing is sent again."""
        server = self.smtp()
        self.enqueue("mail", "chef")
        p = self.daemon_once(env={"LW_TEST_CRASH_AT": "after-mark-sent"})
        self.assertIn(p.returncode, (-9, 137))
        self.assertEqual(len(server.messages), 1)
        self.assertIsNotNone(self.outbox()[0][6])
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 1)

    def test_header_injection(self):
        """Titles, names and plan with CR/LF reach the server as text, never as headers."""
        server = self.smtp()
        n = json.loads(json.dumps(self.notice))
        n["plan"] = "Plan\r\nBcc: a@evil.example"
        n["events"][0]["title_da"] = "Ond\r\nBcc: b@evil.example\r\n\r\nbody"
        n["events"][0]["thread_id"] = "<x\r\nBcc: c@evil.example>"
        self.enqueue("mail", "chef", notice=n)
        self.daemon_once(check=0)
        self.assertEqual(len(server.messages), 1)
        self.assertEqual(server.messages[0]["to"], ["chef@herlev.dk"])
        msg = self.parse(server.messages[0]["raw"])
        self.assertIsNone(msg["Bcc"])
        self.assertTrue(msg["Subject"].startswith("Plan Bcc: a@evil.example"))
        headers = server.messages[0]["raw"].split(b"\r\n\r\n", 1)[0]
        self.assertNotIn(b"\nBcc", headers)

    # -- webhook --

    def test_webhook_signed_generic(self):
        hook = self.webhook()
        key = self.enqueue("hook", None)
        self.daemon_once(check=0)
        self.assertEqual(len(hook.requests), 1)
        req = hook.requests[0]
        self.assertTrue(hook.verify(req))
        forged = dict(req, body=req["body"].replace(b"off_track", b"on_track"))
        self.assertFalse(hook.verify(forged))
        self.assertEqual(req["headers"]["Content-Type"], "application/json")
        self.assertEqual(req["headers"]["X-Labourwatch-Key"], key)
        doc = json.loads(req["body"])
        self.assertEqual(doc["version"], 1)
        self.assertEqual(doc["key"], key)
        self.assertRegex(doc["sent_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        e = doc["events"][0]
        self.assertEqual((e["goal"], e["status"], e["previous_status"]), ("fleksjob-2024", "off_track", "on_track"))
        self.assertEqual(e["value"], 372.4)
        self.assertIn("Fleksjob", e["explanation"])
        self.assertIn("Flexi-jobs", e["explanation_en"])

    def test_webhook_teams_shape(self):
        """format: teams posts a Workflows message: type message, one Adaptive Card attachment."""
        hook = self.webhook()
        self.enqueue("teams", None)
        self.daemon_once(check=0)
        self.assertEqual(len(hook.requests), 1)
        doc = json.loads(hook.requests[0]["body"])
        self.assertEqual(doc["type"], "message")
        self.assertEqual(len(doc["attachments"]), 1)
        att = doc["attachments"][0]
        self.assertEqual(att["contentType"], "application/vnd.microsoft.card.adaptive")
        card = att["content"]
        self.assertEqual(card["type"], "AdaptiveCard")
        self.assertEqual(card["version"], "1.4")
        self.assertTrue(all(b["type"] in ("TextBlock", "FactSet") for b in card["body"]))
        self.assertEqual(card["body"][0]["text"], "Beskæftigelsesplan 2024: 2 mål er ikke på rette spor")
        facts = [b for b in card["body"] if b["type"] == "FactSet"][0]["facts"]
        self.assertIn({"title": "Gennemsnit januar–juni 2024", "value": "372,4 fuldtidspersoner"}, facts)
        self.assertIn({"title": "Nødvendigt tempo", "value": "stigning på 3,6 fuldtidspersoner om måneden"}, facts)
        self.assertNotIn("X-Labourwatch-Signature", hook.requests[0]["headers"])  # no secret

    def test_webhook_500_then_200(self):
        hook = self.webhook(statuses=(500, 200))
        self.enqueue("hook", None)
        p = self.daemon_once(check=1)
        self.assertIn("HTTP 500", p.stderr)
        self.wait_due()
        self.daemon_once(check=0)
        self.daemon_once(check=0)
        self.assertEqual([r["status"] for r in hook.requests], [500, 200])
        self.assertEqual(hook.requests[0]["body"], hook.requests[1]["body"].replace(
            json.loads(hook.requests[1]["body"])["sent_at"].encode(),
            json.loads(hook.requests[0]["body"])["sent_at"].encode()))

    def test_webhook_retry_after(self):
        """429 with Retry-After: 1 is honoured (not sooner), then delivered."""
        hook = self.webhook(statuses=(429, 200), retry_after=1)
        self.enqueue("hook", None)
        self.daemon_once(check=1)
        rows = self.outbox()
        self.assertGreaterEqual(rows[0][4], hook.requests[0]["at"] * 1e6 + 0.9e6)
        self.wait_due()
        self.daemon_once(check=0)
        self.assertEqual([r["status"] for r in hook.requests], [429, 200])

    def test_webhook_4xx_not_retried(self):
        """A 400 is permanent: given up at once (NOTIFICATION_EXPIRED), ops told through the route
        with data_problems: true, never posted again."""
        hook = self.webhook(statuses=(400,))
        self.enqueue("hook", None)
        p = self.daemon_once(check=1)
        self.assertIn("refused permanently", p.stderr)
        self.assertIn("Gave up", p.stderr)
        rows = self.outbox()
        self.assertEqual(rows[0][4], NEVER)
        self.assertIn("HTTP 400", rows[0][5])
        # the ops notice was queued for the archive route, and delivered by the next run
        self.assertEqual([(r[0], r[1]) for r in rows[1:]], [("archive", "ops")])
        self.daemon_once(check=0)
        self.assertEqual(len(hook.requests), 1)
        js = [f for f in os.listdir(self.archive) if f.endswith(".json")]
        self.assertEqual(len(js), 1)
        doc = json.load(open(os.path.join(self.archive, js[0]), encoding="utf-8"))
        self.assertEqual(doc["type"], "data_problems")
        self.assertEqual(doc["problems"][0]["kind"], "notification_expired")
        self.assertIn("HTTP 400", doc["problems"][0]["message"])

    def endless_receiver(self, stall):
        """A receiver that answers 200 with its headers and then a chunked body without end (stall:
        one chunk, then silence). Returns the list its requests are appended to."""
        requests = []

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                requests.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                deadline = time.monotonic() + 30
                try:
                    self.wfile.write(b"2\r\nok\r\n")
                    self.wfile.flush()
                    while time.monotonic() < deadline:
                        if stall:
                            time.sleep(0.1)
                            continue
                        self.wfile.write(b"400\r\n" + b"x" * 1024 + b"\r\n")
                except OSError:
                    pass  # the client went away

        class Srv(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True
        httpd = Srv(("127.0.0.1", self.hook_port), H)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()

        class Stop:
            def stop(self):
                httpd.shutdown()
                httpd.server_close()
        self.servers.append(Stop())
        return requests

    def test_webhook_200_endless_body(self):
        """Issue 18 §5: a receiver that answers 200 and then sends a body without end, or stalls in
        it, has the notice: delivered once, well within the notifier's timeout (5 s), not resent."""
        for stall in (False, True):
            with self.subTest(stall=stall):
                requests = self.endless_receiver(stall)
                self.enqueue("hook", None)
                t = time.monotonic()
                p = self.daemon_once(check=0)
                took = time.monotonic() - t
                self.assertEqual(len(requests), 1, p.stderr)
                self.assertIsNotNone(self.outbox()[-1][6], p.stderr)
                self.assertLess(took, 4.5 * lwdaemon.TIMEOUT_SCALE, p.stderr)
                self.assertIn("delivered through hook: HTTP 200 OK: ok", p.stderr)
                self.daemon_once(check=0)
                self.assertEqual(len(requests), 1)
                self.servers.pop().stop()

    # -- end to end: the daemon evaluates, enqueues and delivers --

    def goals_setup(self):
        lwdaemon.write_goals_config(self.work)
        # goals recipients + a route to the mail notifier, on top of the delivery configuration
        with open(os.path.join(self.work.path, "goals.d", "10-test.yaml"), encoding="utf-8") as f:
            goals = f.read().replace("    target: 50\n", "    target: 50\n    recipients: [chef]\n")
        with open(os.path.join(self.work.path, "goals.d", "10-test.yaml"), "w", encoding="utf-8") as f:
            f.write(goals)
        with open(self.work.config, encoding="utf-8") as f:
            sources = f.read().replace("state_dir: %s\n" % self.work.state_dir, "")
        self.write_config(sources.replace("{", "{{").replace("}", "}}"))
        with open(self.work.config, encoding="utf-8") as f:
            cfg = f.read().replace("routes:\n", "routes:\n  - notifiers: [mail]\n    goals: [match-*]\n")
        with open(self.work.config, "w", encoding="utf-8") as f:
            f.write(cfg)

    def test_daemon_end_to_end(self):
        """labourwatchd --once: the share goal is off track, the alert is enqueued and the Danish
        mail arrives; a second run (same figures) sends nothing."""
        server = self.smtp()
        self.goals_setup()
        env = {"LW_TEST_TODAY": "2024-07-15"}
        p = self.daemon_once(env=env, check=0)
        self.assertEqual(len(server.messages), 1, p.stderr)
        msg = self.parse(server.messages[0]["raw"])
        self.assertEqual(msg["Subject"], "Beskæftigelsesplan 2024: 1 mål er ikke på rette spor")
        self.assertEqual(msg["In-Reply-To"], "<goal-match-2024@labourwatch>")
        text = list(msg.iter_parts())[0].get_content().replace("\r\n", "\n")
        # the chance in words under the status (issue 17 §3)
        self.assertRegex(text, r"Mindst 50 % besat: Ikke på sporet\nMålet nås næppe: (under 5|ca\. \d+) % chance\. "
                               r"80 % sikkert mellem \d+(,\d)? og \d+(,\d)? %\.\nMålet »Mindst 50 % besat« er ikke på rette spor")
        self.assertIn("Afvigelse:               20 procentpoint for lavt", text)  # which way is good, in words
        self.daemon_once(env=env, check=0)
        self.assertEqual(len(server.messages), 1)

    def test_render_command(self):
        """labourwatch render: the message a goal would produce now, in every format, without sending
        or storing anything; the HTML opens in a real browser at 600 px."""
        self.goals_setup()
        self.daemon_once(env={"LW_TEST_TODAY": "2024-07-15", "LW_TEST_CRASH_AT": "after-evaluate"})
        args = [CLI, "render", "--config", self.work.config, "match-2024", "--date", "2024-07-15"]
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("Subject: Beskæftigelsesplan 2024: 1 mål er ikke på rette spor\n"))
        self.assertIn("  Andel januar–juni 2024:  30 %\n", p.stdout)
        self.assertIn("  Nødvendigt tempo:        mindst 70 % resten af 2024\n", p.stdout)
        self.assertNotIn("Seneste værdi", p.stdout)
        p = subprocess.run(args + ["--format", "eml"], capture_output=True, timeout=60)
        msg = self.parse(p.stdout)
        self.assertEqual(msg["To"].addresses[0].addr_spec, "chef@herlev.dk")
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        p = subprocess.run(args + ["--format", "json"], capture_output=True, text=True, timeout=60)
        self.assertEqual(json.loads(p.stdout)["events"][0]["goal"], "match-2024")
        p = subprocess.run(args + ["--format", "teams"], capture_output=True, text=True, timeout=60)
        self.assertEqual(json.loads(p.stdout)["type"], "message")
        p = subprocess.run(args + ["--recipient", "boss"], capture_output=True, text=True, timeout=60)
        self.assertIn("Subject: Beskæftigelsesplan 2024: 1 goal off track", p.stdout)
        p = subprocess.run(args + ["--format", "docx"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        with self.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0], 0)

        html = os.path.join(self.work.path, "mail.html")
        with open(html, "wb") as f:
            f.write(subprocess.run(args + ["--format", "html"], capture_output=True, check=True).stdout)
        chromium = shutil.which("chromium")
        if not chromium:
            self.skipTest("chromium is not installed")
        png = os.path.join(self.work.path, "mail.png")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--screenshot=" + png,
                        "--window-size=600,1200", "file://" + html], capture_output=True, timeout=120)
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(int.from_bytes(head[16:20], "big"), 600)

    # -- commands --

    def test_check_reports_template_errors(self):
        """labourwatch check reads templates/ beside the configuration: an unknown placeholder is
        FILE:LINE:COL, and the daemon renders with the edited files."""
        tdir = os.path.join(self.work.path, "templates")
        os.mkdir(tdir)
        with open(os.path.join(tdir, "subject.da.txt"), "w", encoding="utf-8") as f:
            f.write("[{{municipality}}] {{sumary}}\n")
        p = subprocess.run([CLI, "check", "--config", self.work.config], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("%s:1:20: unknown placeholder '{{sumary}}'" % os.path.join(tdir, "subject.da.txt"),
                      p.stderr)
        with open(os.path.join(tdir, "subject.da.txt"), "w", encoding="utf-8") as f:
            f.write("[{{municipality}}] {{summary}}\n")
        p = subprocess.run([CLI, "check", "--config", self.work.config], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        server = self.smtp()
        self.enqueue("mail", "chef")
        self.daemon_once(check=0)
        self.assertEqual(self.parse(server.messages[0]["raw"])["Subject"],
                         "[Herlev Kommune] 2 mål er ikke på rette spor")

    def test_notify_test_command(self):
        server = self.smtp()
        p = subprocess.run([CLI, "notify-test", "--config", self.work.config, "mail", "--to", "chef"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Server said:", p.stdout)
        self.assertIn("250 2.0.0 Ok: queued as LW1", p.stdout)
        self.assertEqual(len(server.messages), 1)
        msg = self.parse(server.messages[0]["raw"])
        self.assertEqual(msg["Subject"], "Beskæftigelsesplan 2024: testbesked")
        # a server that is not there: exit 1 and curl's words for it
        server.stop()
        self.servers.remove(server)
        p = subprocess.run([CLI, "notify-test", "--config", self.work.config, "mail", "--to", "chef"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("NOT delivered", p.stdout)

    def test_notify_test_webhook_refused(self):
        self.webhook(statuses=(403,))
        p = subprocess.run([CLI, "notify-test", "--config", self.work.config, "hook"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("NOT delivered (refused permanently): HTTP 403 Forbidden: nope", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
