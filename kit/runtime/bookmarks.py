"""Job bookmarks kept locally, per job name and ``transformation_ctx``, as Glue keeps them.

Glue's file-based bookmark remembers which input files a job has processed; a later run with
``job-bookmark-enable`` reads only files that are new (or modified) since the last committed run.
``job-bookmark-pause`` reads from the last committed state but never updates it;
``job-bookmark-disable`` (Glue's default) reads everything and keeps no state. State becomes
durable only at ``Job.commit()``, so a failed run re-reads the same files next time.

State lives in ``KIT_BOOKMARK_DIR`` or ``<project>/.kit/bookmarks/<job>.json``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import BookmarkError
from kit.fsutil import write_atomic

ENV_DIR = "KIT_BOOKMARK_DIR"
ENABLE, PAUSE, DISABLE = "job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"
OPTIONS = (ENABLE, PAUSE, DISABLE)


def bookmark_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).resolve()
    from kit.runtime.s3local import state_dir

    return state_dir() / "bookmarks"


def state_path(job_name: str, folder: Path | None = None) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", job_name)
    return (folder or bookmark_dir()) / f"{safe}.json"


def load_state(job_name: str, folder: Path | None = None) -> dict[str, Any]:
    """The committed state of ``job_name``; ``BookmarkError`` when the file is not kit's format."""
    path = state_path(job_name, folder)
    if not path.is_file():
        return {"job": job_name, "run": 0, "contexts": {}}
    fix = f"run `kit bookmark reset {job_name}` to start over (the next run reads all input)"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise BookmarkError(f"bookmark state {path} is unreadable ({_why(exc)}); {fix}") from exc
    problem = state_problem(state)
    if problem:
        raise BookmarkError(f"bookmark state {path} is corrupt ({problem}); {fix}")
    return state


def state_problem(state: Any) -> str | None:
    """What is wrong with a loaded bookmark state, or None when it has kit's shape."""
    if not isinstance(state, dict):
        return "not a JSON object"
    if not isinstance(state.get("run", 0), int) or isinstance(state.get("run"), bool):
        return "run is not a number"
    contexts = state.get("contexts", {})
    if not isinstance(contexts, dict):
        return "contexts is not an object"
    for ctx, entry in contexts.items():
        files = entry.get("files") if isinstance(entry, dict) else None
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            return f"context {ctx!r} has no files map"
    return None


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno}, column {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc)


def reset(job_name: str, folder: Path | None = None) -> bool:
    """Forget everything job ``job_name`` has processed (Glue's ResetJobBookmark); True if it had state."""
    path = state_path(job_name, folder)
    if path.exists():
        path.unlink()
        return True
    return False


def _fingerprint(path: str) -> str:
    st = os.stat(path)
    return f"{st.st_mtime_ns}:{st.st_size}"


@dataclass
class JobBookmark:
    """The bookmark of one job run: what earlier runs processed, and what this run read."""

    job_name: str
    option: str = DISABLE
    folder: Path | None = None
    committed: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.option not in OPTIONS:
            raise ValueError(f"unknown job bookmark option {self.option!r}; use one of {OPTIONS}")
        self.committed = load_state(self.job_name, self.folder) if self.option != DISABLE else {}

    @property
    def enabled(self) -> bool:
        return self.option != DISABLE

    def select(self, transformation_ctx: str, files: list[str]) -> list[str]:
        """The files of ``files`` this run must read for the source named ``transformation_ctx``."""
        if not self.enabled or not transformation_ctx:
            return files
        seen = self.committed.get("contexts", {}).get(transformation_ctx, {}).get("files", {})
        fresh = {f: _fingerprint(f) for f in files}
        todo = [f for f, fp in fresh.items() if seen.get(f) != fp]
        self.pending.setdefault(transformation_ctx, {}).update(fresh)
        return todo

    def commit(self) -> None:
        """Make this run's reads durable (enable only; pause and disable never write state)."""
        if self.option != ENABLE:
            return
        state: dict[str, Any] = {
            "job": self.job_name, "run": int(self.committed.get("run", 0)) + 1, "contexts": {}
        }
        state["contexts"] = {k: dict(v) for k, v in self.committed.get("contexts", {}).items()}
        for ctx, files in self.pending.items():
            merged = dict(state["contexts"].get(ctx, {}).get("files", {}))
            merged.update(files)
            state["contexts"][ctx] = {"files": merged}
        write_atomic(state_path(self.job_name, self.folder), json.dumps(state, indent=2) + "\n")
        self.committed, self.pending = state, {}


_active: JobBookmark | None = None


def activate(bookmark: JobBookmark | None) -> None:
    """Make ``bookmark`` the one readers consult (set by ``Job.init``)."""
    global _active
    _active = bookmark


def active() -> JobBookmark | None:
    return _active
