"""A local PostgreSQL from Debian's packages: ``kit db local``, the tests' database, and what a
job's JDBC or Redshift Glue connection reaches during ``kit run`` and ``kit itest``.

Why its own module: jobs that write to Redshift (or any JDBC database) through a Glue connection
need a real database on the laptop, and the tests need the same one; one implementation keeps
their behaviour identical.

* ``initdb`` into a folder: the project's ``.kit/postgres/`` (kept between starts, like the
  local AWS keeps its objects) or a temporary folder that :meth:`LocalDb.stop` removes.
* Loopback only (``listen_addresses=127.0.0.1``, no Unix socket), ``scram-sha-256`` passwords.
* The password is generated once and kept in ``FOLDER/pgpass`` (mode 0600, psql's ``PGPASSFILE``
  format); it is never printed or written anywhere else.
* PostgreSQL refuses to run as root: under root the server runs as Debian's ``postgres`` user,
  and when that user cannot reach the project (e.g. under ``/root``) the cluster lives in
  ``/var/tmp/kit-postgres-HASH/`` instead (one per project folder; the password stays in it).
* The running server is recorded in ``STATE/local-db.json`` (no secret) so that ``local/aws.toml``
  fixtures (``${kit:db.url}``, see :func:`expand`), ``kit run`` and ``kit itest`` find it.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import LocalDbError

HOST = "127.0.0.1"
USER = "kit"
DATABASE = "kit"
FOLDER = "postgres"  # under the project's state folder
RECORD = "local-db.json"  # under the project's state folder
PASSFILE = "pgpass"
PORTFILE = "port"  # the port last used: reused when free, so a Glue connection's URL stays valid
PACKAGE = "postgresql"  # Debian's server package (initdb, pg_ctl, psql)
SERVER_USER = "postgres"  # the system user Debian's package creates
INSTALL_HINT = f"install it with `sudo apt-get install -y {PACKAGE}`"

# ${kit:db.KEY} in local/aws.toml: public keys go anywhere, secret ones only where a secret goes.
PUBLIC_KEYS = ("host", "port", "database", "user", "url")
SECRET_KEYS = ("password", "credentials")
REFERENCE = re.compile(r"\$\{kit:db\.([A-Za-z_]+)\}")


def pg_bindir() -> Path | None:
    """Newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` (Debian's layout)."""

    def version(path: str) -> int:
        name = Path(path).parent.parent.name
        return int(name) if name.isdigit() else 0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    """A port nothing listens on at the moment, on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalDb:
    """A running (or recorded) server: connect to ``jdbc_url`` as ``user`` with ``password``."""

    bindir: Path
    folder: Path
    port: int
    password: str = field(repr=False)
    temporary: bool = False
    run_as: str | None = field(default=None, repr=False)
    host: str = HOST
    user: str = USER
    database: str = DATABASE
    server_dir: Path | None = None  # the server's own files (data/, server.log); default folder

    @property
    def datadir(self) -> Path:
        return (self.server_dir or self.folder) / "data"

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.database}"

    def values(self) -> dict[str, str]:
        """What ``${kit:db.KEY}`` stands for (:data:`PUBLIC_KEYS` and :data:`SECRET_KEYS`)."""
        return {
            "host": self.host,
            "port": str(self.port),
            "database": self.database,
            "user": self.user,
            "url": self.jdbc_url,
            "password": self.password,
            "credentials": json.dumps({"username": self.user, "password": self.password}),
        }

    def psql(self, sql: str, database: str | None = None) -> list[list[str]]:
        """Run ``sql`` with Debian's ``psql`` (a client independent of Spark); rows as text."""
        return psql(self.host, self.port, database or self.database, self.user, self.password,
                    sql, bindir=self.bindir)

    def running(self) -> bool:
        """True while the server of :attr:`datadir` is up (its ``postmaster.pid`` is live)."""
        return _live_port(self.datadir) == self.port

    def stop(self) -> None:
        """Stop the server (fast shutdown); a temporary folder is removed with its data."""
        if self.datadir.is_dir():
            subprocess.run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60",
                 "stop", "-m", "fast"],
                capture_output=True, text=True, check=False, user=self.run_as,
            )
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)
            if self.server_dir:
                shutil.rmtree(self.server_dir, ignore_errors=True)


def start(folder: Path | None = None, port: int = 0) -> LocalDb:
    """Create (when new) and start a server in ``folder`` (None: a temporary one) on ``port``
    (0: the folder's last port when free, else any free port); raises :class:`LocalDbError`
    with the server's own words on failure."""
    bindir = pg_bindir()
    if bindir is None:
        raise LocalDbError(f"PostgreSQL server not found (no /usr/lib/postgresql/*/bin/initdb); "
                           f"{INSTALL_HINT}")
    run_as = _server_user()
    temporary = folder is None
    root = Path(tempfile.mkdtemp(prefix="kit-pg-")) if folder is None else Path(folder).resolve()
    try:
        db = _prepare(bindir, root, run_as, temporary)
        if _live_port(db.datadir) is not None:
            raise LocalDbError(
                f"a PostgreSQL server already runs on {root} (port {_live_port(db.datadir)}); "
                "stop it first (`kit db stop`)")
        db.port = port or _last_port(root) or free_port()
        if port and not _port_free(port):
            raise LocalDbError(f"port {port} on {HOST} is in use; pick another --port (0: any)")
        _start_server(db)
        (root / PORTFILE).write_text(f"{db.port}\n", encoding="utf-8")
    except BaseException:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        if not db.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db.database}'",
                       database="postgres"):
            db.psql(f"CREATE DATABASE {db.database}", database="postgres")
    except BaseException:
        db.stop()
        raise
    return db


def _server_user() -> str | None:
    """Who runs the server: this user, or Debian's ``postgres`` when this is root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise LocalDbError(f"running as root needs the `{SERVER_USER}` system user, which Debian's "
                           f"{PACKAGE} package creates; {INSTALL_HINT}") from None
    return SERVER_USER


def _prepare(bindir: Path, root: Path, run_as: str | None, temporary: bool) -> LocalDb:
    """The folder's cluster, initialised on first use with a new password."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    db = LocalDb(bindir, root, 0, "", temporary, run_as)
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        if not _reachable(root, run_as):
            digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
            db.server_dir = Path("/var/tmp") / f"kit-postgres-{digest}"
            db.server_dir.mkdir(mode=0o700, exist_ok=True)
            os.chown(db.server_dir, entry.pw_uid, entry.pw_gid)
    passfile = root / PASSFILE
    if (db.datadir / "PG_VERSION").is_file():
        if not passfile.is_file():
            raise LocalDbError(f"{root} holds a database but no {PASSFILE} file: delete {root} "
                               "to start over")
        db.password = read_password(passfile)
        return db
    if db.datadir.exists():  # an initdb that did not finish
        shutil.rmtree(db.datadir)
    db.password = secrets.token_urlsafe(24)
    _write_private(passfile, f"{HOST}:*:*:{USER}:{db.password}\n")
    pwfile = (db.server_dir or root) / ".initdb-pw"
    _write_private(pwfile, db.password + "\n")
    try:
        if run_as:
            entry = pwd.getpwnam(run_as)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        init = subprocess.run(
            [str(bindir / "initdb"), "-D", str(db.datadir), "-U", USER, "--pwfile", str(pwfile),
             "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True, check=False, user=run_as,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if init.returncode != 0:
        shutil.rmtree(db.datadir, ignore_errors=True)
        passfile.unlink(missing_ok=True)
        raise LocalDbError(f"initdb failed: {_last_line(init.stderr)}")
    return db


def _start_server(db: LocalDb) -> None:
    log = (db.server_dir or db.folder) / "server.log"
    opts = f"-c listen_addresses={HOST} -c port={db.port} -c unix_socket_directories=''"
    started = subprocess.run(
        [str(db.bindir / "pg_ctl"), "-D", str(db.datadir), "-w", "-t", "60", "-o", opts,
         "-l", str(log), "start"],
        capture_output=True, text=True, check=False, user=db.run_as,
        start_new_session=True,  # Ctrl+C reaches kit, which stops the server itself
    )
    if started.returncode != 0:
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        raise LocalDbError(f"PostgreSQL did not start: {_last_line(text or started.stderr)}")


def psql(host: str, port: int, database: str, user: str, password: str, sql: str,
         bindir: Path | None = None) -> list[list[str]]:
    """Rows of ``sql`` (text, tab-separated by psql) on any PostgreSQL-protocol server
    (Redshift too); the password goes through the environment, never the command line."""
    binary = bindir / "psql" if bindir else None
    if binary is None or not binary.is_file():
        found = pg_bindir()
        binary = found / "psql" if found else Path(shutil.which("psql") or "psql")
    env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "20"}
    env.pop("PGPASSFILE", None)
    try:
        out = subprocess.run(
            [str(binary), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", host,
             "-p", str(port), "-U", user, "-d", database, "-c", sql],
            capture_output=True, text=True, env=env, check=False,
        )
    except FileNotFoundError:
        raise LocalDbError(f"psql not found; {INSTALL_HINT}") from None
    if out.returncode != 0:
        raise LocalDbError(f"psql: {_last_line(out.stderr)}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def jdbc_parts(url: str) -> tuple[str, int, str]:
    """(host, port, database) of a ``jdbc:postgresql://`` or ``jdbc:redshift://`` URL."""
    found = re.match(r"^jdbc:(postgresql|redshift)://([^/:?;]+)(?::(\d+))?/([^?;]+)", url.strip(),
                     re.IGNORECASE)
    if not found:
        raise LocalDbError(f"not a PostgreSQL or Redshift JDBC URL: {url!r}")
    default = 5439 if found.group(1).lower() == "redshift" else 5432
    return found.group(2), int(found.group(3) or default), found.group(4)


# --- the project's server: recorded while it runs -------------------------------------------


def project_folder(state_dir: Path) -> Path:
    """Where ``kit db local`` keeps the project's cluster and its password file."""
    return Path(state_dir) / FOLDER


def record(state_dir: Path, db: LocalDb) -> Path:
    """Write ``STATE/local-db.json`` (where the server is; no secret) for other kit commands."""
    path = Path(state_dir) / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"host": db.host, "port": db.port, "database": db.database, "user": db.user,
            "folder": str(db.folder), "datadir": str(db.datadir), "pid": os.getpid()}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def forget(state_dir: Path) -> None:
    """Remove the record (the server stopped)."""
    with contextlib.suppress(OSError):
        (Path(state_dir) / RECORD).unlink()


def find_running(state_dir: Path) -> LocalDb | None:
    """The project's recorded server when it still runs (its ``postmaster.pid`` is live)."""
    path = Path(state_dir) / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        folder, port = Path(data["folder"]), int(data["port"])
        datadir = Path(data.get("datadir") or folder / "data")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    bindir = pg_bindir()
    if bindir is None or _live_port(datadir) != port:
        return None
    try:
        password = read_password(folder / PASSFILE)
    except LocalDbError:
        return None
    run_as = SERVER_USER if os.geteuid() == 0 else None
    return LocalDb(bindir, folder, port, password, False, run_as,
                   user=str(data.get("user") or USER), database=str(data.get("database") or DATABASE),
                   server_dir=None if datadir == folder / "data" else datadir.parent)


def find_for_project(root: Path) -> LocalDb | None:
    """:func:`find_running` for the project at ``root`` (its configured state folder)."""
    from kit import config
    from kit.errors import KitError

    try:
        state_dir = config.load(root).state_dir
    except KitError:
        state_dir = Path(root) / ".kit"
    return find_running(state_dir)


def stop_project(state_dir: Path) -> bool:
    """Stop the project's server (``kit db stop``); False when none ran."""
    db = find_running(state_dir)
    if db is None:
        forget(state_dir)
        return False
    db.stop()
    forget(state_dir)
    return True


def read_password(passfile: Path) -> str:
    """The password from a ``pgpass`` line ``host:port:db:user:password``."""
    try:
        line = passfile.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        raise LocalDbError(f"cannot read the password file {passfile}") from None
    return line.split(":", 4)[4]


# --- ${kit:db.KEY} in fixtures ---------------------------------------------------------------


def references(text: str) -> bool:
    """True when ``text`` refers to the local database (``${kit:db.KEY}``)."""
    return bool(REFERENCE.search(text))


def expand(text: str, values: Mapping[str, str], *, secret: bool = False) -> str:
    """``text`` with each ``${kit:db.KEY}`` replaced by ``values[KEY]`` (pure).

    Secret keys (the password) are only allowed where a secret's value goes (``secret=True``).
    """
    allowed = PUBLIC_KEYS + SECRET_KEYS if secret else PUBLIC_KEYS

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in allowed:
            where = "" if secret else " outside a secret"
            raise LocalDbError(f"${{kit:db.{key}}} is not allowed{where}; use "
                               + ", ".join(f"${{kit:db.{k}}}" for k in allowed))
        return values[key]

    return REFERENCE.sub(one, text)


# --- helpers -----------------------------------------------------------------------------------


def _live_port(datadir: Path) -> int | None:
    """The port of the live server of ``datadir`` (from ``postmaster.pid``), else None."""
    try:
        lines = (datadir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return port


def _reachable(folder: Path, user: str) -> bool:
    """True when ``user`` can create files in ``folder`` (every parent lets it through)."""
    probe = subprocess.run(["test", "-w", str(folder), "-a", "-x", str(folder)], user=user,
                           capture_output=True, check=False)
    return probe.returncode == 0


def _last_port(folder: Path) -> int | None:
    """The port the folder's server used last, if nothing listens on it now."""
    try:
        port = int((folder / PORTFILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return port if 0 < port < 65536 and _port_free(port) else None


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only, from the first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
