"""A local HTTP server that records the requests it gets, for std.http tests.

``/status/<code>`` answers with that status, ``/text`` with plain text,
``/redirect?to=<url>`` with a 302 to that URL (``&body=<n>``: with n bytes of body),
``/big/<n>`` with n bytes (declared in Content-Length), ``/chunked/<n>`` with n bytes in
chunks (no Content-Length), anything else with a JSON echo of the request (method,
path, query, headers, body).

The server listens on loopback, which std.http refuses by default; tests that use it
run inside ``loopback_allowed()``.
"""

import contextlib
import http.server
import json
import threading
import urllib.parse

from mistral_svc import config


@contextlib.contextmanager
def loopback_allowed(denied_cidrs=()):
    """std.http may reach loopback (``[action_std_http] denied_cidrs`` set to
    ``denied_cidrs``) while the block runs; the in-process executor reads it per run."""
    config.CONF.set_override("denied_cidrs", list(denied_cidrs), group="action_std_http")
    try:
        yield
    finally:
        config.CONF.clear_override("denied_cidrs", group="action_std_http")


class RecordingServer:
    """Starts on 127.0.0.1 on a free port; ``requests`` lists what arrived."""

    def __init__(self):
        self.requests = []
        self.arrived = threading.Condition()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                url = urllib.parse.urlsplit(self.path)
                record = {
                    "method": self.command,
                    "path": url.path,
                    "query": dict(urllib.parse.parse_qsl(url.query)),
                    "headers": dict(self.headers.items()),
                    "body": body,
                }
                with recorder.arrived:
                    recorder.requests.append(record)
                    recorder.arrived.notify_all()
                if url.path == "/redirect":
                    query = dict(urllib.parse.parse_qsl(url.query))
                    body = b"x" * int(query.get("body", 0))
                    self.send_response(302)
                    self.send_header("Location", query["to"])
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif url.path.startswith("/big/"):
                    self._send(200, "x" * int(url.path.rsplit("/", 1)[1]),
                               content_type="text/plain")
                elif url.path.startswith("/chunked/"):
                    self._chunked(int(url.path.rsplit("/", 1)[1]))
                elif url.path.startswith("/status/"):
                    self._send(int(url.path.rsplit("/", 1)[1]), {"error": "as asked"})
                elif url.path == "/text":
                    self._send(200, "plain words", content_type="text/plain")
                else:
                    self._send(200, record)

            def _send(self, status, payload, content_type="application/json"):
                data = (json.dumps(payload) if content_type == "application/json"
                        else payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _chunked(self, size):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                while size > 0:
                    n = min(size, 4096)
                    self.wfile.write(b"%x\r\n%s\r\n" % (n, b"x" * n))
                    size -= n
                self.wfile.write(b"0\r\n\r\n")

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def wait_for(self, predicate, timeout=10):
        """The first recorded request matching ``predicate``, waiting for it."""
        with self.arrived:
            found = self.arrived.wait_for(
                lambda: next((r for r in self.requests if predicate(r)), None), timeout)
        assert found, "no matching request arrived"
        return found

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
