#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The sample configuration, the shipped unit and labourwatchd(8) agree on where credentials live
(issue 13 §2): every *_credential name the sample uses is loaded by the unit with a bare-name
LoadCredential= (searched in /etc/credstore/), the sample and the man page name that path, and the
encrypted variant they document (a drop-in with LoadCredentialEncrypted=) is a unit systemd accepts
(`systemd-analyze verify`).

Environment: LW_SOURCE_DIR, LW_DAEMON."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

SRC = os.environ.get("LW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DAEMON = os.environ.get("LW_DAEMON", "labourwatchd")


def read(*path):
    with open(os.path.join(SRC, *path), encoding="utf-8") as f:
        return f.read()


class CredentialDocs(unittest.TestCase):
    def setUp(self):
        self.sample = read("etc", "labourwatch.yaml")
        self.unit = read("systemd", "labourwatch.service")
        self.man = read("packaging", "man", "labourwatchd.8")
        # uncommented credential keys of the sample
        self.names = sorted(set(re.findall(r"(?m)^\s+\w+_credential:\s*([\w.-]+)", self.sample)))

    def test_sample_names_are_loaded_by_the_unit(self):
        self.assertIn("jobindsats-token", self.names)
        loaded = set(re.findall(r"(?m)^LoadCredential=([\w.-]+)\s*$", self.unit))
        for name in self.names:
            self.assertIn(name, loaded, f"the sample's credential {name} is not loaded by the unit")

    def test_the_documented_path_is_where_the_unit_looks(self):
        # a bare-name LoadCredential= reads /etc/credstore/NAME (systemd.exec(5)); the sample and the
        # man page send the operator there, and name the encrypted variant with its directive
        self.assertIn("/etc/credstore/jobindsats-token", self.sample)
        self.assertIn("/etc/credstore/jobindsats-token", self.man.replace("\\-", "-"))
        for text in (self.sample, self.unit, self.man):
            if "credstore.encrypted" in text:
                self.assertIn("LoadCredentialEncrypted=", text.replace("\\-", "-"))

    def test_systemd_accepts_the_unit_and_the_encrypted_drop_in(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze not installed")
        daemon = shutil.which(DAEMON) or os.path.abspath(DAEMON)
        with tempfile.TemporaryDirectory(prefix="lw-unit-") as d:
            unit = os.path.join(d, "labourwatch.service")
            with open(unit, "w") as f:
                f.write(self.unit.replace("/usr/sbin/labourwatchd", daemon))
            for dropin in (None, "[Service]\nLoadCredential=\nLoadCredentialEncrypted=jobindsats-token\n"):
                if dropin:
                    os.makedirs(unit + ".d", exist_ok=True)
                    with open(os.path.join(unit + ".d", "encrypted.conf"), "w") as f:
                        f.write(dropin)
                p = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], capture_output=True,
                                   text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr.strip(), "", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
