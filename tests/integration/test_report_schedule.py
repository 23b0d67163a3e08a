#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A route's report on a calendar (`report: {calendar: ...}`): the daemon sends the committee report
as an attachment at the calendar's slot through a directory notifier (the .eml is exactly what SMTP
would send), once: a restart after the slot sends nothing again. The message is parsed with Python's
email package; the PDF is checked with pdftotext (poppler-utils).

The slot is the next whole minute in Copenhagen (at least 15 s away), so the test waits up to ~75 s.

Environment: LW_DAEMON, LW_CLI (the programs, maybe valgrind wrappers)."""

import datetime
import email
import email.policy
import glob
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwdaemon  # noqa: E402
from lwdaemon import Daemon, Workdir  # noqa: E402

CLI = os.environ.get("LW_CLI", "labourwatch")
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")

CONFIG = """\
state_dir: {state_dir}
plan: Beskæftigelsesplan 2026
municipality: Herlev Kommune
sources:
  internal:
    kind: csv
    base_url: file://{data_dir}/
    schedule: 1d
series:
  niveau:
    source: internal
    path: niveau.csv
    column: niveau
    frequency: month
recipients:
  chef:
    email: chef@example.org
    display_name: Jobcenterchef
  ops:
    email: ops@example.org
    language: en
notifiers:
  archive:
    kind: directory
    directory: {out_dir}
routes:
  - notifiers: [archive]
    recipients: [chef]
    report:
      calendar: "{calendar}"
  - notifiers: [archive]
    recipients: [ops]
    report:
      calendar: "{calendar}"
      format: html
goals:
  niveau-2026:
    title: {{da: Niveauet i Herlev, en: The level}}
    kind: level
    series: niveau
    aggregate: latest
    projection: none
    period: 2026
    direction: at_least
    target: 100
    tolerance: 5
    recipients: [chef]
