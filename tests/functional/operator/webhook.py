"""A local HTTP endpoint that records the webhooks it receives."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests import waiting


class Receiver:
    """Records POSTed JSON bodies; answers ``fail_first`` requests with a 500."""

    def __init__(self, fail_first=0):
        self.bodies = []
        self.headers = []
        self.fail_first = fail_first
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                receiver.attempts += 1
                if receiver.attempts <= receiver.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.bodies.append(body)
                receiver.headers.append(dict(self.headers))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_port

    def wait_for(self, predicate, timeout=20):
        waiting.wait_for(lambda: predicate(self.bodies), timeout,
                         message=lambda: "webhooks received: %s" % self.bodies)
        return self.bodies

    def close(self):
        self.server.shutdown()
        self.server.server_close()
