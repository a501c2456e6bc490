"""A tiny fake Mistral API for CLI tests: records requests, answers with canned JSON."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from mistral_svc.cli import shell


class FakeMistral:
    """Holds the routes to answer and the requests received."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        self.server = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v2"

    def route(self, method, path, body=None, status=200):
        """Answer ``method /v2<path>`` with ``body`` (dict/list as JSON, str as text)."""
        self.routes[(method, "/v2" + path)] = (status, body)

    def only(self):
        assert len(self.requests) == 1, self.requests
        return self.requests[0]


def _make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            content_type = self.headers.get("Content-Type", "")
            record = {
                "method": self.command,
                "path": parts.path,
                "query": {k: v[-1] for k, v in parse_qs(parts.query, True).items()},
                "content_type": content_type,
                "headers": dict(self.headers),
                "body": raw,
                "json": json.loads(raw) if raw and "json" in content_type else None,
            }
            fake.requests.append(record)
            status, body = fake.routes.get(
                (self.command, parts.path),
                (404, {"faultstring": f"Not found: {parts.path}", "debuginfo": None}),
            )
            if body is None:
                payload, ctype = b"", "application/json"
            elif isinstance(body, str):
                payload, ctype = body.encode("utf-8"), "text/plain"
            else:
                payload, ctype = json.dumps(body).encode("utf-8"), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture(scope="session")
def _fake_server():
    fake = FakeMistral()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(fake))
    fake.server = server
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake(_fake_server):
    """The shared fake server, with no routes and no recorded requests."""
    _fake_server.routes.clear()
    _fake_server.requests.clear()
    return _fake_server


@pytest.fixture
def run(fake, capsys, monkeypatch):
    """Run the CLI against the fake server; returns (exit_code, stdout, stderr)."""
    for var in ("MISTRAL_URL", "OS_MISTRAL_URL", "OS_AUTH_TOKEN", "OS_PROJECT_ID"):
        monkeypatch.delenv(var, raising=False)

    def _run(*args):
        capsys.readouterr()
        code = shell.main(["--os-mistral-url", fake.url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
