"""``s3://bucket/key`` mapped to a local object root, so Glue scripts that use S3 run unchanged.

The root is ``KIT_S3_ROOT`` or ``<project>/.kit/s3`` (the project's state folder); ``s3://bucket/key`` becomes
``<root>/bucket/key``. The root is printed once to stderr so a user knows where outputs went.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from kit.errors import InputNotFound

ENV_ROOT = "KIT_S3_ROOT"
_SCHEMES = ("s3://", "s3a://", "s3n://")
_announced: set[str] = set()


def project_root() -> Path:
    """The kit project folder (``KIT_PROJECT``, else the nearest project above the cwd, else cwd)."""
    env = os.environ.get("KIT_PROJECT")
    if env:
        return Path(env).resolve()
    try:
        from kit.config import find_root

        return find_root()
    except Exception:  # noqa: BLE001 - no project: plain scripts still run from the cwd
        return Path.cwd().resolve()


def state_dir() -> Path:
    """The project's state folder (``[tool.kit] state``, ``.kit`` by default)."""
    root = project_root()
    try:
        from kit.config import load

        return load(root).state_dir
    except Exception:  # noqa: BLE001 - an unreadable config must not stop a Glue script
        return root / ".kit"


def object_root(announce: bool = True) -> Path:
    """The folder that stands in for S3 (announced once per process on stderr)."""
    env = os.environ.get(ENV_ROOT)
    root = Path(env).resolve() if env else state_dir() / "s3"
    if announce and str(root) not in _announced:
        _announced.add(str(root))
        print(f"kit: s3:// paths map to {root}", file=sys.stderr)
    return root


def is_s3(path: str) -> bool:
    return path.startswith(_SCHEMES)


def to_local(path: str) -> str:
    """Local path for ``path``: s3 URIs under the object root, ``file://`` stripped, others as is."""
    path = str(path)
    for scheme in _SCHEMES:
        if path.startswith(scheme):
            rest = path[len(scheme):]
            local = object_root() / rest
            return str(local) + ("/" if rest.endswith("/") else "")
    if path.startswith("file://"):
        return path[len("file://"):]
    return path


def to_uri(local: str, original: str) -> str:
    """The URI Spark should use for ``local``: ``s3://bucket/key`` when ``original`` is an s3
    URI and ``local`` lies under the object root, else ``local`` unchanged."""
    if not is_s3(original):
        return local
    scheme = original.split("://", 1)[0]
    try:
        rel = Path(local).resolve().relative_to(object_root())
    except ValueError:
        return local
    return f"{scheme}://{rel.as_posix()}" if rel.parts else local


def to_local_all(paths: str | Iterable[str]) -> list[str]:
    if isinstance(paths, str):
        paths = [paths]
    return [to_local(p) for p in paths]


def require_exists(original: Iterable[str], local: Iterable[str]) -> None:
    """Raise a one-line :class:`InputNotFound` for the first path that matches nothing."""
    for src, path in zip(original, local, strict=True):
        if not glob.glob(path.rstrip("/") or "/"):
            where = f" (local {path})" if src != path else ""
            raise InputNotFound(
                f"input path {src}{where} does not exist; create it or fix the path"
                + (f" (s3:// maps to {object_root()}, set {ENV_ROOT} to change)" if is_s3(src) else "")
            )


def data_files(path: str, recurse: bool = True) -> list[str]:
    """Data files under ``path`` (a file, folder or glob), skipping Spark/Hadoop markers."""
    found: list[str] = []
    for match in sorted(glob.glob(path.rstrip("/") or "/")):
        p = Path(match)
        if p.is_file():
            found.append(str(p))
            continue
        walker = p.rglob("*") if recurse else p.glob("*")
        for f in sorted(walker):
            rel = f.relative_to(p).parts
            if f.is_file() and not any(part.startswith((".", "_")) for part in rel):
                found.append(str(f))
    return found
