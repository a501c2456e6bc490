"""A small HTTP client for the Mistral REST API v2.

It knows the base URL, optional token, how to send JSON or plain-text bodies and how
to turn an error response into an exception carrying the server's message.
"""

import json
import re
from urllib.parse import quote

import requests

# Connect quickly or fail; reads may legitimately take long (e.g. run-action --run-sync).
DEFAULT_TIMEOUT = (10, 600)


class ClientError(Exception):
    """A failure talking to the API (connection problem, unreadable response)."""


class APIError(ClientError):
    """The API answered with an error status; ``str()`` is the server's message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def quote_segment(value):
    """Quote one path segment so names with '/', spaces or '<>' stay a single segment."""
    return quote(str(value), safe="")


class HTTPClient:
    """Sends requests under a base URL such as ``http://127.0.0.1:8989/v2``."""

    def __init__(self, base_url, token=None, verify=True, timeout=DEFAULT_TIMEOUT,
                 project_id=None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.project_id = project_id
        self.verify = verify
        self.timeout = timeout
        self.session = requests.Session()

    def _headers(self, content_type=None):
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["X-Auth-Token"] = self.token
        if self.project_id:
            # As the official client does; behind keystonemiddleware the token decides.
            headers["X-Project-Id"] = self.project_id
        return headers

    def request(self, method, path, params=None, json_body=None, text=None):
        """Send a request and return the decoded JSON body (None when there is none).

        ``json_body`` is serialised as application/json; ``text`` is sent as
        text/plain, which is how the API expects YAML definitions.
        """
        url = self.base_url + path
        data = None
        content_type = None
        if text is not None:
            data = text.encode("utf-8")
            content_type = "text/plain"
        elif json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            content_type = "application/json"
        try:
            resp = self.session.request(
                method,
                url,
                params=params or None,
                data=data,
                headers=self._headers(content_type),
                verify=self.verify,
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise ClientError(f"Timed out waiting for the Mistral API at {self.base_url}")
        except requests.ConnectionError as exc:
            raise ClientError(
                f"Unable to connect to the Mistral API at {self.base_url}: {_reason(exc)}"
            )
        except requests.RequestException as exc:
            raise ClientError(f"Request to the Mistral API at {self.base_url} failed: {exc}")
        if resp.status_code >= 400:
            raise APIError(resp.status_code, _error_message(resp))
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise ClientError(
                f"Malformed response from {method} {url} (status {resp.status_code}): "
                f"{resp.text[:200]}"
            )

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, json_body=None, text=None, params=None):
        return self.request("POST", path, params=params, json_body=json_body, text=text)

    def put(self, path, json_body=None, text=None, params=None):
        return self.request("PUT", path, params=params, json_body=json_body, text=text)

    def delete(self, path, params=None):
        return self.request("DELETE", path, params=params)


def _reason(exc):
    # requests nests the socket error a few levels deep; its text is what users need.
    match = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return match.group(1).strip() if match else str(exc)


def _error_message(resp):
    # Mistral reports errors as {"faultstring": ...}; some deployments also set a
    # Server-Error-Message header, which the official client prefers.
    message = resp.headers.get("Server-Error-Message")
    if message:
        return str(message)
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("faultstring") or body.get("message") or body.get("error")
        if message:
            return str(message)
        if body.get("title"):
            # webob's own JSON error page, e.g. for a URL the API does not serve.
            return _with_request(resp, f"{resp.status_code} {body['title']}")
    if "html" in resp.headers.get("Content-Type", ""):
        # A proxy or the web framework answered with a page: its title says enough.
        title = re.search(r"<title>(.*?)</title>", resp.text, re.S | re.I)
        text = " ".join((title.group(1) if title else "").split())
        return _with_request(resp, text or f"{resp.status_code} {resp.reason}")
    return resp.text.strip() or resp.reason or "unknown error"


def _with_request(resp, message):
    url = resp.url.split("?", 1)[0]
    return f"{message} ({resp.request.method} {url})"
