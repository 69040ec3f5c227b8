"""A throwaway OpenSSH server on 127.0.0.1 (real sshd, key auth only) for tunnel tests."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@dataclass
class Sshd:
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    process: subprocess.Popen

    def client_config(self, path: Path, host_pattern: str) -> Path:
        """An ssh_config sending ``host_pattern`` to this server, verifying its host key."""
        path.write_text(
            f"Host {host_pattern}\n"
            "  HostName 127.0.0.1\n"
            f"  Port {self.port}\n"
            f"  UserKnownHostsFile {self.known_hosts}\n"
            "  StrictHostKeyChecking yes\n"
            "  LogLevel ERROR\n",
            encoding="utf-8",
        )
        return path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


def start(folder: Path) -> Sshd:
    folder.mkdir(parents=True, exist_ok=True)
    host_key = keygen(folder / "host_key")
    client_key = keygen(folder / "client_key")
    authorized = folder / "authorized_keys"
    shutil.copy(f"{client_key}.pub", authorized)
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"AuthorizedKeysFile {authorized}\nPidFile {folder / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nAllowTcpForwarding yes\nPermitRootLogin prohibit-password\n"
        "LogLevel VERBOSE\n",
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation folder
    log = open(folder / "sshd.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log)
    deadline = time.monotonic() + 20
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError((folder / "sshd.log").read_text())
        time.sleep(0.05)
    known_hosts = folder / "known_hosts"
    public = Path(f"{host_key}.pub").read_text().split()
    known_hosts.write_text(f"[127.0.0.1]:{port} {public[0]} {public[1]}\n", encoding="utf-8")
    return Sshd(port, getpass.getuser(), client_key, known_hosts, process)
