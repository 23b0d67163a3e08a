#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""CLI conventions (issue 12 §5): options may follow operands in every command, --version on both
programs, and the bash completion offers commands, their options, and the configuration's series
and goal names (through the hidden `labourwatch complete`).

Environment: LW_CLI, LW_DAEMON (the programs, maybe valgrind wrappers), LW_BUILD_DIR,
LW_SOURCE_DIR."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

CLI = os.environ.get("LW_CLI", "labourwatch")
DAEMON = os.environ.get("LW_DAEMON", "labourwatchd")
BUILD = os.environ.get("LW_BUILD_DIR", "build")
SRC = os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
COMPLETION = os.path.join(SRC, "packaging", "labourwatch.bash-completion")

CONFIG = """\
state_dir: {tmp}/state
goals_dir: {tmp}/goals.d
sources:
  internal:
    kind: csv
    base_url: file://{tmp}/data/
series:
  fleksjob_fuldtid:
    source: internal
    path: fleksjob.csv
    column: fuldtid
    frequency: month
  smaajob_personer:
    source: internal
    path: fleksjob.csv
    column: smaajob
    frequency: month
goals:
  fleksjob-2024:
    title: Flere i fleksjob
    kind: level
    series: fleksjob_fuldtid
    period: 2024
    aggregate: average
    direction: at_least
    target: 380
"""

GOALS = """\
goals:
  smaajob-2024:
    title: Flere i småjob
    kind: level
    series: smaajob_personer
    period: 2024
    aggregate: average
    direction: at_least
    target: 50
"""

CSV = "periode;fuldtid;smaajob\n2024M01;381;49\n2024M02;383;51\n"
IMPORT_CSV = "periode;fuldtid\n2024M03;385\n"


def run(*args, env_extra=None, cwd=None):
    env = dict(os.environ)
    env.pop("LABOURWATCH_CONFIG", None)
    env.update(env_extra or {})
    p = subprocess.run(list(args), capture_output=True, text=True, env=env, timeout=120, cwd=cwd)
    assert p.returncode >= 0, f"{args}: killed by signal {-p.returncode}: {p.stderr}"
    return p