"""


def next_slot():
    """The next whole minute in Copenhagen at least 15 s from now (45 s under valgrind, for the
    daemon's start-up): (calendar "HH:MM", UTC instant)."""
    now = datetime.datetime.now(tz=CPH)
    margin = datetime.timedelta(seconds=15 * lwdaemon.TIMEOUT_SCALE)
    slot = (now + margin).replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return slot.strftime("%H:%M"), slot.astimezone(datetime.timezone.utc)


class TestReportSchedule(unittest.TestCase):
    def setUp(self):
        lwdaemon.require_daemon(self)
        self.work = Workdir()
        self.data_dir = os.path.join(self.work.path, "data")
        self.out_dir = os.path.join(self.work.path, "out")
        os.makedirs(self.data_dir)
        os.makedirs(self.out_dir)
        with open(os.path.join(self.data_dir, "niveau.csv"), "w", encoding="utf-8") as f:
            f.write("periode;niveau\n")
            for m in range(1, 11):
                f.write(f"2026M{m:02d};{100 + m}\n")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        self.work.cleanup()

    def start(self):
        d = Daemon(self.work)
        self.daemons.append(d)
        d.wait_notify("READY", "1", timeout=30)
        return d

    def report_mails(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.out_dir, "*.eml"))):
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if msg.get_content_type() == "multipart/mixed":
                out.append(msg)
        return out

    def report_rows(self):
        with sqlite3.connect(os.path.join(self.work.state_dir, "labourwatch.db")) as c:
            rows = c.execute("SELECT recipient, payload_json, sent_at FROM outbox ORDER BY id").fetchall()
        return [(r, json.loads(p), s) for r, p, s in rows if json.loads(p)["type"] == "report"]

    def wait_reports(self, n, until):
        while time.time() < until:
            if len(self.report_mails()) >= n:
                return
            time.sleep(0.5)

    def mail_to(self, mails, addr):
        m = [m for m in mails if m["To"].addresses[0].addr_spec == addr]
        self.assertEqual(len(m), 1, [str(x["To"]) for x in mails])
        return m[0]

    def test_report_on_calendar_once(self):
        """Two routes due at the same slot: a PDF to chef (Danish), the HTML report to ops (English);
        then a restart sends nothing again."""
        calendar, slot = next_slot()
        self.work.write_config(CONFIG, data_dir=self.data_dir, out_dir=self.out_dir, calendar=calendar)
        d = self.start()
        # nothing before the slot: adding a route does not send a report at once
        time.sleep(2)
        self.assertEqual(self.report_mails(), [])
        self.wait_reports(2, slot.timestamp() + 30 * lwdaemon.TIMEOUT_SCALE)
        mails = self.report_mails()
        self.assertEqual(len(mails), 2, d.stderr())
        self.assertGreaterEqual(time.time(), slot.timestamp() - 1)  # not early
        rows = self.report_rows()
        self.assertEqual(sorted(r[0] for r in rows), ["chef", "ops"])
        for r in rows:
            self.assertEqual(r[1]["eval_date"], slot.astimezone(CPH).strftime("%Y-%m-%d"))
            self.assertEqual(r[1]["due"], int(slot.timestamp()) * 1000000)
        self.assertEqual({r[0]: r[1]["format"] for r in rows}, {"chef": "pdf", "ops": "html"})

        msg = self.mail_to(mails, "chef@example.org")
        # the body: the cover's summary sentence and table, text and HTML
        body = msg.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("Rapporten om målene er vedhæftet", body)
        self.assertIn("1 mål:", body)
        self.assertIn("Niveauet i Herlev", body)
        html = msg.get_body(preferencelist=("html",)).get_content()
        self.assertIn("<table", html)
        self.assertIn("Niveauet i Herlev", html)
        # the attachment: a PDF with the plan's name in it; an RFC 2231 (non-ASCII) file name
        atts = list(msg.iter_attachments())
        self.assertEqual(len(atts), 1)
        att = atts[0]
        self.assertEqual(att.get_content_type(), "application/pdf")
        self.assertEqual(att.get_content_disposition(), "attachment")
        raw = []
        for path in glob.glob(os.path.join(self.out_dir, "*.eml")):
            with open(path, "rb") as f:
                raw.append(f.read())
        raw = [r for r in raw if b"multipart/mixed" in r and b"Content-Type: application/pdf" in r]
        self.assertEqual(len(raw), 1)
        self.assertIn(b"Content-Disposition: attachment;\r\n filename*=utf-8''Besk%C3%A6ftigelsesplan%202026%20", raw[0])
        self.assertTrue(att.get_filename().startswith("Beskæftigelsesplan 2026 "), att.get_filename())
        self.assertTrue(att.get_filename().endswith(".pdf"))
        pdf = att.get_content()
        self.assertTrue(pdf.startswith(b"%PDF"))
        path = os.path.join(self.work.path, "r.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
        self.assertIn("Beskæftigelsesplan 2026", text)
        self.assertIn("Niveauet i Herlev", text)

        msg = self.mail_to(mails, "ops@example.org")
        # ops is a function, not a person (no salutation:): no "Dear ops" (issue 23)
        body = msg.get_body(preferencelist=("plain",)).get_content()
        self.assertTrue(body.startswith("The report on the goals is attached:\n"), body)
        self.assertNotIn("Dear", body)
        att = list(msg.iter_attachments())[0]
        self.assertEqual(att.get_content_type(), "text/html")
        self.assertTrue(att.get_filename().endswith(".html"))
        page = att.get_content()
        self.assertIn("<!DOCTYPE html>", page)
        self.assertIn("Beskæftigelsesplan 2026", page)
        self.assertNotIn("src=\"http", page)

        # a restart after the slot neither repeats nor skips: nothing new now
        d.stop()
        self.start()
        time.sleep(3)
        self.assertEqual(len(self.report_mails()), 2)
        self.assertEqual(len(self.report_rows()), 2)
        self.assertTrue(all(r[2] is not None for r in self.report_rows()))  # sent


if __name__ == "__main__":
    unittest.main()
