"""A minimal client for the parts of the Mistral REST API v2 the benchmark uses.

Only documented endpoints are called, so the benchmark runs unchanged against
any server that speaks API v2. Each thread gets its own ``requests.Session``
(sessions are not documented as thread-safe), and every session keeps a
connection pool so that keep-alive connections are reused between calls.
"""

from __future__ import annotations

import json
import threading

import requests
from requests.adapters import HTTPAdapter

DEFAULT_URL = "http://127.0.0.1:8989/v2"

# The upstream API clamps list requests to [api] max_limit (1000 by default);
# staying below it means a full page reliably signals that more may follow.
PAGE_SIZE = 500


class ApiError(RuntimeError):
    """An API call failed: unexpected status code, or no response at all."""

    def __init__(self, method: str, url: str, status: int | None, body: str):
        self.status = status
        snippet = body if len(body) <= 500 else body[:500] + "..."
        outcome = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{method} {url} -> {outcome}: {snippet}")


class MistralClient:
    """Thin wrapper around the workflow and execution endpoints."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        auth_token: str | None = None,
        request_timeout: float = 120.0,
        pool_size: int = 32,
    ):
        self.base_url = base_url.rstrip("/")
        self.request_timeout = request_timeout
        self.pool_size = pool_size
        # No Accept header on purpose: upstream's workflow upload handler is
        # exposed as text/plain and answers 406 to "Accept: application/json".
        self._headers: dict[str, str] = {}
        if auth_token:
            self._headers["X-Auth-Token"] = auth_token
        self._local = threading.local()
        # Start requests that had to be resent; reported so that a flaky
        # server does not go unnoticed.
        self.dropped_starts = 0

    # -- plumbing -----------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.pool_size)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update(self._headers)
            self._local.session = session
        return session

    def request(self, method: str, path: str, *, expect=(200,), **kwargs) -> requests.Response:
        """Send one request and raise ApiError unless the status is expected."""
        url = f"{self.base_url}{path}"
        kwargs.setdefault("timeout", self.request_timeout)
        try:
            resp = self._session().request(method, url, **kwargs)
        except requests.RequestException as exc:
            # requests' messages omit the path, which is what tells apart a
            # slow workflow upload from a slow execution start.
            raise ApiError(method, url, None, str(exc)) from exc
        if resp.status_code not in expect:
            raise ApiError(method, url, resp.status_code, resp.text)
        return resp

    # -- workflows ----------------------------------------------------------

    def create_workflow(self, definition: str, timeout: float | None = None) -> list[dict]:
        """POST a DSL v2 document; returns the created workflow records.

        ``timeout`` overrides the usual request timeout: validating a
        definition with hundreds of tasks can take a server much longer
        than any other call.
        """
        resp = self.request(
            "POST",
            "/workflows",
            data=definition.encode("utf-8"),
            headers={"Content-Type": "text/plain"},
            expect=(200, 201),
            timeout=timeout or self.request_timeout,
        )
        return resp.json().get("workflows", [])

    def delete_workflow(self, name: str, *, missing_ok: bool = True) -> bool:
        """Delete a workflow by name; returns False if it did not exist."""
        expect = (200, 204, 404) if missing_ok else (200, 204)
        resp = self.request("DELETE", f"/workflows/{name}", expect=expect)
        return resp.status_code != 404

    # -- executions ---------------------------------------------------------

    def start_execution(self, workflow_name: str, input_json: str, retries: int = 1) -> dict:
        """Start a workflow; ``input_json`` is already JSON-encoded (wire format).

        A connection dropped before any response is retried ``retries``
        times: servers with a small accept queue reset connections when many
        starts arrive at once. Timeouts are not retried, because the server
        may still be creating the execution.
        """
        body = json.dumps({"workflow_name": workflow_name, "input": input_json})
        while True:
            try:
                resp = self.request(
                    "POST",
                    "/executions",
                    data=body,
                    headers={"Content-Type": "application/json"},
                    expect=(200, 201),
                )
                return resp.json()
            except ApiError as exc:
                cause = exc.__cause__
                dropped = isinstance(cause, requests.ConnectionError) and not isinstance(
                    cause, requests.Timeout
                )
                if not dropped or retries <= 0:
                    raise
                retries -= 1
                self.dropped_starts += 1

    def get_execution(self, execution_id: str, fields: str | None = None) -> dict:
        """Fetch one execution, optionally restricted to some fields."""
        params = {"fields": fields} if fields else None
        return self.request("GET", f"/executions/{execution_id}", params=params).json()

    def list_execution_states(self, workflow_name: str, state: str | None = None) -> dict[str, str]:
        """Map execution id -> state for every execution of one workflow (only
        those in ``state`` if given).

        Pages through the list with ``marker`` so that a server applying a
        maximum page size still returns everything.
        """
        states: dict[str, str] = {}
        marker = None
        while True:
            params = {
                "workflow_name": workflow_name,
                "fields": "id,state",
                "limit": PAGE_SIZE,
            }
            if state:
                params["state"] = state
            if marker:
                params["marker"] = marker
            page = self.request("GET", "/executions", params=params).json()
            rows = page.get("executions", [])
            for row in rows:
                states[row["id"]] = row.get("state")
            if len(rows) < PAGE_SIZE or rows[-1]["id"] == marker:
                return states
            marker = rows[-1]["id"]

    def cancel_execution(self, execution_id: str) -> None:
        """Ask the server to cancel a running execution."""
        self.request(
            "PUT",
            f"/executions/{execution_id}",
            data=json.dumps({"state": "CANCELLED"}),
            headers={"Content-Type": "application/json"},
        )

    def delete_execution(self, execution_id: str) -> None:
        """Delete an execution record (tolerates one that is already gone)."""
        self.request("DELETE", f"/executions/{execution_id}", expect=(200, 204, 404))

    def ping(self) -> None:
        """Cheap request proving the API is reachable and answering."""
        self.request("GET", "/workflows", params={"limit": 1, "fields": "id,name"})
