"""An in-process SSH server (paramiko) for the std.ssh* tests.

It accepts one user, by password or by public key, runs exec requests as local shell
commands, and forwards ``direct-tcpip`` channels, so it can serve as a gateway for
std.ssh_proxied as well.
"""

import socket
import subprocess
import threading

import paramiko


class _Server(paramiko.ServerInterface):
    def __init__(self, sshd):
        self.sshd = sshd
        self.commands = {}
        self.forwards = {}
        self.exec_ready = threading.Condition()

    def check_auth_password(self, username, password):
        ok = username == self.sshd.username and password == self.sshd.password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username, key):
        ok = (username == self.sshd.username and self.sshd.authorized_key is not None
              and key.get_base64() == self.sshd.authorized_key.get_base64())
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def get_allowed_auths(self, username):
        return "password,publickey"

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_direct_tcpip_request(self, chanid, origin, destination):
        self.forwards[chanid] = destination
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel, command):
        with self.exec_ready:
            self.commands[channel.get_id()] = command.decode("utf-8")
            self.exec_ready.notify_all()
        return True


def _pump(src, dst):
    try:
        while True:
            data = src.recv(32768)
            if not data:
                break
            dst.sendall(data)
    except (OSError, EOFError):
        pass
    finally:
        for end in (src, dst):
            try:
                end.close()
            except (OSError, EOFError):
                pass


class FakeSSHServer:
    """Listens on 127.0.0.1 on a free port; ``host`` is ``127.0.0.1:<port>``."""

    def __init__(self, username="tester", password="secret", authorized_key=None):
        self.username, self.password, self.authorized_key = username, password, authorized_key
        self.host_key = paramiko.ECDSAKey.generate()
        self.commands = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.host = "127.0.0.1:%d" % self.port
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.host_key)
        server = _Server(self)
        try:
            transport.start_server(server=server)
        except (paramiko.SSHException, EOFError, OSError):
            return
        while transport.is_active():
            chan = transport.accept(1)
            if chan is None:
                continue
            if chan.get_id() in server.forwards:
                host, port = server.forwards.pop(chan.get_id())
                target = socket.create_connection((host, port))
                threading.Thread(target=_pump, args=(chan, target), daemon=True).start()
                threading.Thread(target=_pump, args=(target, chan), daemon=True).start()
                continue
            threading.Thread(target=self._exec, args=(server, chan), daemon=True).start()

    def _exec(self, server, chan):
        with server.exec_ready:
            server.exec_ready.wait_for(lambda: chan.get_id() in server.commands, 10)
        command = server.commands.pop(chan.get_id(), None)
        if command is None:
            chan.close()
            return
        self.commands.append(command)
        proc = subprocess.run(command, shell=True, capture_output=True, timeout=30)
        chan.sendall(proc.stdout)
        chan.sendall_stderr(proc.stderr)
        chan.send_exit_status(proc.returncode)
        chan.close()

    def stop(self):
        self._stopped = True
        self._sock.close()
