"""A throwaway PostgreSQL cluster for tests: Debian's server binaries, a temp dir, 127.0.0.1.

Never the machine's default cluster: ``initdb`` into a fresh temporary directory, a free port on
loopback only, a random password (scram-sha-256), and ``pg_ctl stop`` plus removal at the end.
PostgreSQL refuses to run as root, so under root the server runs as the ``postgres`` system user
(Debian's ``postgresql`` package creates it).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "kit"
DATABASE = "kit"


def pg_bindir() -> Path | None:
    """Newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` (Debian's layout)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Postgres:
    """A running cluster: connect with ``jdbc_url`` and ``USER`` / ``password``."""

    bindir: Path
    datadir: Path
    port: int
    password: str
    _run_as: str | None = field(default=None, repr=False)

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{DATABASE}"

    def psql(self, sql: str, database: str = DATABASE) -> list[list[str]]:
        """Run ``sql`` with Debian's ``psql`` (an independent client); rows as lists of text."""
        env = {**os.environ, "PGPASSWORD": self.password}
        out = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database, "-c", sql],
            capture_output=True, text=True, env=env, check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", *args],
            capture_output=True, text=True, check=False, user=self._run_as,
        )


def start() -> Postgres:
    """Create and start a cluster; raises RuntimeError (with the server's words) on failure."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server not found: install Debian's `postgresql` package")
    run_as = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="kit-pg-"))
    datadir = root / "data"
    password = secrets.token_urlsafe(16)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chmod(root, 0o700)
        for path in (root, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    init = subprocess.run(
        [str(bindir / "initdb"), "-D", str(datadir), "-U", USER, "--pwfile", str(pwfile),
         "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
        capture_output=True, text=True, check=False, user=run_as,
    )
    pwfile.unlink()
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
    port = _free_port()
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
    server = Postgres(bindir, datadir, port, password, run_as)
    started = subprocess.run(
        [str(bindir / "pg_ctl"), "-D", str(datadir), "-w", "-t", "60", "-o", opts,
         "-l", str(root / "server.log"), "start"],
        capture_output=True, text=True, check=False, user=run_as,
    )
    if started.returncode != 0:
        log = (root / "server.log").read_text(encoding="utf-8", errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {log.strip()[-500:]}")
    server.psql(f"CREATE DATABASE {DATABASE}", database="postgres")
    return server
