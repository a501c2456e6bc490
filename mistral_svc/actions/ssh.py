"""``std.ssh``, ``std.ssh_proxied`` and ``std.wait_ssh`` (paramiko).

A host is ``name``, ``name:port`` or ``[ipv6]:port``; port 22 by default. Host keys
are accepted on first sight, as upstream Mistral does: executors usually reach hosts
that were just created by the same workflow.
"""

import io
import os
import threading
import time

from mistral_svc.actions.base import Action, ActionError

#: Seconds allowed to open a connection and to authenticate.
CONNECT_TIMEOUT = 30
_MAX_ERROR_TEXT = 1000


def _paramiko():
    try:
        import paramiko
    except ImportError:  # pragma: no cover - paramiko is a declared dependency
        raise ActionError("SSH actions need the 'paramiko' package on the executor")
    return paramiko


def split_host(host):
    """``(hostname, port)`` of ``name``, ``name:port`` or ``[v6]:port``."""
    host = str(host).strip()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, int(rest[1:]) if rest.startswith(":") else 22
    if host.count(":") == 1:
        name, port = host.split(":")
        return name, int(port)
    return host, 22


def _load_key(private_key=None, filename=None):
    """A paramiko key from PEM/OpenSSH text or a file (relative names: in ~/.ssh)."""
    if not private_key and not filename:
        return None
    paramiko = _paramiko()
    if filename:
        # As in Mistral: a key path never climbs out of where it points (~/.ssh for a
        # relative name), whatever the separator.
        if ".." in str(filename).replace("\\", "/").split("/"):
            raise ActionError("Private key filename must not contain '..'. Actual: %s"
                              % filename)
        path = os.path.expanduser(filename)
        if not os.path.isabs(path):
            path = os.path.join(os.path.expanduser("~"), ".ssh", path)
        try:
            with open(path) as f:
                private_key = f.read()
        except OSError as e:
            raise ActionError("Cannot read private key file %s: %s" % (filename, e))
    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key(io.StringIO(private_key))
        except (paramiko.SSHException, ValueError):
            continue
    raise ActionError("The private key is not a supported RSA, ECDSA or Ed25519 key")


def connect(host, username, password=None, pkey=None, sock=None):
    """An authenticated paramiko SSHClient (the caller closes it)."""
    paramiko = _paramiko()
    hostname, port = split_host(host)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    explicit = bool(password) or pkey is not None
    client.connect(
        hostname, port=port, username=username, password=password or None, pkey=pkey,
        sock=sock, timeout=CONNECT_TIMEOUT, banner_timeout=CONNECT_TIMEOUT,
        auth_timeout=CONNECT_TIMEOUT,
        # Without credentials of its own the action may use the executor's keys/agent.
        look_for_keys=not explicit, allow_agent=not explicit,
    )
    return client


def execute(client, cmd):
    """Run ``cmd``; returns (exit code, stdout, stderr) as text."""
    chan = client.get_transport().open_session()
    chan.exec_command(cmd)
    # Drain stderr on the side so a chatty command cannot block on a full window.
    err_chunks = []

    def drain():
        while True:
            data = chan.recv_stderr(32768)
            if not data:
                return
            err_chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out_chunks = []
    while True:
        data = chan.recv(32768)
        if not data:
            break
        out_chunks.append(data)
    code = chan.recv_exit_status()
    reader.join()
    chan.close()
    decode = lambda chunks: b"".join(chunks).decode("utf-8", "replace")  # noqa: E731
    return code, decode(out_chunks), decode(err_chunks)


