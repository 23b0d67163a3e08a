# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted HTTP server on 127.0.0.1 for integration tests (fetch, providers, notifications).

Threaded (http.server.ThreadingHTTPServer), bound to an ephemeral port (port 0). Each path gets a
scripted response, or a list of responses served in turn (the last one repeats), or a function
of the request. Every request is recorded (method, path, query, headers, body), so tests can
count requests and inspect conditional headers.

    from fixture_server import FixtureServer, Response

    with FixtureServer() as srv:
        srv.route("/v1/tableinfo", Response.fixture(DATA / "tableinfo_AUK01_da.json"))
        srv.route("/v1/data", Response(status=429, headers={"Retry-After": "120"}))
        srv.route("/slow", Response(body=b"x" * 10, never_end=True))
        url = srv.url("/v1")
        ...
        assert srv.count("/v1/data") == 1
        assert srv.requests("/v1/data")[0].headers.get("If-None-Match") == '"abc"'

Response knobs:
    status, reason          status line (reason defaults to Python's phrase; "" sends none)
    headers                 dict (Content-Length is added unless chunked/never_end/length given)
    body                    bytes (or str, UTF-8)
    delay                   seconds to wait before answering
    truncate                send only this many body bytes, announce the full Content-Length,
                            then close the connection
    length                  announce this Content-Length instead of len(body)
    chunked                 Transfer-Encoding: chunked (no Content-Length)
    never_end               send headers and the body (chunked) and then keep the connection open
                            without finishing, until the server stops (a stalled server)
    generate                bytes to generate instead of body (a large body), streamed chunked

echo_authorization(status) is a handler that echoes the request's Authorization header in the reason
phrase and the body (a careless gateway), for the secret-scrubbing tests.

Fixture files follow the providers' convention (tests/data/providers/README): FILE holds the body
and FILE.http the status line and headers ("HTTP/1.1 400 Bad Request" + "Name: value" lines);
Response.fixture(path) reads both (a missing .http means 200 OK).

Run standalone for manual poking: /usr/bin/python3 fixture_server.py DIR  (serves DIR/NAME with
NAME.http at /NAME).
"""

import http
import http.server
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Union


@dataclass
class Response:
    status: int = 200
    reason: Optional[str] = None
    headers: Dict[str, str] = field(default_factory=dict)
    body: Union[bytes, str] = b""
    delay: float = 0.0
    truncate: Optional[int] = None
    length: Optional[int] = None
    chunked: bool = False
    never_end: bool = False
    generate: int = 0

    @staticmethod
    def fixture(path, **overrides) -> "Response":
        """Body from path, status line and headers from path + '.http' (if present)."""
        path = Path(path)
        body = path.read_bytes()
        status, reason, headers = 200, None, {}
        meta = Path(str(path) + ".http")
        if meta.exists():
            lines = meta.read_text(encoding="utf-8").splitlines()
            if lines and lines[0].startswith("HTTP/"):
                parts = lines[0].split(" ", 2)
                status = int(parts[1])
                reason = parts[2] if len(parts) > 2 else ""
                lines = lines[1:]
            for line in lines:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip()] = v.strip()
        r = Response(status=status, reason=reason, headers=headers, body=body)
        for k, v in overrides.items():
            setattr(r, k, v)
        return r


def echo_authorization(status: int = 401) -> "Callable[[Request], Response]":
    """A careless gateway: answers `status` with the request's Authorization header echoed in the
    reason phrase AND in a JSON error body (issue 9 §2: nothing of it may reach a log, the store or
    the terminal)."""
    def handler(req: "Request") -> Response:
        auth = req.header("Authorization") or "(none)"
        body = ('{"title": "Unauthorized", "detail": "token rejected: %s", "status": %d}' % (auth, status))
        return Response(status=status, reason=f"Denied {auth}",
                        headers={"Content-Type": "application/problem+json"}, body=body)
    return handler


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: Dict[str, str]
    body: bytes

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


Handler = Union[Response, List[Response], Callable[[Request], Response]]


class FixtureServer:
    def __init__(self, tls=None):
        """tls: None, or (certfile, keyfile) to serve https:// (see make_self_signed())."""
        self._tls = tls
        self._routes: Dict[str, Handler] = {}
        self._served: Dict[str, int] = {}
        self._requests: List[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = None
        self._thread = None
        self.port = 0

    # -- scripting -------------------------------------------------------------------------------

    def route(self, path: str, handler: Handler):
        """Scripts path (without query; a route "PATH?QUERY" matches that exact query first)."""
        with self._lock:
            self._routes[path] = handler
            self._served[path] = 0

    def clear(self):
        with self._lock:
            self._routes.clear()
            self._served.clear()
            self._requests.clear()

    def requests(self, path: Optional[str] = None) -> List[Request]:
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def count(self, path: Optional[str] = None) -> int:
        return len(self.requests(path))

    def reset_counts(self):
        with self._lock:
            self._requests.clear()

    def url(self, path: str = "") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "FixtureServer":
        server = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # quiet
                pass

            def _handle(self):
                u = urllib.parse.urlsplit(self.path)
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                req = Request(self.command, u.path, u.query, dict(self.headers.items()), body)
                resp = server._pick(req)
                server._send(self, resp)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _handle

        class S(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._httpd = S(("127.0.0.1", 0), H)
        if self._tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self._tls)
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- internals -------------------------------------------------------------------------------

    def _pick(self, req: Request) -> Response:
        with self._lock:
            self._requests.append(req)
            key = None
            if req.query and f"{req.path}?{req.query}" in self._routes:
                key = f"{req.path}?{req.query}"
            elif req.path in self._routes:
                key = req.path
            if key is None:
                return Response(status=404, headers={"Content-Type": "text/html"},
                                body=b"<html><head><title>404 Not Found</title></head><body>no route</body></html>")
            h = self._routes[key]
            i = self._served[key]
            self._served[key] = i + 1
        if callable(h) and not isinstance(h, Response):
            return h(req)
        if isinstance(h, list):
            return h[min(i, len(h) - 1)]
        return h

    def _send(self, w, r: Response):
        if r.delay:
            if self._stop.wait(r.delay):
                return
        body = r.body.encode("utf-8") if isinstance(r.body, str) else r.body
        try:
            reason = r.reason
            if reason is None:
                try:
                    reason = http.HTTPStatus(r.status).phrase
                except ValueError:
                    reason = ""
            status_line = f"HTTP/1.1 {r.status} {reason}" if reason else f"HTTP/1.1 {r.status}"
            w.wfile.write(status_line.encode("latin-1") + b"\r\n")
            headers = dict(r.headers)
            streamed = r.chunked or r.never_end or r.generate
            if streamed:
                headers["Transfer-Encoding"] = "chunked"
            elif r.length is not None:
                headers["Content-Length"] = str(r.length)
            elif r.status != 304 and r.status >= 200:
                headers["Content-Length"] = str(len(body))
            if not r.never_end:
                headers["Connection"] = "close"
            for k, v in headers.items():
                w.wfile.write(f"{k}: {v}\r\n".encode("latin-1"))
            w.wfile.write(b"\r\n")
            w.close_connection = True
            if w.command == "HEAD" or r.status == 304:
                w.wfile.flush()
                return
            if r.generate:
                chunk = b"x" * 65536
                left = r.generate
                while left > 0 and not self._stop.is_set():
                    c = chunk[: min(left, len(chunk))]
                    w.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
                    left -= len(c)
                w.wfile.write(b"0\r\n\r\n")
            elif streamed:
                if body:
                    w.wfile.write(b"%x\r\n%s\r\n" % (len(body), body))
                w.wfile.flush()
                if r.never_end:
                    self._stop.wait()  # stalled: never send the last chunk
                    return
                w.wfile.write(b"0\r\n\r\n")
            elif r.truncate is not None:
                w.wfile.write(body[: r.truncate])
                w.wfile.flush()
                try:
                    w.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            else:
                w.wfile.write(body)
            w.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


class ServerTestCase(unittest.TestCase):
    """A test case with one FixtureServer for the class (cls.srv, routes cleared before each test)
    and a fresh temporary directory per test (self.dir, with an empty self.dir / "state")."""

    @classmethod
    def setUpClass(cls):
        cls.srv = FixtureServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        self.srv.clear()
        self.tmp = tempfile.TemporaryDirectory(prefix="lw-test-")
        self.dir = Path(self.tmp.name)
        self.state = self.dir / "state"
        self.state.mkdir()

    def tearDown(self):
        self.tmp.cleanup()


def make_self_signed(directory) -> tuple:
    """Writes a self-signed certificate for 127.0.0.1 (openssl CLI) and returns (cert, key)."""
    d = Path(directory)
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


def _main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} DIR", file=sys.stderr)
        return 2
    d = Path(argv[1])
    srv = FixtureServer().start()
    for p in sorted(d.iterdir()):
        if p.is_file() and not p.name.endswith(".http"):
            srv.route("/" + p.name, Response.fixture(p))
    print(f"serving {d} at {srv.url('/')}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
