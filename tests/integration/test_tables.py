#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""labourwatch tables / describe (issue 19 §1, §2) against the fixture HTTP server on 127.0.0.1.

Asserted: each provider's table list (Statistikbank /v1/tables, Jobindsats /v3/tables with the
Bearer token, a PxWeb database folder) is listed with id, title, unit, period range and update
where given, filtered by every word (case and æ/ø/å folded); the listing is kept in the state
directory for a day (a second call asks nothing, --refresh asks again); describe shows variables,
codes and periods, and its series: block passes `labourwatch check` when pasted into the
configuration; bad input (unknown source, unknown table, connection refused, a provider's error
body, unknown municipality) gives one line naming the URL or the name, exit 2 or 1, nothing
written.

Run: LW_CLI=build/labourwatch LW_SOURCE_DIR=. /usr/bin/python3 tests/integration/test_tables.py
"""

import json
import os
import socket
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_server import Response, ServerTestCase, echo_authorization  # noqa: E402

SRC = Path(os.environ.get("LW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("LW_CLI", str(SRC / "build" / "labourwatch"))
PROV = SRC / "tests" / "data" / "providers"
TOKEN = "tok-SECRET-0815-do-not-log"

CONFIG = """\
state_dir: {state}
sources:
  dst:
    kind: statbank
    base_url: {base}/v1
    timeout: 2s
    schedule:
      interval: 6h
  star:
    kind: jobindsats
    api_version: 3
    base_url: {base}/v3
    token_file: {token}
    timeout: 2s
    schedule:
      interval: 6h
  scb:
    kind: pxweb
    base_url: {base}/api/v1/sv/ssd/
    timeout: 2s
    schedule:
      interval: 1d
  internal:
    kind: csv
    base_url: {base}/csv/
    timeout: 2s
    schedule:
      interval: 1h
  eurostat:
    kind: jsonstat
    base_url: {base}/js
    timeout: 2s
    schedule:
      interval: 1d
  down:
    kind: statbank
    base_url: http://127.0.0.1:{dead}/v1
    connect_timeout: 2s
    timeout: 2s
    schedule:
      interval: 6h
{series}
"""


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TablesTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.token = self.dir / "token"
        self.token.write_text(TOKEN + "\n")
        self.dead = dead_port()
        self.write_config()

    def write_config(self, series=""):
        self.config = self.dir / "labourwatch.yaml"
        self.config.write_text(CONFIG.format(state=self.state, base=self.srv.url(""), token=self.token,
                                             dead=self.dead, series=series), encoding="utf-8")

    def run_cli(self, *args):
        env = dict(os.environ, LABOURWATCH_LOG_TARGET="stderr")
        env.pop("CREDENTIALS_DIRECTORY", None)
        wrap = (["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                 "--error-exitcode=99"] if os.environ.get("LW_TEST_VALGRIND") else [])
        p = subprocess.run([*wrap, CLI, args[0], "--config", str(self.config), *args[1:]], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertNotIn(TOKEN, p.stdout + p.stderr)
        return p

    def state_files(self):
        return sorted(str(p.relative_to(self.state)) for p in self.state.rglob("*"))

    def serve(self):
        self.srv.route("/v1/tables", Response.fixture(PROV / "tables_da.json"))
        self.srv.route("/v1/tableinfo", Response.fixture(PROV / "tableinfo_AUK01_da.json"))
        self.srv.route("/v3/tables", Response.fixture(PROV / "v3_tables.json"))
        self.srv.route("/v3/table/Y08A02", Response.fixture(PROV / "v3_table_y08a02.json"))
        self.srv.route("/api/v1/sv/ssd/", Response.fixture(PROV / "pxweb_tree_scb.json"))
        self.srv.route("/api/v1/sv/ssd/AM/AM0210/AM0210A/ArbStatusM", Response.fixture(PROV / "pxweb_meta_scb.json"))

    # -- tables ----------------------------------------------------------------------------------

    def test_statbank_listing_words_and_cache(self):
        self.serve()
        p = self.run_cli("tables", "dst", "--json", "forsørgede")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual([t["id"] for t in doc["tables"]], ["AUK01", "AUH01"])
        auk = doc["tables"][0]
        self.assertEqual((auk["unit"], auk["first_period"], auk["last_period"], auk["updated"]),
                         ("Antal", "2007K1", "2024K3", "2024-12-17T08:00:00"))
        self.assertFalse(doc["cached"])
        self.assertEqual(self.srv.count("/v1/tables"), 1)
        req = self.srv.requests("/v1/tables")[0]
        self.assertEqual(req.method, "POST")
        self.assertEqual(json.loads(req.body), {"lang": "da", "format": "JSON"})
        self.assertEqual(self.state_files(), ["catalog", "catalog/tables-dst.json"])

        # folded words, all must match (id or title): "FORSORGEDE" = "forsørgede", "auk" the id
        p = self.run_cli("tables", "dst", "FORSOERGEDE", "auk")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("AUK01", p.stdout)
        self.assertNotIn("AUH01", p.stdout)
        self.assertIn("periods: 2007K1–2024K3", p.stdout)
        self.assertIn("1 of 5 tables of dst", p.stdout)
        self.assertEqual(self.srv.count("/v1/tables"), 1, "the kept listing is reused")

        # bash completion's table ids come from the kept listing, without a request
        p = subprocess.run([CLI, "complete", "--config", str(self.config), "tables:dst"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.stdout.split(), ["AUF01", "AUK01", "AUH01", "AUP02", "FOLK1A"])
        self.assertEqual(self.srv.count("/v1/tables"), 1)

        p = self.run_cli("tables", "dst", "--refresh", "--json", "ingenting")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["tables"], [])
        self.assertEqual(self.srv.count("/v1/tables"), 2)

        # another language is another listing: asked for, not taken from the Danish one
        self.config.write_text(self.config.read_text().replace("kind: statbank\n", "kind: statbank\n    lang: en\n", 1))
        self.assertEqual(self.run_cli("tables", "dst").returncode, 0)
        self.assertEqual(self.srv.count("/v1/tables"), 3)
        self.assertEqual(json.loads(self.srv.requests("/v1/tables")[2].body)["lang"], "en")

    def test_stale_cache_is_fetched_again(self):
        self.serve()
        self.assertEqual(self.run_cli("tables", "dst").returncode, 0)
        cache = self.state / "catalog" / "tables-dst.json"
        doc = json.loads(cache.read_text())
        doc["fetched"] -= 86400 + 60
        cache.write_text(json.dumps(doc))
        self.assertEqual(self.run_cli("tables", "dst").returncode, 0)
        self.assertEqual(self.srv.count("/v1/tables"), 2)

    def test_jobindsats_v3_listing_with_bearer_token(self):
        self.serve()
        p = self.run_cli("tables", "star", "--json", "fleksjob")
        self.assertEqual(p.returncode, 0, p.stderr)
        tables = json.loads(p.stdout)["tables"]
        self.assertEqual([t["id"] for t in tables], ["y08a02", "y08a27"])
        self.assertIsNone(tables[0]["unit"])  # the v3 list gives none
        req = self.srv.requests("/v3/tables")[0]
        self.assertEqual(req.header("Authorization"), "Bearer " + TOKEN)
        self.assertEqual(req.query, "format=json")
        p = self.run_cli("tables", "star", "FORSOERGELSE")
        self.assertIn("y30r21", p.stdout)

    def test_pxweb_tree(self):
        self.serve()
        p = self.run_cli("tables", "scb", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        tables = json.loads(p.stdout)["tables"]
        self.assertEqual([(t["id"], t["type"]) for t in tables],
                         [("AM0210A", "level"), ("ArbStatusM", "table"), ("ArbStatusKv", "table")])
        p = self.run_cli("tables", "scb", "månad")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ArbStatusM", p.stdout)
        self.assertNotIn("ArbStatusKv", p.stdout)

    # -- describe --------------------------------------------------------------------------------

    def paste_and_check(self, yaml_block):
        self.write_config(series=yaml_block)
        p = subprocess.run([CLI, "check", "--config", str(self.config)], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr + "\n" + yaml_block)

    def test_describe_statbank_block_passes_check(self):
        self.serve()
        p = self.run_cli("describe", "dst", "AUK01", "--area", "607")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("YDELSESTYPE (ydelsestype)", p.stdout)
        self.assertIn("FLEKS", p.stdout)
        self.assertIn("Periods: 2023K1–2024K3 (7, quarter)", p.stdout)
        block = p.stdout[p.stdout.index("series:\n"):]
        self.assertIn('OMRÅDE: "Fredericia"', block)
        self.assertIn("frequency: quarter", block)
        self.paste_and_check(block)
        req = self.srv.requests("/v1/tableinfo")[0]
        self.assertEqual(json.loads(req.body)["table"], "AUK01")

        p = self.run_cli("describe", "dst", "AUK01", "--area", "Brøndby", "--json")
        doc = json.loads(p.stdout)
        self.assertEqual(doc["frequency"], "quarter")
        self.assertEqual((doc["first_period"], doc["last_period"]), ("2023K1", "2024K3"))
        self.assertIn({"id": "153", "text": "Brøndby"}, doc["variables"][0]["values"])
        self.assertIn("auk01_broendby:", doc["series_yaml"])

    def test_describe_jobindsats_block_passes_check(self):
        self.serve()
        p = self.run_cli("describe", "star", "Y08A02", "--area", "Ballerup", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["frequency"], "month")
        self.assertIn({"id": "measy08a02_2", "text": "Antal fuldtidspersoner"}, doc["measures"])
        yaml_block = doc["series_yaml"]
        self.assertIn("area: \"Ballerup\"  # 151", yaml_block)
        self.assertIn('measure: "Antal personer"', yaml_block)
        self.paste_and_check(yaml_block)
        self.assertEqual(self.srv.requests("/v3/table/Y08A02")[0].header("Authorization"), "Bearer " + TOKEN)

    def test_describe_pxweb_block_passes_check(self):
        self.serve()
        p = self.run_cli("describe", "scb", "AM/AM0210/AM0210A/ArbStatusM", "--area", "Stockholm")
        self.assertEqual(p.returncode, 0, p.stderr)
        block = p.stdout[p.stdout.index("series:\n"):]
        self.assertIn('Region: "Stockholm"', block)
        self.assertIn('measure: "Antal arbetslösa"', block)
        self.paste_and_check(block)

    # -- bad input -------------------------------------------------------------------------------

    def assert_one_line(self, p, code, *needles):
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertEqual(p.stdout, "")
        self.assertEqual(self.state_files(), [])

    def test_unknown_source(self):
        self.assert_one_line(self.run_cli("tables", "dts"), 2, "no source 'dts'", "did you mean 'dst'")
        p = self.run_cli("describe", "nope", "AUK01")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no source 'nope'", p.stderr)
        self.assertEqual(self.srv.count(), 0)

    FILE_SERIES = """\