class SSHAction(Action):
    """Runs a shell command over SSH on one host or on each host of a list.

    :param cmd: the command.
    :param host: host name, host:port, or a list of them (the result is then a list).
    :param username: user to log in as.
    :param password: password, if the host takes passwords.
    :param private_key_filename: private key file on the executor (relative names
        are looked up in ~/.ssh).
    :param private_key: private key text.
    :param return_result_on_error: when true the action succeeds whatever the exit
        code and returns a dict with stdout, stderr and exit_code.

    The result is the command's standard output; a non-zero exit code fails the
    action unless return_result_on_error is set.
    """

    def __init__(self, cmd, host, username, password="", private_key_filename=None,
                 private_key=None, return_result_on_error=False):
        self.cmd = cmd
        self.host = host
        self.username = username
        self.password = password
        self.private_key_filename = private_key_filename
        self.private_key = private_key
        self.return_result_on_error = bool(return_result_on_error)

    def _open(self, host, pkey):
        return connect(host, self.username, self.password, pkey)

    def _run_on(self, host, pkey):
        try:
            client = self._open(host, pkey)
        except ActionError:
            raise
        except Exception as e:  # noqa: BLE001 - socket, auth and protocol errors alike
            raise ActionError("Failed to execute ssh cmd '%s' on %s: %s"
                              % (self.cmd, host, e))
        try:
            code, out, err = execute(client, self.cmd)
        finally:
            client.close()
        if self.return_result_on_error:
            return {"stdout": out, "stderr": err, "exit_code": code}
        if code != 0:
            raise ActionError("Failed to execute ssh cmd '%s' on %s: exit code %s%s"
                              % (self.cmd, host, code,
                                 ", stderr: %s" % err[-_MAX_ERROR_TEXT:] if err else ""))
        return out

    def run(self, context):
        pkey = _load_key(self.private_key, self.private_key_filename)
        if isinstance(self.host, list):
            return [self._run_on(h, pkey) for h in self.host]
        return self._run_on(self.host, pkey)


class SSHProxiedAction(SSHAction):
    """Runs a shell command over SSH on a host reached through a gateway host.

    :param cmd: the command.
    :param host: the target host (as seen from the gateway), host or host:port.
    :param username: user on the target host.
    :param private_key_filename: private key file used on both hosts.
    :param gateway_host: the gateway, host or host:port.
    :param gateway_username: user on the gateway (username by default).
    :param password: password on the target host.
    :param proxy_command: a command whose stdin/stdout reach the gateway's SSH port
        (e.g. through a bastion), instead of a direct connection.
    :param private_key: private key text, instead of a file.
    """

    def __init__(self, cmd, host, username, private_key_filename, gateway_host,
                 gateway_username=None, password=None, proxy_command=None,
                 private_key=None):
        super().__init__(cmd, host, username, password, private_key_filename, private_key)
        self.gateway_host = gateway_host
        self.gateway_username = gateway_username or username
        self.proxy_command = proxy_command

    def _open(self, host, pkey):
        paramiko = _paramiko()
        sock = paramiko.ProxyCommand(self.proxy_command) if self.proxy_command else None
        gateway = connect(self.gateway_host, self.gateway_username, None, pkey, sock=sock)
        try:
            channel = gateway.get_transport().open_channel(
                "direct-tcpip", split_host(host), ("127.0.0.1", 0),
                timeout=CONNECT_TIMEOUT)
            client = connect(host, self.username, self.password, pkey, sock=channel)
        except Exception:
            gateway.close()
            raise
        # Closing the target connection must also close the gateway behind it.
        close = client.close

        def close_both():
            close()
            gateway.close()

        client.close = close_both
        return client


class WaitSSHAction(Action):
    """Waits until a host accepts SSH logins (e.g. a server that is booting).

    :param host: host name or host:port.
    :param username: user to log in as.
    :param password: password, if the host takes passwords.
    :param private_key_filename: private key file on the executor.
    :param private_key: private key text.
    :param timeout: seconds to keep trying before the action fails.
    :param interval: seconds between attempts.
    """

    def __init__(self, host, username, password=None, private_key_filename=None,
                 private_key=None, timeout=60, interval=1):
        self.host = host
        self.username = username
        self.password = password
        self.private_key_filename = private_key_filename
        self.private_key = private_key
        self.timeout = float(timeout)
        self.interval = float(interval)

    def run(self, context):
        pkey = _load_key(self.private_key, self.private_key_filename)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                connect(self.host, self.username, self.password, pkey).close()
                return None
            except Exception as e:  # noqa: BLE001 - any failure means "not ready yet"
                last = e
            if time.monotonic() + self.interval > deadline:
                raise ActionError("SSH on %s was not ready within %s seconds: %s"
                                  % (self.host, self.timeout, last))
            time.sleep(self.interval)

