# SPDX-License-Identifier: GPL-2.0-or-later
"""The HTML mail as Outlook's Word engine would take it (issue 20 §3), checked on the rendered mail
(Danish and English, two goals): the layout is tables with inline styles only (no <style>, no class,
no div), every CSS property used is one the Word engine honours on that element or is in a short list
of properties it drops where dropping them loses no information (each with the reason), every image has
width, height and alt, and the status is text as well as colour.

The allow-list follows Microsoft's "Word 2007 HTML and CSS Rendering Capabilities in Outlook 2007"
(the engine of Outlook for Windows 2007-2021 and 365 desktop): colour, font and text properties
everywhere, borders, width/height on tables, cells and images, margin on block text, padding on table
cells. It is a check on what we use, not a rendering: a property added to a template fails here until
someone decides which list it belongs to. Not covered: the data-problem list ({{problems}}, a <ul>
built in notify.c), which these goal mails do not contain."""

import html.parser
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_report  # noqa: E402

TEXT = {"color", "font-family", "font-size", "font-weight", "font-style", "line-height", "text-align",
        "text-decoration", "background-color", "border", "border-top", "border-right", "border-bottom",
        "border-left"}
HONOURED = {
    "body": TEXT | {"margin", "padding"},
    "table": TEXT | {"width", "border-collapse"},
    "td": TEXT | {"width", "height", "padding", "vertical-align"},
    "p": TEXT | {"margin"}, "h1": TEXT | {"margin"}, "h2": TEXT | {"margin"},
    "span": TEXT, "b": TEXT,
    "img": {"border"},
}
# dropped by the Word engine; allowed because nothing is lost but looks
DROPPED_OK = {
    ("table", "max-width"): "the container is as wide as the window instead of 600 px; text still wraps",
    ("td", "white-space"): "a long label may wrap",
    ("span", "display"): "the status badge becomes shaded text without its box",
    ("span", "padding"): "the badge's box; its text and shading remain",
    ("span", "border-radius"): "square corners",
    ("img", "display"): "the chart is inline in its own paragraph either way",
    ("img", "width"): "the width attribute (600) sizes it",
    ("img", "max-width"): "the width attribute (600) sizes it",
    ("img", "height"): "the height attribute (300) sizes it",
}


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.styles, self.images, self.classes = [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "class" in a:
            self.classes.append(tag)
        for decl in (a.get("style") or "").split(";"):
            if decl.strip():
                prop, _, value = decl.partition(":")
                self.styles.append((tag, prop.strip().lower(), value.strip()))
        if tag == "img":
            self.images.append(a)


class MailOutlook(unittest.TestCase):
    setUpClass = test_report.Report.__dict__["setUpClass"]
    tearDownClass = test_report.Report.__dict__["tearDownClass"]
    stop_server = test_report.Report.__dict__["stop_server"]
    run_cli = test_report.Report.__dict__["run_cli"]
    read = test_report.Report.read
    mail = test_report.Report.mail

    def mails(self):
        for goal in ("uddannelseshjaelp-2024", "fleksjob-2024"):
            yield goal, self.mail(goal)[1]

    def test_css_properties_are_honoured_or_harmless(self):
        used = set()
        for goal, html in self.mails():
            c = Collect()
            c.feed(html)
            for tag, prop, value in c.styles:
                used.add((tag, prop))
                with self.subTest(goal=goal, tag=tag, prop=prop):
                    self.assertTrue(prop in HONOURED.get(tag, set()) or (tag, prop) in DROPPED_OK,
                                    "%s on <%s> is neither honoured by Outlook's Word engine nor listed as "
                                    "harmless to drop" % (prop, tag))
                    if prop == "background-color":
                        self.assertRegex(value, r"^#[0-9a-fA-F]{6}$")
        # the lists are not stale: every harmless-to-drop entry is still used
        self.assertEqual(set(DROPPED_OK) - used, set())

    def test_tables_and_inline_styles_only(self):
        for goal, html in self.mails():
            c = Collect()
            c.feed(html)
            self.assertNotIn("style", c.tags, goal)  # no <style> element: Word keeps only inline styles
            self.assertNotIn("div", c.tags, goal)
            self.assertNotIn("link", c.tags, goal)
            self.assertEqual(c.classes, [], goal)
            self.assertGreaterEqual(c.tags.count("table"), 4, goal)
            for t in re.findall(r"<table\b[^>]*>", html):
                self.assertIn('role="presentation"', t)
                self.assertIn('cellpadding="0"', t)

    def test_images_have_size_and_alt(self):
        for goal, html in self.mails():
            c = Collect()
            c.feed(html)
            self.assertEqual(len(c.images), 1, goal)
            for im in c.images:
                self.assertRegex(im.get("width", ""), r"^[1-9][0-9]*$")
                self.assertRegex(im.get("height", ""), r"^[1-9][0-9]*$")
                self.assertLessEqual(int(im["width"]), 600)
                self.assertTrue(im.get("alt", "").startswith("Diagram over "), im.get("alt"))

    def test_status_is_text_not_only_colour(self):
        _, html = next(self.mails())
        # the badge's text and the verdict say what the red bar and badge colour say
        self.assertRegex(html, r'<span style="[^"]*background-color:#[0-9a-f]{6};[^"]*">Ikke på sporet</span>')
        self.assertIn("er ikke på rette spor", html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
