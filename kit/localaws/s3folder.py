"""S3 objects that live in a folder: the one store Spark's ``s3://`` and boto3's S3 share.

Locally, Spark and the awsglue layer read and write ``s3://BUCKET/KEY`` as the file
``ROOT/BUCKET/KEY`` (:mod:`kit.runtime.s3mount`, :mod:`kit.runtime.s3local`). Here moto's S3
keeps its objects in that same folder, so there is one source of truth, not two stores copied
before and after a run:

* a write through the S3 API (put, copy, multipart completion) writes the file;
* a delete removes it (and the folders it leaves empty, as S3 has no folders);
* a read or listing first reconciles the key with its file: a file that Spark wrote or changed
  becomes (a new version of) the object, with its size, MD5 ETag and mtime as ``LastModified``;
  a file that disappeared is no longer listed;
* every folder of ROOT is a bucket.

moto's metadata (content type, user metadata, tags, multipart ETags) is kept in memory and
stays attached while the file is unchanged. Keys that cannot be file paths (``a//b``, ``..``,
a trailing ``/`` folder marker, a key under a name that is a file) are kept in memory only.
Checksum files Hadoop's local filesystem writes beside its outputs (``.NAME.crc``) and kit's
own temporary files are not objects.
"""

from __future__ import annotations

import datetime
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.s3 import models as s3_models
from moto.s3.utils import _VersionedKeyStore

_TMP_PREFIX = ".kit-s3-"
_PATCHED = False
_request = threading.local()  # the root of the server handling this thread's request


class RootScope:
    """WSGI wrapper: requests through it create and find buckets under ``root``.

    moto's backends are process-wide; the root is per server (per request thread), so two
    local AWS servers in one process keep their objects in their own folders.
    """

    def __init__(self, app: Callable[..., Any], root: Path | None) -> None:
        self.app = app
        self.root = Path(root).resolve() if root is not None else None
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
        _patch_backend()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        _request.root = self.root
        try:
            return self.app(environ, start_response)
        finally:
            _request.root = None


def _root() -> Path | None:
    return getattr(_request, "root", None)


def key_path(folder: Path, key: str) -> Path | None:
    """The file for ``key`` under a bucket's ``folder``, or None when it cannot be one."""
    parts = key.split("/")
    if not key or any(p in ("", ".", "..") for p in parts) or "\0" in key:
        return None
    return folder.joinpath(*parts)


def is_object_file(name: str) -> bool:
    """False for Hadoop's checksum side files and kit's temporary files."""
    return not (name.startswith(_TMP_PREFIX) or (name.startswith(".") and name.endswith(".crc")))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size) if path.is_file() else None


