#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo's stand-in for the Jobindsats and Statistikbank APIs, on 127.0.0.1 (stdlib only).

Serves the response bodies in etc/demo/data/ (see etc/demo/README.md) at the paths the daemon
requests:

    GET  /jobindsats/v3/table/ID   -> data/jobindsats/v3/table/ID.json   (the query is ignored)
    GET  /jobindsats/v3/data/ID    -> data/jobindsats/v3/data/ID.json
    POST /statbank/v1/tableinfo    -> data/statbank/v1/tableinfo/TABLE.json  (TABLE from the JSON body)
    POST /statbank/v1/data         -> data/statbank/v1/data/TABLE.csv
    GET  /eurostat/data/ID         -> data/eurostat/data/ID.json          (JSON-stat 2.0)

Jobindsats v3 requests must carry "Authorization: Bearer TOKEN" with the demo token (--token-file);
otherwise the answer is 401 with Jobindsats' error body. Every answer has an ETag (a hash of the
file) and Last-Modified (the file's mtime); a matching If-None-Match gets 304 Not Modified, as a
real server would. Each request is appended to --log as one JSON line (method, path, query,
whether the bearer token was right, status); the token itself is never written.

    serve.py --data DIR --token-file FILE [--port-file FILE] [--log FILE]

Binds port 0 (the kernel picks a free port), writes the port to --port-file (atomically) and
prints "demo server on http://127.0.0.1:PORT" on stdout. Stops on SIGTERM or SIGINT.
"""

import argparse
import email.utils
import hashlib
import http
import http.server
import json
import os
import re
import signal
import sys
import threading
import urllib.parse

TABLE_ID = re.compile(r"^[A-Za-z0-9_]{1,32}$")


class DemoServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, data_dir, token, log_path):
        self.data_dir = os.path.abspath(data_dir)
        self.token = token
        self.log_path = log_path
        self.log_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

    def log_request_line(self, entry):
        if not self.log_path:
            return
        with self.log_lock, open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "labourwatch-demo/1"

    def log_message(self, fmt, *args):  # quiet: requests go to --log
        pass

    # -- answers ---------------------------------------------------------------------------------

    def send(self, status, body=b"", content_type=None, headers=None, token_ok=None):
        u = urllib.parse.urlsplit(self.path)
        self.server.log_request_line({"method": self.command, "path": u.path, "query": u.query,
                                      "token_ok": token_ok, "status": status})
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if status != 304 and self.command != "HEAD":
            self.wfile.write(body)

    def send_file(self, path, content_type, token_ok=None):
        try:
            with open(path, "rb") as f:
                body = f.read()
            mtime = os.path.getmtime(path)
        except OSError:
            return self.send_error_json(404, "no demo data for this request", token_ok)
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
        if self.headers.get("If-None-Match") == etag:
            return self.send(304, headers=headers, token_ok=token_ok)
        self.send(200, body, content_type, headers, token_ok)

    def send_error_json(self, status, detail, token_ok=None):
        self.send(status, json.dumps({"detail": detail}).encode("utf-8"), "application/json; charset=utf-8",
                  token_ok=token_ok)

    # -- routes ----------------------------------------------------------------------------------

    def jobindsats(self, kind, table):
        auth = self.headers.get("Authorization") or ""
        token_ok = auth == "Bearer " + self.server.token
        if not token_ok:
            # Jobindsats v3's answer to a missing or wrong token (tests/data/providers/v3_401.json)
            return self.send_error_json(401, "Not authenticated: expected header 'Authorization: Bearer <token>'",
                                        token_ok)
        if not TABLE_ID.match(table):
            return self.send_error_json(404, "unknown table", token_ok)
        self.send_file(os.path.join(self.server.data_dir, "jobindsats", "v3", kind, table.upper() + ".json"),
                       "application/json; charset=utf-8", token_ok)

    def statbank(self, kind, body):
        try:
            req = json.loads(body.decode("utf-8") or "{}")
            table = str(req.get("table", ""))
        except (ValueError, AttributeError, UnicodeDecodeError):
            table = ""
        if not TABLE_ID.match(table):
            # Statistikbank's error shape (tests/data/providers/error_notfound.json)
            return self.send(400, json.dumps({"errorTypeCode": "EXTRACT-NOTFOUND",
                                              "message": "Tabel findes ikke: %s" % table[:40]},
                                             ensure_ascii=False).encode("utf-8"),
                             "application/json; charset=utf-8")
        if kind == "tableinfo":
            path, ctype = ("tableinfo", table.upper() + ".json"), "application/json; charset=utf-8"
        else:
            path, ctype = ("data", table.upper() + ".csv"), "text/csv; charset=utf-8"
        self.send_file(os.path.join(self.server.data_dir, "statbank", "v1", *path), ctype)

    def do_GET(self):
        p = urllib.parse.urlsplit(self.path).path
        m = re.match(r"^/jobindsats/v3/(table|data)/([^/]+)/?$", p)
        if m:
            return self.jobindsats(m.group(1), urllib.parse.unquote(m.group(2)))
        m = re.match(r"^/eurostat/data/([A-Za-z0-9_]{1,32})$", p)
        if m:
            return self.send_file(os.path.join(self.server.data_dir, "eurostat", "data", m.group(1) + ".json"),
                                  "application/json")
        self.send_error_json(404, "no such demo path")

    do_HEAD = do_GET

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        p = urllib.parse.urlsplit(self.path).path.rstrip("/")
        if p in ("/statbank/v1/tableinfo", "/statbank/v1/data"):
            return self.statbank(p.rsplit("/", 1)[1], body)
        self.send_error_json(404, "no such demo path")


def main(argv):
    ap = argparse.ArgumentParser(description="labourwatch demo server on 127.0.0.1")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--token-file", required=True, help="the demo Jobindsats token (one line)")
    ap.add_argument("--port-file", help="write the chosen port here")
    ap.add_argument("--log", help="append one JSON line per request here")
    a = ap.parse_args(argv[1:])

    with open(a.token_file, encoding="utf-8") as f:
        token = f.read().rstrip("\n")
    if not token:
        print("serve.py: the token file is empty", file=sys.stderr)
        return 2
    srv = DemoServer(a.data, token, a.log)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    print("demo server on http://127.0.0.1:%d" % port, flush=True)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever()
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
