"""``std.http`` and ``std.mistral_http``: HTTP requests from workflows (requests)."""

import json as jsonlib
import urllib.parse

import requests

from mistral_svc import config
from mistral_svc.actions import egress
from mistral_svc.actions.base import Action, ActionError, Result
from mistral_svc.redaction import mask_url

CONF = config.CONF


def _auth(auth):
    # "user:password" is the shorthand workflows use for HTTP basic auth.
    if isinstance(auth, str) and auth.count(":") == 1:
        return tuple(auth.split(":"))
    if isinstance(auth, list) and len(auth) == 2:
        return tuple(auth)
    return auth


def _headers(headers):
    # Header values must be strings for requests; workflows often give numbers.
    if not isinstance(headers, dict):
        return headers
    return {str(k): v if isinstance(v, (str, bytes)) else
            jsonlib.dumps(v) if isinstance(v, (dict, list)) else str(v)
            for k, v in headers.items()}


class HTTPAction(Action):
    """Sends an HTTP request and returns the response as a dict.

    :param url: URL of the request.
    :param method: HTTP method, GET by default.
    :param params: dict or bytes sent in the query string.
    :param body: request body; a dict is sent as JSON text.
    :param json: a JSON-serialisable value sent as a JSON body (not with body).
    :param headers: dict of request headers.
    :param cookies: dict of cookies.
    :param auth: "user:password" (HTTP basic) or a [user, password] pair.
    :param timeout: seconds to wait for the server ([action_std_http] default_timeout
        when not given).
    :param allow_redirects: follow redirects.
    :param proxies: dict mapping a protocol to a proxy URL.
    :param verify: for https, False to skip certificate checks or a CA bundle path.

    The request goes only where the ``[action_std_http]`` egress policy allows (see
    ``actions.egress``), and a response body larger than max_response_size_bytes fails
    the action. The result has content (parsed JSON when the body is JSON), status, headers,
    url, history, encoding, reason, cookies and elapsed; a status outside 200-306
    makes the action fail with that same dict as its error.
    """

    def __init__(self, url, method="GET", params=None, body=None, json=None, headers=None,
                 cookies=None, auth=None, timeout=None, allow_redirects=None, proxies=None,
                 verify=None):
        if body is not None and json is not None:
            raise ActionError("Only one of the parameters 'json' and 'body' can be passed")
        self.url = url
        self.method = method
        self.params = params
        self.body = jsonlib.dumps(body) if isinstance(body, dict) else body
        self.json = json
        self.headers = _headers(headers)
        self.cookies = cookies
        self.auth = _auth(auth)
        self.timeout = timeout
        self.allow_redirects = allow_redirects
        self.proxies = proxies
        self.verify = verify

    def _request_kwargs(self):
        kwargs = {
            "params": self.params,
            "data": self.body,
            "json": self.json,
            "headers": self.headers,
            "cookies": self.cookies,
            "auth": self.auth,
            "timeout": _timeout(self.timeout),
            "proxies": self.proxies,
        }
        if self.allow_redirects is not None:
            kwargs["allow_redirects"] = bool(self.allow_redirects)
        # Certificate checks only mean something for https; None keeps requests' default.
        if urllib.parse.urlsplit(str(self.url)).scheme == "https" and self.verify is not None:
            kwargs["verify"] = self.verify
        return kwargs

    def run(self, context):
        opts = CONF.action_std_http
        policy = egress.Policy.from_options(opts.denied_cidrs, opts.allowed_hosts)
        try:
            with egress.Session(policy, opts.max_response_size_bytes) as session:
                resp = session.request(str(self.method).upper(), self.url, stream=True,
                                       **self._request_kwargs())
                with resp:
                    egress.read_capped(resp, opts.max_response_size_bytes)
        except (egress.Blocked, egress.ResponseTooLarge) as e:
            raise ActionError(str(e))
        except (requests.RequestException, ValueError) as e:
            blocked = egress.blocked_cause(e)
            if blocked is not None:
                raise ActionError(str(blocked))
            raise ActionError("Failed to send HTTP request: %s" % mask_url(str(e)))
        result = response_dict(resp)
        if not 200 <= resp.status_code < 307:
            return Result(error=result)
        return result


def _timeout(value):
    """The request's timeout: its own, or the configured default (0: none)."""
    if value is not None:
        return float(value)
    default = CONF.action_std_http.default_timeout
    return float(default) if default else None


def response_dict(resp):
    """The parts of a ``requests`` response a workflow can use, as plain data."""
    try:
        content = resp.json()
    except ValueError:
        content = resp.text
    return {
        "content": content,
        "status": resp.status_code,
        "headers": dict(resp.headers.items()),
        "url": mask_url(resp.url),
        "history": [mask_url(r.url) for r in resp.history],
        "encoding": resp.encoding,
        "reason": resp.reason,
        "cookies": dict(resp.cookies.items()),
        "elapsed": resp.elapsed.total_seconds(),
    }


class MistralHTTPAction(HTTPAction):
    """Sends an HTTP request like std.http, adding headers that identify the action
    execution (Mistral-Workflow-Name, Mistral-Workflow-Execution-Id,
    Mistral-Execution-Id, Mistral-Task-Id, Mistral-Action-Execution-Id,
    Mistral-Callback-URL).

    The action is asynchronous: the receiving system reports the result later with
    PUT /v2/action_executions/<Mistral-Action-Execution-Id>. Only a failed request
    completes it at once (with an error).
    """

    def is_sync(self):
        return False

    def run(self, context):
        execution = getattr(context, "execution", None)

        def value(name):
            return getattr(execution, name, None)

        extra = {
            "Mistral-Workflow-Name": value("workflow_name"),
            "Mistral-Workflow-Execution-Id": value("workflow_execution_id"),
            "Mistral-Execution-Id": value("workflow_execution_id"),
            "Mistral-Task-Id": value("task_execution_id"),
            "Mistral-Action-Execution-Id": value("action_execution_id"),
            "Mistral-Callback-URL": value("callback_url"),
        }
        headers = dict(self.headers or {})
        headers.update({k: str(v) for k, v in extra.items() if v is not None})
        self.headers = headers
        return super().run(context)

