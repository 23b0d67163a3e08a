#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every command's --help follows one template (issue 13 §3): the options it takes (every option the
top-level help names for it), the same --config default, the same exit-status line; and a usage
error exits 2 in every command.

Environment: LW_CLI."""

import os
import re
import subprocess
import unittest

CLI = os.environ.get("LW_CLI", "labourwatch")
CONFIG_DEFAULT = "(default: $LABOURWATCH_CONFIG or /etc/labourwatch/labourwatch.yaml)"


def run(*args):
    env = dict(os.environ)
    env.pop("LABOURWATCH_CONFIG", None)
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, env=env)


class Help(unittest.TestCase):
    def commands(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(CONFIG_DEFAULT, p.stdout)
        self.assertIn("Exit status: 0 ", p.stdout)
        # "  NAME [options…]" lines, with the options the overview promises
        cmds = {}
        for m in re.finditer(r"(?m)^  ([a-z][a-z-]*) ?(.*)\n((?:       .*\n)*)", p.stdout):
            cmds[m.group(1)] = m.group(2) + " " + m.group(3)
        self.assertGreaterEqual(set(cmds), {"check", "fetch", "series", "import", "eval", "test", "status"})
        return cmds

    def test_every_command_help(self):
        for cmd, synopsis in self.commands().items():
            with self.subTest(cmd=cmd):
                p = run(cmd, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.startswith(f"Usage: labourwatch {cmd}"), p.stdout)
                self.assertRegex(p.stdout, r"(?m)^  -h, --help +show this help$")
                self.assertRegex(p.stdout, r"(?m)^Exit status: 0 .*, 2 usage error\.$")
                self.assertNotIn("...", p.stdout)  # "FILE…", as everywhere
                if "-c PATH" in synopsis:
                    self.assertIn(f"-c, --config PATH", p.stdout)
                    self.assertIn(CONFIG_DEFAULT, p.stdout)
                for opt in re.findall(r"--[a-z-]+", synopsis):
                    self.assertIn(opt, p.stdout, f"{cmd} --help does not list {opt}")

    def test_usage_errors_exit_2(self):
        for cmd, synopsis in self.commands().items():
            with self.subTest(cmd=cmd):
                p = run(cmd, "--bogus")
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                # one line naming the problem, "labourwatch CMD: …", then where the help is; not the
                # whole help (issue 22 item 5)
                self.assertEqual(p.stderr, f"labourwatch {cmd}: unknown option '--bogus'\n"
                                           f"see labourwatch {cmd} --help\n")
                self.assertEqual(p.stdout, "")
                self.assertNotIn("Usage:", p.stderr)
                if "-c PATH" in synopsis:
                    p = run(cmd, "--config")
                    self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                    self.assertEqual(p.stderr, f"labourwatch {cmd}: option '--config' needs an argument\n"
                                               f"see labourwatch {cmd} --help\n")
                # --help still prints the help, on stdout, exit 0
                p = run(cmd, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.startswith(f"Usage: labourwatch {cmd}"), p.stdout)
        p = run("no-such-command")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "labourwatch: unknown command 'no-such-command'\nsee labourwatch --help\n")
        p = run()
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "labourwatch: no command given\nsee labourwatch --help\n")
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("Usage: labourwatch COMMAND"), p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
