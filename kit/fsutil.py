"""File writes that never leave a half-written file behind, and one-line reasons when refused."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from kit.errors import WriteRefused

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOTDIR: "a parent of it is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.EEXIST: "a parent of it is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def reason(exc: OSError) -> str:
    """Why the system refused, in a few plain words."""
    return _REASONS.get(exc.errno or 0) or (exc.strerror or type(exc).__name__).lower()


def describe(exc: OSError) -> str:
    """An ``OSError`` as one line naming its path: ``build/x.py: permission denied``."""
    if exc.filename is None:
        return reason(exc)
    return f"{_shown(exc.filename)}: {reason(exc)}"


def refusal(path: Path | str, exc: OSError) -> WriteRefused:
    """The one-line ``WriteRefused`` for an ``OSError`` the system raised writing ``path``."""
    return WriteRefused(f"cannot write {_shown(path)}: {reason(exc)}; nothing was written there")


def ensure_dir(path: Path) -> None:
    """Create folder ``path`` (and parents), or raise ``WriteRefused`` naming it and why."""
    path = Path(path)
    if path.is_dir():
        return
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            raise WriteRefused(f"cannot write {_shown(path)}: {_shown(parent)} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise refusal(path, exc) from exc


def write_atomic(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    ``durable`` also fsyncs before the rename (user files); regenerable build files skip it.
    A write the system refuses raises ``WriteRefused`` and leaves ``path`` as it was.
    """
    path = Path(path)
    ensure_dir(path.parent)
    if path.is_dir():
        raise WriteRefused(f"cannot write {_shown(path)}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise refusal(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            # text as UTF-8 with its newlines untouched (as open(newline="") would write it)
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise refusal(path, exc) from exc
        raise


def _shown(path: Path | str) -> str:
    """``path`` relative to the cwd when inside it, as the user would type it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def check_writable(path: Path) -> None:
    """Raise ``WriteRefused`` now if writing file ``path`` would fail for a reason known up front.

    Lets a command check every target before its first write: a parent that is a file, a
    read-only folder, a target that is a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise WriteRefused(f"cannot write {_shown(path)}: it is a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise WriteRefused(f"cannot write {_shown(path)}: {_shown(parent)} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise WriteRefused(f"cannot write {_shown(path)}: {_shown(parent)} is not writable")
            return


def write_all_or_nothing(files: dict[Path, str | bytes]) -> None:
    """Write every file atomically; when one write fails, put back what this call changed
    (files it created are removed, files it replaced get their old bytes back)."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            old = path.read_bytes() if path.is_file() else None
            write_atomic(path, data)
            done.append((path, old))
    except BaseException:
        for path, old in reversed(done):
            try:
                if old is None:
                    path.unlink()
                else:
                    write_atomic(path, old)
            except OSError:
                pass
        raise
