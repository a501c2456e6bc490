"""Where ``std.http`` may connect: the ``[action_std_http]`` egress policy.

A workflow author chooses the URL, so without a policy any user of the API could make
the executor fetch the service's own loopback endpoints or a cloud metadata service.
The policy refuses schemes other than http and https, hosts outside ``allowed_hosts``
(when that list is set) and every address inside ``denied_cidrs``.

The check runs three times over: on the URL before the request (every address the host
resolves to), on the URL of every redirect before it is followed, and on the address
of each socket once it is connected, which is the address actually talked to (so a name
that resolves to a public address at the check and to loopback at the connection,
DNS rebinding, is refused all the same).
"""

import dataclasses
import ipaddress
import logging
import socket
import urllib.parse

import requests
from requests import adapters
from urllib3 import connection as u3_connection, connectionpool

LOG = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")


class Blocked(Exception):
    """The policy refuses a URL or an address; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class Policy:
    """Denied networks (``ipaddress`` networks) and the allowed host names (empty: any)."""

    denied: tuple = ()
    allowed_hosts: tuple = ()

    @classmethod
    def from_options(cls, denied_cidrs, allowed_hosts):
        """A policy from the option values; an entry that is no network is skipped
        with a warning rather than taking std.http down."""
        networks = []
        for cidr in denied_cidrs or ():
            try:
                networks.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
            except ValueError:
                LOG.warning("Ignoring [action_std_http] denied_cidrs entry %r: not a "
                            "network", cidr)
        return cls(tuple(networks), tuple(h.lower() for h in allowed_hosts or ()))

    def check_address(self, host, address):
        """Blocked if ``address`` (an IP string) lies in a denied network."""
        try:
            ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        except ValueError:
            return
        # An IPv4 address written as IPv6 (::ffff:127.0.0.1) is still that IPv4 address.
        mapped = getattr(ip, "ipv4_mapped", None)
        for candidate in (ip, mapped):
            if candidate is None:
                continue
            for network in self.denied:
                if candidate.version == network.version and candidate in network:
                    raise Blocked(
                        "Request to '%s' refused: %s is a blocked address "
                        "([action_std_http] denied_cidrs)" % (host, candidate))

    def check_url(self, url):
        """Blocked unless ``url`` is http(s), its host allowed, and every address the
        host resolves to outside the denied networks."""
        try:
            parts = urllib.parse.urlsplit(str(url))
            port = parts.port
        except ValueError as e:
            raise Blocked("Request refused: malformed URL (%s)" % e)
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise Blocked("Request refused: URL scheme '%s' is not allowed (only http "
                          "and https are)" % parts.scheme)
        host = parts.hostname
        if not host:
            raise Blocked("Request refused: the URL has no host")
        if self.allowed_hosts and host.lower() not in self.allowed_hosts:
            raise Blocked("Request to '%s' refused: the host is not in "
                          "[action_std_http] allowed_hosts" % host)
        if not self.denied:
            return
        try:
            infos = socket.getaddrinfo(host, port or 0, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            # Nothing to connect to: the request fails on its own, and the connection
            # check below still sees any address a later resolution gives.
            return
        for info in infos:
            self.check_address(host, info[4][0])


def _checked_connection(base):
    class Checked(base):
        egress_policy = Policy()

        def _new_conn(self):
            sock = super()._new_conn()
            try:
                peer = sock.getpeername()[0]
                self.egress_policy.check_address(self.host, peer)
            except Blocked:
                sock.close()
                raise
            return sock

    Checked.__name__ = "Checked" + base.__name__
    return Checked


class _Adapter(adapters.HTTPAdapter):
    """An adapter whose connections check the address they reached."""

    def __init__(self, policy, **kwargs):
        self._policy = policy
        super().__init__(**kwargs)

    def _pool_classes(self):
        policy = self._policy
        classes = {}
        for scheme, pool, conn in (
                ("http", connectionpool.HTTPConnectionPool, u3_connection.HTTPConnection),
                ("https", connectionpool.HTTPSConnectionPool,
                 u3_connection.HTTPSConnection)):
            checked = _checked_connection(conn)
            checked.egress_policy = policy
            classes[scheme] = type("Checked" + pool.__name__, (pool,),
                                   {"ConnectionCls": checked})
        return classes

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes()

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = self._pool_classes()
        return manager


class ResponseTooLarge(Exception):
    """A response body passed the size it may have; the message says which."""


def read_capped(resp, limit):
    """Read the body of a streamed response, failing (ResponseTooLarge) once it passes
    ``limit`` bytes (0: no limit), whether or not the server declared a Content-Length.
    The response then holds its body as if requests had read it itself."""
    if limit:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge("HTTP response is too large (Content-Length=%s, "
                                   "limit=%s bytes)" % (declared, limit))
    chunks, size = [], 0
    for chunk in resp.iter_content(64 * 1024):
        size += len(chunk)
        if limit and size > limit:
            raise ResponseTooLarge("HTTP response is too large (more than %s bytes)"
                                   % limit)
        chunks.append(chunk)
    resp._content = b"".join(chunks)
    resp._content_consumed = True


class Session(requests.Session):
    """A requests session that applies ``policy`` to the first URL, every redirect
    and every connection it opens, and reads the body of a redirect it gets within
    ``max_body`` bytes (0: no limit)."""

    def __init__(self, policy, max_body=0):
        super().__init__()
        self.egress_policy = policy
        self.max_body = max_body
        adapter = _Adapter(policy)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request, **kwargs):
        # requests follows redirects by calling send again: each hop comes here.
        self.egress_policy.check_url(request.url)
        return super().send(request, **kwargs)

    def get_redirect_target(self, resp):
        # requests reads a redirect's whole body before it follows (or declines to
        # follow) it: read here first, within the limit.
        target = super().get_redirect_target(resp)
        if target and not resp._content_consumed:
            read_capped(resp, self.max_body)
        return target


def blocked_cause(error):
    """The ``Blocked`` inside an exception requests raised, or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, Blocked):
            return error
        seen.add(id(error))
        for arg in getattr(error, "args", ()):
            if isinstance(arg, Blocked):
                return arg
            reason = getattr(arg, "reason", None)
            if isinstance(reason, Blocked):
                return reason
        error = getattr(error, "reason", None) or error.__cause__ or error.__context__
    return None
