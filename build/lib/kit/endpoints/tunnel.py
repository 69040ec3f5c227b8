"""SSH port forwarding to a dev endpoint's Livy, with the system OpenSSH client.

The documented shape is ``ssh -i KEY -NTL 8998:169.254.76.1:8998 glue@ADDRESS``. The tunnel runs
detached; its pid and ports are recorded in ``<state>/endpoint/tunnel.json`` so ``status`` and
``disconnect`` work from any later shell. Only a process recorded there is ever signalled.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kit.endpoints import livy
from kit.endpoints.errors import EndpointError
from kit.fsutil import write_atomic

DEV_ENDPOINT_LIVY_HOST = "169.254.76.1"
LIVY_PORT = 8998
STATE_FILE = "tunnel.json"


@dataclass(frozen=True)
class TunnelSpec:
    """What to forward: ``127.0.0.1:local_port`` -> ``remote_host:remote_port`` via ``address``."""

    address: str
    key: Path | None = None
    user: str = "glue"
    local_port: int = LIVY_PORT
    remote_host: str = DEV_ENDPOINT_LIVY_HOST
    remote_port: int = LIVY_PORT
    ssh_port: int | None = None
    ssh_config: Path | None = None
    options: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Tunnel:
    """A recorded tunnel (``tunnel.json``)."""

    pid: int
    name: str
    livy_url: str
    command: list[str]
    log: str
    started: float

    @property
    def alive(self) -> bool:
        return _is_our_ssh(self.pid, self.command)


def ssh_command(spec: TunnelSpec, ssh: str = "ssh") -> list[str]:
    """The ssh argv for ``spec``: no shell, no TTY, fail if the forward cannot be set up.

    ssh keeps the *first* value it gets for an option, so the user's ``-o`` options come before
    kit's defaults: they override them instead of being silently ignored.
    """
    command = [ssh, "-N", "-T", "-L",
               f"127.0.0.1:{spec.local_port}:{spec.remote_host}:{spec.remote_port}"]
    for option in spec.options:
        command += ["-o", option]
    command += ["-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
                "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"]
    if spec.ssh_config:
        command += ["-F", str(spec.ssh_config)]
    if spec.key:
        command += ["-i", str(spec.key), "-o", "IdentitiesOnly=yes"]
    if spec.ssh_port:
        command += ["-p", str(spec.ssh_port)]
    return [*command, f"{spec.user}@{spec.address}"]


def state_path(state_dir: Path) -> Path:
    return Path(state_dir) / "endpoint" / STATE_FILE


def load(state_dir: Path) -> Tunnel | None:
    """The recorded tunnel, if any (alive or not)."""
    path = state_path(state_dir)
    try:
        return Tunnel(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise EndpointError(f"{path} is damaged ({exc}); delete it and reconnect") from exc


def open_tunnel(spec: TunnelSpec, name: str, state_dir: Path, timeout: float = 30.0) -> Tunnel:
    """Start the tunnel, wait until Livy answers through it, and record it."""
    ssh = shutil.which("ssh")
    if ssh is None:
        raise EndpointError("ssh not found; install OpenSSH (`sudo apt-get install openssh-client`)")
    if spec.key is not None and not Path(spec.key).is_file():
        raise EndpointError(f"SSH key {spec.key} not found; pass the dev endpoint's private key")
    current = load(state_dir)
    if current is not None and current.alive:
        raise EndpointError(
            f"a tunnel to {current.name} is already open ({current.livy_url}); "
            "run `kit endpoint disconnect` first"
        )
    if _port_in_use(spec.local_port):
        raise EndpointError(
            f"local port {spec.local_port} is in use; pass --local-port or stop what uses it"
        )
    log_path = state_path(state_dir).with_name("tunnel.log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = ssh_command(spec, ssh)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{spec.local_port}"
    try:
        livy.wait_until_up(url, timeout, alive=lambda: process.poll() is None)
    except EndpointError as exc:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
            raise EndpointError(
                f"tunnel to {spec.address} is up but Livy does not answer at "
                f"{spec.remote_host}:{spec.remote_port} through it; is the endpoint READY?"
            ) from exc
        raise EndpointError(
            f"ssh to {spec.user}@{spec.address} failed: {_ssh_failure(log_path, spec)}"
        ) from exc
    tunnel = Tunnel(pid=process.pid, name=name, livy_url=url, command=command,
                    log=str(log_path), started=time.time())
    write_atomic(state_path(state_dir), json.dumps(asdict(tunnel), indent=2) + "\n")
    return tunnel


def check(state_dir: Path) -> Tunnel:
    """The recorded tunnel, verified: its ssh runs and Livy answers through it."""
    tunnel = load(state_dir)
    if tunnel is None:
        raise EndpointError("no tunnel is open; run `kit endpoint connect NAME --key FILE`")
    if not tunnel.alive:
        raise _dead(tunnel)
    try:
        livy.sessions(tunnel.livy_url)
    except EndpointError as exc:
        if not tunnel.alive:  # ssh died while we asked
            raise _dead(tunnel) from exc
        raise EndpointError(
            f"the tunnel to {tunnel.name} is up but {exc}; is the endpoint still READY? "
            "(`aws glue get-dev-endpoint`); reconnect with `kit endpoint disconnect` and "
            "`kit endpoint connect`"
        ) from exc
    return tunnel


def _dead(tunnel: Tunnel) -> EndpointError:
    return EndpointError(
        f"the tunnel to {tunnel.name} is dead ({_last_line(Path(tunnel.log))}); "
        "run `kit endpoint disconnect` then `kit endpoint connect` again"
    )


def close(state_dir: Path) -> Tunnel | None:
    """Stop the recorded tunnel (if it still runs) and forget it; returns what was closed."""
    tunnel = load(state_dir)
    if tunnel is None:
        return None
    for sig in (signal.SIGTERM, signal.SIGKILL):  # SIGKILL only if ssh ignores SIGTERM
        if not tunnel.alive:
            break
        try:
            os.kill(tunnel.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 5
        while tunnel.alive and time.monotonic() < deadline:
            time.sleep(0.05)
    state_path(state_dir).unlink(missing_ok=True)
    return tunnel


def _is_our_ssh(pid: int, command: list[str]) -> bool:
    """True when ``pid`` runs and is still the ssh we started (pids get reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if stat[0] == "Z":
                return False
            return cmdline.read_bytes().split(b"\0")[: len(command)] == [
                c.encode() for c in command
            ]
        except OSError:
            return False
    return True


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _last_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no ssh output"
    return lines[-1].strip() if lines else "ssh exited without a message"


def _ssh_failure(log: Path, spec: TunnelSpec) -> str:
    """ssh's last words, plus how to fix the two failures a first connection usually meets."""
    reason = _last_line(log)
    if "Host key verification failed" in reason:
        return (f"{reason} ({spec.address} is not in known_hosts; check its key and add it, e.g. "
                f"`ssh-keyscan {spec.address} >> ~/.ssh/known_hosts`, or trust it on first use "
                "with --ssh-option StrictHostKeyChecking=accept-new)")
    if "Permission denied" in reason:
        return (f"{reason} (pass --key with the private key whose public key the endpoint "
                "was created with)")
    return reason
