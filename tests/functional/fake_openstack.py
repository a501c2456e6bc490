"""A local stand-in for Keystone, Nova and Cinder: just the calls the tests make.

Keystone issues a token whose catalog lists compute and volumev3 endpoints in two
regions (``/RegionOne/...`` and ``/RegionTwo/...`` on this same server); Nova and
Cinder keep servers and volumes in memory per region and insist on that token.
"""

import http.server
import json
import re
import threading
import uuid

PROJECT_ID = "p-demo"


class FakeOpenStack:
    """Starts on 127.0.0.1 on a free port; ``auth_url`` is the Keystone v3 URL."""

    def __init__(self, username="demo", password="s3cret"):
        self.username, self.password = username, password
        self.tokens = set()
        # The method of each token request: "password" or "token".
        self.auth_methods = []
        self.requests = []
        self.servers = {}
        self.volumes = {}
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length)) if length else None

            def _send(self, status, payload=None, headers=None):
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                path = self.path.split("?", 1)[0].rstrip("/")
                stand_in.requests.append((self.command, path))
                if path.startswith("/identity"):
                    return stand_in.identity(self, path)
                if self.headers.get("X-Auth-Token") not in stand_in.tokens:
                    return self._send(401, {"error": {"message": "bad token"}})
                m = re.match(r"^/(Region\w+)/(compute/v2\.1|volume/v3/[\w-]+)(/.*)?$", path)
                if not m:
                    return self._send(404, {"itemNotFound": {"message": path}})
                region, service, rest = m.group(1), m.group(2), m.group(3) or ""
                if service.startswith("compute"):
                    return stand_in.compute(self, region, rest)
                return stand_in.volume(self, region, rest)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self.auth_url = self.url + "/identity/v3"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # --- keystone -------------------------------------------------------------------

    def _catalog(self):
        def endpoints(path):
            return [{"id": uuid.uuid4().hex, "interface": "public", "region": region,
                     "region_id": region, "url": "%s/%s/%s" % (self.url, region, path)}
                    for region in ("RegionOne", "RegionTwo")]

        return [
            {"id": "c1", "type": "compute", "name": "nova",
             "endpoints": endpoints("compute/v2.1")},
            {"id": "v3", "type": "volumev3", "name": "cinderv3",
             "endpoints": endpoints("volume/v3/" + PROJECT_ID)},
        ]

    def identity(self, h, path):
        if h.command == "GET" and path == "/identity/v3":
            return h._send(200, {"version": {
                "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": self.auth_url + "/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.identity-v3+json"}]}})
        if h.command == "POST" and path == "/identity/v3/auth/tokens":
            identity = h._body()["auth"]["identity"]
            self.auth_methods.append(identity["methods"][0])
            if identity["methods"] == ["token"]:
                # Re-scoping a token it issued, as Keystone does for a caller's token.
                if identity["token"]["id"] not in self.tokens:
                    return h._send(401, {"error": {"message": "unknown token"}})
                pw = {"name": self.username, "password": self.password}
            else:
                pw = identity["password"]["user"]
            if pw.get("name") != self.username or pw.get("password") != self.password:
                return h._send(401, {"error": {"message": "wrong credentials"}})
            token = "tok-" + uuid.uuid4().hex
            self.tokens.add(token)
            domain = {"id": "default", "name": "Default"}
            return h._send(201, {"token": {
                "methods": ["password"],
                "expires_at": "2099-01-01T00:00:00.000000Z",
                "issued_at": "2024-01-01T00:00:00.000000Z",
                "user": {"id": "u-demo", "name": self.username, "domain": domain},
                "project": {"id": PROJECT_ID, "name": "demo", "domain": domain},
                "roles": [{"id": "r1", "name": "member"}],
                "catalog": self._catalog(),
            }}, headers={"X-Subject-Token": token})
        return h._send(404, {"error": {"message": path}})

    # --- nova -----------------------------------------------------------------------

    def compute(self, h, region, rest):
        servers = self.servers.setdefault(region, {})
        if h.command == "POST" and rest == "/servers":
            req = h._body()["server"]
            server = {
                "id": str(uuid.uuid4()), "name": req["name"], "status": "ACTIVE",
                "image": {"id": req.get("imageRef")}, "flavor": {"id": req.get("flavorRef")},
                "tenant_id": PROJECT_ID, "metadata": req.get("metadata") or {},
                "addresses": {}, "links": [],
            }
            servers[server["id"]] = server
            return h._send(202, {"server": {"id": server["id"], "links": [],
                                            "adminPass": "generated"}})
        if h.command == "GET" and rest in ("/servers/detail", "/servers"):
            return h._send(200, {"servers": list(servers.values())})
        m = re.match(r"^/servers/([\w-]+)$", rest)
        if m and h.command == "GET" and m.group(1) in servers:
            return h._send(200, {"server": servers[m.group(1)]})
        return h._send(404, {"itemNotFound": {"code": 404,
                                              "message": "Instance could not be found."}})

    # --- cinder ---------------------------------------------------------------------

    def volume(self, h, region, rest):
        volumes = self.volumes.setdefault(region, {})
        if h.command == "POST" and rest == "/volumes":
            req = h._body()["volume"]
            vol = {"id": str(uuid.uuid4()), "name": req.get("name"), "size": req["size"],
                   "status": "available", "metadata": req.get("metadata") or {},
                   "links": []}
            volumes[vol["id"]] = vol
            return h._send(202, {"volume": vol})
        if h.command == "GET" and rest in ("/volumes/detail", "/volumes"):
            return h._send(200, {"volumes": list(volumes.values())})
        m = re.match(r"^/volumes/([\w-]+)$", rest)
        if m and h.command == "GET" and m.group(1) in volumes:
            return h._send(200, {"volume": volumes[m.group(1)]})
        return h._send(404, {"itemNotFound": {"code": 404, "message": "Volume not found."}})