series:
  ordrer:
    source: internal
    path: rekruttering.csv
    column: ordrer
    frequency: month
  matchede:
    source: internal
    path: rekruttering.csv
    column: matchede
    frequency: month
  fleks_js:
    source: eurostat
    table: fleks.json
    select:
      geo: Herlev
    frequency: month
"""

    def test_csv_and_jsonstat_files(self):
        self.write_config(series=self.FILE_SERIES)
        self.srv.route("/csv/rekruttering.csv", Response.fixture(PROV / "csv_rekruttering.csv"))
        self.srv.route("/js/fleks.json", Response.fixture(PROV / "jsonstat2_dense.json"))
        p = self.run_cli("tables", "internal", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        (f,) = json.loads(p.stdout)["tables"]
        self.assertEqual(f["id"], "rekruttering.csv")
        self.assertEqual(f["type"], "file")
        self.assertEqual(f["columns"], ["periode", "ordrer", "matchede"])  # BOM and CRLF gone
        self.assertEqual((f["first_period"], f["last_period"]), ("2024M01", "2024M06"))
        self.assertEqual(self.srv.count("/csv/rekruttering.csv"), 1, "one request for the two series")
        self.assertEqual(self.state_files(), [], "a source's own files are not kept")

        p = self.run_cli("tables", "eurostat")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("dimensions: metric (measure, 1); geo (area, 2); time (time, 3)", p.stdout)
        self.assertIn("periods: 2024M04–2024M06", p.stdout)

        self.srv.route("/csv/rekruttering.csv", Response(status=404, body="not here"))
        p = self.run_cli("tables", "internal", "--refresh")
        self.assertEqual(p.returncode, 1)
        self.assertIn("/csv/rekruttering.csv: HTTP 404 Not Found: not here", p.stderr)

    def test_file_source_cannot_be_described(self):
        p = self.run_cli("describe", "internal", "rekruttering.csv")
        self.assertEqual(p.returncode, 2)
        self.assertIn("source internal is kind csv, which has no table metadata", p.stderr)

    def test_connection_refused(self):
        p = self.run_cli("tables", "down")
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"http://127.0.0.1:{self.dead}/v1/tables:", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertEqual(self.state_files(), [])

    def test_provider_error_body_and_unknown_table(self):
        self.srv.route("/v1/tables", Response.fixture(PROV / "error_missing.json"))
        self.srv.route("/v1/tableinfo", Response.fixture(PROV / "error_notfound.json"))
        p = self.run_cli("tables", "dst")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"/v1/tables: HTTP 400 Bad Request: REQUEST-MISSING: ")
        self.assertEqual(self.state_files(), [])
        p = self.run_cli("describe", "dst", "NOSUCH")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"/v1/tableinfo: HTTP 400 Bad Request: EXTRACT-NOTFOUND: ")
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.srv.route("/v3/table/nosuch", Response(status=404, headers={"Content-Type": "application/json"},
                                                    body='{"detail": "Table not found"}'))
        p = self.run_cli("describe", "star", "nosuch")
        self.assertEqual(p.returncode, 1)
        self.assertIn("/v3/table/nosuch?format=json: HTTP 404 Not Found: Table not found", p.stderr)

    def test_jobindsats_refusals(self):
        # a gateway echoing the token: the line names the URL and status, never the token
        self.srv.route("/v3/tables", echo_authorization(401))
        p = self.run_cli("tables", "star")
        self.assertEqual(p.returncode, 1)
        self.assertIn("/v3/tables?format=json: HTTP 401", p.stderr)
        self.assertIn("***", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        # the wrong-key answer sent with status 200 is an error, not an empty list
        self.srv.route("/v3/tables", Response.fixture(PROV / "jobindsats_wrong_key_200.json"))
        p = self.run_cli("tables", "star")
        self.assertEqual(p.returncode, 1)
        self.assertIn("the provider answered with an error: Forkert nøgle eller nøglen er udløbet.", p.stderr)
        self.assertEqual(self.state_files(), [])
        # api_version 2 is refused before any request
        self.config.write_text(self.config.read_text().replace("api_version: 3", "api_version: 2"))
        p = self.run_cli("tables", "star")
        self.assertEqual(p.returncode, 2)
        self.assertIn("set api_version: 3", p.stderr)
        self.assertEqual(self.srv.count("/v2/tables"), 0)

    def test_unknown_municipality_and_area(self):
        self.serve()
        p = self.run_cli("describe", "dst", "AUK01", "--area", "Balerup")
        self.assertEqual(p.returncode, 2)
        self.assertIn("'Balerup' is not a municipality; did you mean 'Ballerup'?", p.stderr)
        self.assertEqual(self.srv.count(), 0)
        p = self.run_cli("describe", "dst", "AUK01", "--area", "Ballerup")  # not in the fixture's table
        self.assertEqual(p.returncode, 1)
        self.assertIn("table AUK01 of dst has no area 'Ballerup'", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_area_of_a_table_without_areas(self):
        info = json.loads((PROV / "tableinfo_AUK01_da.json").read_text(encoding="utf-8"))
        info["variables"] = [v for v in info["variables"] if v["id"] != "OMRÅDE"]
        self.srv.route("/v1/tableinfo", Response(headers={"Content-Type": "application/json"},
                                                 body=json.dumps(info, ensure_ascii=False)))
        p = self.run_cli("describe", "dst", "AUK01", "--area", "Herlev")
        self.assertEqual(p.returncode, 1)
        self.assertIn("table AUK01 of dst has no area variable", p.stderr)
        p = self.run_cli("describe", "dst", "AUK01")  # without --area: a national series
        self.assertEqual(p.returncode, 0, p.stderr)
        block = p.stdout[p.stdout.index("series:\n"):]
        self.assertNotIn("OMRÅDE", block)
        self.paste_and_check(block)

    def test_usage(self):
        for args in (["tables"], ["describe", "dst"], ["tables", "dst", "--bogus"]):
            p = self.run_cli(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(self.srv.count(), 0)


if __name__ == "__main__":
    unittest.main()