class FolderKeyStore(_VersionedKeyStore):
    """moto's key store for one bucket, written through to and reconciled with its folder."""

    def __init__(self, folder: Path, bucket: Any) -> None:
        super().__init__()
        self.folder = folder
        self.bucket = bucket

    # --- reads reconcile first -------------------------------------------------------------
    def __sgetitem__(self, key: str) -> list[Any]:
        self._sync(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._sync(key)
        return dict.__contains__(self, key)

    def __len__(self) -> int:
        self._sync_all()
        return dict.__len__(self)

    def __bool__(self) -> bool:
        return len(self) > 0

    def _self_iterable(self) -> dict[str, Any]:
        self._sync_all()
        return dict(self)

    # --- writes go to the file -------------------------------------------------------------
    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._write(key)

    def setlist(self, key: Any, list_: Any) -> None:
        super().setlist(key, list_)
        self._write(key)

    def pop(self, key: str) -> None:  # type: ignore[override]
        dict.__getitem__(self, key)  # KeyError when missing, as moto expects
        super().pop(key)
        path = key_path(self.folder, key)
        if path is not None and _stamp(path) is not None:
            path.unlink()
            self._prune(path.parent)

    # --- the folder ------------------------------------------------------------------------
    def _write(self, key: str) -> None:
        path = key_path(self.folder, key)
        versions = dict.get(self, key) or []
        latest = versions[-1] if versions else None
        if path is None:
            return
        if not isinstance(latest, s3_models.FakeKey):  # a delete marker, or no version left
            if _stamp(path) is not None:
                path.unlink()
                self._prune(path.parent)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
            with os.fdopen(fd, "wb") as out:
                out.write(latest.value)
            os.replace(tmp, path)
        except OSError:  # e.g. a key "a" where "a/..." objects already are: memory only
            latest._kit_stamp = None  # type: ignore[attr-defined]
            return
        latest._kit_stamp = _stamp(path)  # type: ignore[attr-defined]

    def _sync(self, key: str) -> None:
        path = key_path(self.folder, key)
        if path is None:
            return
        versions = dict.get(self, key)
        latest = versions[-1] if versions else None
        stamp = _stamp(path)
        if stamp is None:
            if isinstance(latest, s3_models.FakeKey) and getattr(latest, "_kit_stamp", None):
                dict.pop(self, key)  # deleted on disk (Spark overwrote or removed it)
            return
        if isinstance(latest, s3_models.FakeKey) and getattr(latest, "_kit_stamp", None) == stamp:
            return
        fresh = self._key_from_file(key, path, stamp)
        if versions and self.bucket.is_versioned:
            versions.append(fresh)
        else:
            dict.__setitem__(self, key, [fresh])

    def _sync_all(self) -> None:
        on_disk: set[str] = set()
        if self.folder.is_dir():
            for dirpath, _dirs, files in os.walk(self.folder):
                base = Path(dirpath).relative_to(self.folder)
                on_disk.update((base / f).as_posix().removeprefix("./") for f in files
                               if is_object_file(f))
        for key in on_disk | set(dict.keys(self)):
            self._sync(key)

    def _key_from_file(self, key: str, path: Path, stamp: tuple[int, int]) -> Any:
        from moto.moto_api._internal import mock_random

        versioned = bool(self.bucket.is_versioned)
        fake = s3_models.FakeKey(
            name=key, value=path.read_bytes(), account_id=self.bucket.account_id,
            region_name=self.bucket.region_name, bucket_name=self.bucket.name,
            is_versioned=versioned,
            version_id=str(mock_random.uuid4()) if versioned else "null",
        )
        fake.last_modified = datetime.datetime.fromtimestamp(
            stamp[0] / 1e9, tz=datetime.UTC
        ).replace(tzinfo=None)
        if _stamp(path) == stamp:
            fake._kit_stamp = stamp  # type: ignore[attr-defined]
        return fake

    def _prune(self, folder: Path) -> None:
        """Remove folders a delete left empty, up to (not including) the bucket's folder."""
        while folder != self.folder and self.folder in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent


def _patch_backend() -> None:
    """Buckets are the root's folders; a bucket created through the API gets its folder."""
    global _PATCHED
    if _PATCHED:
        return
    backend = s3_models.S3Backend
    original_create, original_get = backend.create_bucket, backend.get_bucket
    original_list, original_delete = backend.list_buckets, backend.delete_bucket

    def create_bucket(self: Any, bucket_name: str, region_name: str, *args: Any,
                      **kwargs: Any) -> Any:
        bucket = original_create(self, bucket_name, region_name, *args, **kwargs)
        root = _root()
        if root is not None:
            folder = root / bucket_name
            folder.mkdir(parents=True, exist_ok=True)
            bucket.keys = FolderKeyStore(folder, bucket)
        return bucket

    def adopt(self: Any, name: str) -> None:
        root = _root()
        if (root is not None and name not in self.buckets and (root / name).is_dir()
                and name not in s3_models.s3_backends.bucket_accounts):
            try:
                self.create_bucket(name, self.region_name)
            except Exception:  # noqa: BLE001 - a folder that is no valid bucket name
                pass

    def get_bucket(self: Any, bucket_name: str) -> Any:
        adopt(self, bucket_name)
        return original_get(self, bucket_name)

    def list_buckets(self: Any, *args: Any, **kwargs: Any) -> Any:
        root = _root()
        if root is not None and root.is_dir():
            for folder in sorted(root.iterdir()):
                if folder.is_dir() and not folder.name.startswith("."):
                    adopt(self, folder.name)
        return original_list(self, *args, **kwargs)

    def delete_bucket(self: Any, bucket_name: str) -> Any:
        deleted = original_delete(self, bucket_name)
        keys = getattr(deleted, "keys", None)
        if isinstance(keys, FolderKeyStore):
            for leftover in sorted(keys.folder.rglob("*"), reverse=True):  # crc files, folders
                if leftover.is_dir():
                    leftover.rmdir()
                elif not is_object_file(leftover.name):
                    leftover.unlink()
            keys.folder.rmdir()
        return deleted

    backend.create_bucket = create_bucket  # type: ignore[method-assign]
    backend.get_bucket = get_bucket  # type: ignore[method-assign]
    backend.list_buckets = list_buckets  # type: ignore[method-assign]
    backend.delete_bucket = delete_bucket  # type: ignore[method-assign]
    _PATCHED = True