class CliConventions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lw-cli-conv-")
        for d in ("data", "goals.d", "state"):
            os.mkdir(os.path.join(cls.tmp, d))
        cls.conf = os.path.join(cls.tmp, "labourwatch.yaml")
        with open(cls.conf, "w") as f:
            f.write(CONFIG.format(tmp=cls.tmp))
        with open(os.path.join(cls.tmp, "goals.d", "smaajob.yaml"), "w") as f:
            f.write(GOALS)
        with open(os.path.join(cls.tmp, "data", "fleksjob.csv"), "w") as f:
            f.write(CSV)
        cls.import_csv = os.path.join(cls.tmp, "import.csv")
        with open(cls.import_csv, "w") as f:
            f.write(IMPORT_CSV)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def commands(self):
        p = run(CLI, "--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        block = p.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        cmds = [m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*)", block, re.M)]
        self.assertIn("fetch", cmds)
        return cmds

    def test_version(self):
        for prog, name in ((CLI, "labourwatch"), (DAEMON, "labourwatchd")):
            p = run(prog, "--version")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertRegex(p.stdout, rf"^{name} \d+\.\d+\.\d+\n$")

    def test_help_after_operand_in_every_command(self):
        # `labourwatch CMD OPERAND --help` is help, never an operand named --help
        for cmd in self.commands():
            with self.subTest(cmd=cmd):
                p = run(CLI, cmd, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("Usage: labourwatch " + cmd, p.stdout)
                p = run(CLI, cmd, "some-operand", "--help")
                self.assertEqual(p.returncode, 0, f"{cmd} OPERAND --help: {p.stderr}")
                self.assertIn("Usage: labourwatch " + cmd, p.stdout)

    def test_config_after_operand_in_every_command(self):
        # --config after an operand is read, not ignored for /etc/labourwatch/labourwatch.yaml:
        # a missing file named there must appear in the error of every command that reads a
        # configuration (or the command rejects the operand as a usage error, exit 2).
        missing = os.path.join(self.tmp, "nonexistent.yaml")
        for cmd in self.commands():
            if cmd == "test":
                continue  # reads test files, no --config
            with self.subTest(cmd=cmd):
                p = run(CLI, cmd, "fleksjob_fuldtid", "--config", missing)
                if p.returncode != 2:
                    self.assertEqual(p.returncode, 1, p.stderr)
                    self.assertIn(missing, p.stderr)
                    self.assertNotIn("/etc/labourwatch", p.stdout + p.stderr)

    def test_check(self):
        p = run(CLI, "check", "--config", self.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 goals", p.stdout)

    def test_fetch_import_series_with_options_last(self):
        p = run(CLI, "fetch", "fleksjob_fuldtid", "--config", self.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("fleksjob_fuldtid", p.stdout)
        p = run(CLI, "fetch", "fleksjob_fuldtid", "smaajob_personer", "--refresh", "--config", self.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("--refresh", p.stderr)
        p = run(CLI, "import", "fleksjob_fuldtid", self.import_csv, "--config", self.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run(CLI, "series", "fleksjob_fuldtid", "--json", "--config", self.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"2024M03"', p.stdout)
        self.assertIn('"2024M01"', p.stdout)
        p = run(CLI, "status", "--config", self.conf, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run(CLI, "eval", "--config", self.conf, "--date", "2024-04-15")
        self.assertEqual(p.returncode, 0, p.stderr)
        # "--" still ends the options: a series literally named --refresh does not exist
        p = run(CLI, "fetch", "--config", self.conf, "--", "--refresh")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no series '--refresh'", p.stderr)

    def test_complete_names(self):
        p = run(CLI, "complete", "series", "--config", self.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["fleksjob_fuldtid", "smaajob_personer"])
        p = run(CLI, "complete", "goals", env_extra={"LABOURWATCH_CONFIG": self.conf})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(p.stdout.split()), ["fleksjob-2024", "smaajob-2024"])
        # quiet when the configuration does not load
        p = run(CLI, "complete", "goals", "--config", os.path.join(self.tmp, "nonexistent.yaml"))
        self.assertEqual((p.returncode, p.stdout, p.stderr), (1, "", ""))
        # the 98 municipalities for init --municipality, without a configuration
        p = run(CLI, "complete", "municipalities", "--config", os.path.join(self.tmp, "nonexistent.yaml"))
        self.assertEqual(p.returncode, 0, p.stderr)
        names = p.stdout.split()
        self.assertEqual(len(names), 98)
        self.assertIn("Høje-Taastrup", names)
        p = run(CLI, "complete", "bogus", "--config", self.conf)
        self.assertEqual(p.returncode, 2)
        # hidden from the help
        self.assertNotIn("complete", run(CLI, "--help").stdout)

    def complete(self, line, env_extra=None):
        """What bash offers for the command line `line` (completing its last word)."""
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir, exist_ok=True)
        for name, prog in (("labourwatch", CLI), ("labourwatchd", DAEMON)):
            link = os.path.join(bindir, name)
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(prog), link)
        script = f"""
shopt -s extglob
source {COMPLETION!r}
line={line!r}
read -ra COMP_WORDS <<<"$line"
[[ $line == *' ' ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
COMP_LINE=$line
COMP_POINT=${{#line}}
_${{COMP_WORDS[0]}}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
        env = {"PATH": bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin")}
        env.update(env_extra or {})
        p = run("bash", "-c", script, env_extra=env, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [w for w in p.stdout.split("\n") if w]

    def test_bash_completion(self):
        cmds = self.complete("labourwatch ")
        for c in ("check", "fetch", "series", "import", "eval", "test", "status"):
            self.assertIn(c, cmds)
        self.assertNotIn("complete", cmds)
        self.assertEqual(self.complete("labourwatch fe"), ["fetch"])
        self.assertEqual(self.complete("labourwatch --v"), ["--version"])
        self.assertEqual(sorted(self.complete("labourwatch fetch --")),
                         ["--config", "--credentials-dir", "--help", "--refresh", "--verbose"])
        self.assertIn("--date", self.complete("labourwatch eval --d"))
        self.assertEqual(self.complete(f"labourwatch fetch --config {self.conf} fl"), ["fleksjob_fuldtid"])
        self.assertEqual(sorted(self.complete(f"labourwatch fetch fleksjob_fuldtid --config {self.conf} ")),
                         ["fleksjob_fuldtid", "smaajob_personer"])
        self.assertEqual(self.complete("labourwatch series sm", {"LABOURWATCH_CONFIG": self.conf}),
                         ["smaajob_personer"])
        # import: a series, then a file
        self.assertEqual(self.complete(f"labourwatch import -c {self.conf} fl"), ["fleksjob_fuldtid"])
        self.assertEqual(self.complete(f"labourwatch import -c {self.conf} fleksjob_fuldtid imp"),
                         ["import.csv"])
        self.assertEqual(self.complete("labourwatch check --config labour"), ["labourwatch.yaml"])
        self.assertEqual(self.complete(f"labourwatch silence -c {self.conf} sm"), ["smaajob-2024"])
        self.assertEqual(self.complete(f"labourwatch render --format text -c {self.conf} fl"), ["fleksjob-2024"])
        self.assertEqual(self.complete(f"labourwatch backtest --years 3 -c {self.conf} sm"), ["smaajob-2024"])
        self.assertEqual(sorted(self.complete("labourwatch backtest --")),
                         ["--config", "--help", "--json", "--probability-at-risk", "--probability-off-track",
                          "--status-from", "--years"])
        self.assertEqual(self.complete(f"labourwatch backtest -c {self.conf} --years "), [])
        self.assertEqual(sorted(self.complete("labourwatch backtest --status-from p")), ["probability", "projection"])
        self.assertEqual(self.complete(f"labourwatch backtest --probability-off-track 0.1 -c {self.conf} fl"),
                         ["fleksjob-2024"])
        self.assertEqual(self.complete(f"labourwatch report -c {self.conf} --language "), ["da", "en"])
        self.assertEqual(sorted(self.complete("labourwatch init --")), ["--dir", "--help", "--municipality", "--year"])
        self.assertEqual(self.complete("labourwatch init --municipality Ball"), ["Ballerup"])
        self.assertEqual(sorted(self.complete("labourwatch init -m Fre")),
                         ["Fredensborg", "Fredericia", "Frederiksberg", "Frederikshavn", "Frederikssund"])
        self.assertEqual(self.complete("labourwatch init -m Herlev --year 2025 --dir nonexist"), [])
        self.assertEqual(self.complete("labourwatch silence -m Her"), [])  # there -m is --comment
        # tables/describe: a source, describe --area a municipality, the table ids only from a kept
        # listing (none here: nothing offered, no request)
        self.assertEqual(self.complete(f"labourwatch tables -c {self.conf} in"), ["internal"])
        self.assertEqual(self.complete(f"labourwatch describe -c {self.conf} "), ["internal"])
        self.assertEqual(self.complete(f"labourwatch describe -c {self.conf} internal "), [])
        self.assertEqual(self.complete("labourwatch describe --area Ball"), ["Ballerup"])
        self.assertEqual(sorted(self.complete("labourwatch tables --")),
                         ["--config", "--credentials-dir", "--help", "--json", "--refresh"])
        self.assertEqual(sorted(self.complete("labourwatch describe --")),
                         ["--area", "--config", "--credentials-dir", "--help", "--json"])
        self.assertIn("--once", self.complete("labourwatchd --"))
        self.assertIn("--dry-run", self.complete("labourwatchd --"))


class UsageErrors(unittest.TestCase):
    """A usage error (issue 22 §5) is one line naming the problem, "labourwatch CMD: …", then where
    the help is, "see labourwatch CMD --help": exit 2, nothing on stdout, never the whole help."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lw-cli-usage-")
        cls.conf = os.path.join(cls.tmp, "labourwatch.yaml")
        os.mkdir(os.path.join(cls.tmp, "data"))
        os.mkdir(os.path.join(cls.tmp, "goals.d"))
        os.mkdir(os.path.join(cls.tmp, "state"))
        with open(cls.conf, "w") as f:
            f.write(CONFIG.format(tmp=cls.tmp))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # (command line, the words the first line must name); --config points at a valid file, so that
    # the command gets as far as it would on a real system
    CASES = [
        (["check", "--bogus"], "unknown option '--bogus'"),
        (["check", "extra"], "'extra'"),
        (["fetch", "-Z"], "unknown option '-Z'"),
        (["series"], ""),
        (["series", "a", "b"], ""),
        (["import", "fleksjob_fuldtid"], "SERIES and FILE"),
        (["eval", "--date", "31-12-2024"], "'31-12-2024' is not a date"),
        (["eval", "extra"], "'extra'"),
        (["render"], "GOAL"),
        (["render", "fleksjob-2024", "--date", "tomorrow"], "'tomorrow' is not a date"),
        (["render", "fleksjob-2024", "--format", "bmp"], "bmp"),
        (["notify-test"], "NOTIFIER"),
        (["alerts", "extra"], "'extra'"),
        (["silence"], "goal"),
        (["silence", "fleksjob-2024", "--comment", "x"], "--until"),
        (["silence", "fleksjob-2024", "--until", "soon", "--comment", "x"], "'soon' is not a date"),
        (["silence", "fleksjob-2024", "--until", "2000-01-01", "--comment", "x"], "in the past"),
        (["silence", "fleksjob-2024", "--until", "2099-01-01"], "--comment"),
        (["unsilence", "fleksjob-2024", "--comment", "x"], "--comment"),
        (["ack", "fleksjob-2024"], "--comment"),
        (["replay"], "--from and --to"),
        (["replay", "--from", "x", "--to", "2024-01-01"], "'x' is not a date"),
        (["replay", "--from", "2024-02-01", "--to", "2024-01-01"], "--from is after --to"),
        (["backtest", "--years", "many"], "many"),
        (["backtest", "--status-from", "hope"], "hope"),
        (["backtest", "--probability-at-risk", "2"], "2"),
        (["status", "extra"], "'extra'"),
        (["status", "--config"], "'--config' needs an argument"),
        (["report", "--format", "doc"], "'doc'"),
        (["report", "--language", "fr"], "'fr'"),
        (["report", "--date", "x"], "'x' is not a date"),
        (["test", "--bogus"], "unknown option '--bogus'"),
        # init writes a new configuration, it reads none (an unknown municipality is one line
        # with its "did you mean", see test_init.py)
        (["tables"], "no source given"),
        (["tables", "--refresh"], "no source given"),
        (["describe", "internal"], "needs a source and a table"),
        (["describe", "internal", "T", "extra"], "too many arguments"),
        (["init"], "--municipality"),
        (["init", "--municipality", "Ballerup", "--year", "x"], "'x' is not a year"),
    ]

    def check_usage(self, prog, cmd, args, names):
        p = run(prog, *args)
        where = " ".join(args)
        self.assertEqual(p.returncode, 2, f"{where}: {p.stdout}{p.stderr}")
        self.assertEqual(p.stdout, "", where)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 2, f"{where}: {p.stderr}")
        # the program's own name, not the path's: under valgrind prog is a wrapper
        prefix = ("labourwatchd" if prog == DAEMON else "labourwatch") if cmd is None else f"labourwatch {cmd}"
        self.assertTrue(lines[0].startswith(prefix + ": "), f"{where}: {lines[0]}")
        self.assertIn(names, lines[0], where)
        self.assertEqual(lines[1], f"see {prefix} --help", where)
        self.assertNotIn("Usage:", p.stderr)

    def test_every_command(self):
        for args, names in self.CASES:
            with self.subTest(args=args):
                cfg = ["--dir", os.path.join(self.tmp, "new")] if args[0] == "init" else \
                    [] if args[0] == "test" else ["--config", self.conf]
                if args[-1] == "--config":
                    cfg = []
                self.check_usage(CLI, args[0], [*args, *cfg], names)

    def test_top_level(self):
        self.check_usage(CLI, None, [], "no command")
        self.check_usage(CLI, None, ["bogus"], "unknown command 'bogus'")
        self.check_usage(CLI, None, ["--bogus"], "'--bogus'")

    def test_daemon(self):
        prog = DAEMON
        for args, names in ((["--bogus"], "unknown option '--bogus'"), (["--config"], "needs an argument"),
                            (["extra"], "unexpected argument 'extra'")):
            with self.subTest(args=args):
                p = run(prog, *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                lines = p.stderr.splitlines()
                self.assertEqual(len(lines), 2, p.stderr)
                self.assertTrue(lines[0].startswith("labourwatchd: "), lines[0])
                self.assertIn(names, lines[0])
                self.assertEqual(lines[1], "see labourwatchd --help")


if __name__ == "__main__":
    unittest.main(verbosity=2)
