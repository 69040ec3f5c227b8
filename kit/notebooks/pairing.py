"""The notebook ↔ job module pair (jupytext): where each twin lives, sync, and drift between them."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jupytext
import jupytext.cli
from nbformat import NotebookNode

from kit.config import ProjectConfig
from kit.errors import NotebookError, PairingError, SyncConflict
from kit.fsutil import check_writable, write_atomic
from kit.names import validate_job_name
from kit.notebooks.reader import read_notebook
from kit.notebooks.tags import cell_tags

PAIRING_FORMATS = "notebooks///ipynb,jobs///py:percent"
TEXT_FORMAT = "py:percent"

State = Literal["in sync", "out of sync", "missing module", "missing notebook"]


@dataclass(frozen=True)
class PairStatus:
    name: str
    notebook: Path
    module: Path
    state: State

    @property
    def ok(self) -> bool:
        return self.state == "in sync"


def twins(path: Path, config: ProjectConfig) -> tuple[Path, Path]:
    """(notebook, job module) for either twin's path (symlinks are not followed: a twin is where
    the pair's formats put it)."""
    path = Path(os.path.abspath(path))
    return config.notebook_path(path.stem), config.job_module_path(path.stem)


def cell_inputs(nb: NotebookNode) -> list[tuple[str, str, tuple[str, ...]]]:
    """What pairing keeps equal: each cell's type, source and tags (outputs live in the .ipynb)."""
    return [(c.cell_type, c.source.strip("\n"), tuple(cell_tags(c))) for c in nb.cells]


def status(name: str, config: ProjectConfig) -> PairStatus:
    notebook, module = config.notebook_path(name), config.job_module_path(name)
    if not module.is_file():
        state: State = "missing module"
    elif not notebook.is_file():
        state = "missing notebook"
    else:
        same = cell_inputs(read_notebook(notebook)) == cell_inputs(read_notebook(module))
        state = "in sync" if same else "out of sync"
    return PairStatus(name, notebook, module, state)


def all_status(config: ProjectConfig) -> list[PairStatus]:
    return [status(name, config) for name in config.job_names()]


Keep = Literal["notebook", "py"]
SYNC_STATE = "sync"


def inputs_hash(nb: NotebookNode) -> str:
    """A hash of what pairing keeps equal (cells' type, source and tags), not outputs or metadata."""
    return hashlib.sha256(json.dumps(cell_inputs(nb)).encode("utf-8")).hexdigest()


def record_path(name: str, config: ProjectConfig) -> Path:
    """Where the twins' hashes at the last sync live (the project's state folder)."""
    return config.state_dir / SYNC_STATE / f"{name}.json"


def last_sync(name: str, config: ProjectConfig) -> dict[str, str] | None:
    """The twins' hashes recorded at the last sync, or None (never synced, or unreadable)."""
    try:
        data = json.loads(record_path(name, config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and all(isinstance(data.get(k), str) for k in ("notebook", "py")):
        return {"notebook": data["notebook"], "py": data["py"]}
    return None


def record_sync(name: str, notebook_hash: str, module_hash: str, config: ProjectConfig) -> None:
    record = {"notebook": notebook_hash, "py": module_hash}
    write_atomic(record_path(name, config), json.dumps(record, indent=1) + "\n", durable=False)


def inside_project(path: Path, config: ProjectConfig) -> None:
    """Refuse a twin that is a symlink (or path) leading outside the project: kit would write there."""
    real = Path(path).resolve()
    try:
        real.relative_to(config.root)
    except ValueError:
        shown = config.relative(Path(os.path.abspath(path)))
        link = f"a symlink to {real}, " if Path(path).is_symlink() else ""
        raise PairingError(
            f"{shown} is {link}outside the project ({config.root}); kit only reads and writes "
            f"twins inside it: copy the file in (cp --remove-destination {real} {shown})"
        ) from None


def record_in_sync(name: str, config: ProjectConfig) -> None:
    """Record a pair that is in sync now (after ``kit new``), so later edits are traced to a twin."""
    notebook, module = config.notebook_path(name), config.job_module_path(name)
    nb_hash, py_hash = inputs_hash(read_notebook(notebook)), inputs_hash(read_notebook(module))
    if nb_hash == py_hash:
        record_sync(name, nb_hash, py_hash, config)


def changed_twin(name: str, config: ProjectConfig) -> Keep | None:
    """Which twin holds edits the other lacks: None when in sync or a twin is missing.

    Raises ``SyncConflict`` when both changed since the last sync (syncing would lose one edit).
    Without a record (never synced by kit) the newer file wins, as jupytext decides.
    """
    notebook, module = config.notebook_path(name), config.job_module_path(name)
    if not (notebook.is_file() and module.is_file()):
        return None
    for twin in (notebook, module):
        inside_project(twin, config)
    nb_hash, py_hash = inputs_hash(read_notebook(notebook)), inputs_hash(read_notebook(module))
    if nb_hash == py_hash:
        return None
    record = last_sync(name, config)
    if record is None:
        return "notebook" if notebook.stat().st_mtime_ns >= module.stat().st_mtime_ns else "py"
    nb_changed, py_changed = nb_hash != record["notebook"], py_hash != record["py"]
    if nb_changed and py_changed:
        rel_nb, rel_py = config.relative(notebook), config.relative(module)
        raise SyncConflict(
            f"{rel_nb} and {rel_py} both changed since the last sync; nothing was changed: "
            f"merge the edits by hand, or run `kit sync {rel_py} --keep notebook|py` "
            "to keep one twin's cells and overwrite the other's"
        )
    return "py" if py_changed else "notebook"


def source_to_read(target: str, config: ProjectConfig) -> str:
    """The file ``kit export`` / ``kit run`` should read for ``target`` (a job name or a twin).

    The job name must follow kit's name rule and twins must be inside the project; for a pair,
    the twin edited since the last sync is read (both export byte-identically), and
    ``SyncConflict`` stops the command when both were. Other notebook paths are read as given.
    """
    path = Path(target)
    is_file = path.suffix in (".ipynb", ".py")
    name = path.stem if is_file else target
    validate_job_name(name)
    pair = (config.notebook_path(name), config.job_module_path(name))
    if is_file and Path(os.path.abspath(target)) not in pair:
        if path.is_file():
            inside_project(path, config)
        return target
    for twin in pair:
        if twin.is_file() or twin.is_symlink():
            inside_project(twin, config)
    winner = changed_twin(name, config)
    if winner == "py":
        return str(config.job_module_path(name))
    if winner == "notebook":
        return str(config.notebook_path(name))
    return target


def check_sync(path: Path, config: ProjectConfig, keep: Keep | None = None) -> Keep | None:
    """Everything ``sync`` checks before it writes; returns the twin whose cells will win.

    ``kit sync`` runs it for every target first, so one bad pair stops the command before any
    pair is written.
    """
    notebook, module = twins(path, config)
    source = Path(os.path.abspath(path))
    if source.suffix not in (".ipynb", ".py"):
        raise NotebookError(
            f"{config.relative(source)}: expected a .ipynb notebook or its paired .py job module"
        )
    validate_job_name(source.stem)
    if source not in (notebook, module):
        raise PairingError(
            f"{config.relative(source)} is not a twin of a pair; pairs are "
            f"{config.relative(notebook)} and {config.relative(module)}"
        )
    if not source.is_file():
        raise NotebookError(f"{config.relative(source)}: no such file")
    for twin in (notebook, module):
        if twin.exists() or twin.is_symlink():
            inside_project(twin, config)
            read_notebook(twin)  # one-line error for a malformed twin before jupytext touches anything
    check_writable(record_path(notebook.stem, config))
    return keep or changed_twin(notebook.stem, config)


def sync(path: Path, config: ProjectConfig, keep: Keep | None = None) -> list[Path]:
    """Bring the pair of ``path`` in sync with jupytext; return paths written.

    The twin edited since the last sync wins; ``SyncConflict`` (nothing written) when both were,
    unless ``keep`` names the twin to keep. The twins' hashes are recorded after each sync.
    """
    winner = check_sync(path, config, keep)
    notebook, module = twins(path, config)
    source = Path(os.path.abspath(path))
    name = notebook.stem
    if winner and notebook.is_file() and module.is_file():
        _make_newest(notebook if winner == "notebook" else module, module if winner == "notebook" else notebook)
    before = {p: _stamp(p) for p in (notebook, module)}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = jupytext.cli.jupytext(["--sync", str(source)])
    if code:
        raise PairingError(f"jupytext could not sync {config.relative(source)}: {out.getvalue().strip()}")
    if notebook.is_file() and module.is_file():
        record_sync(name, inputs_hash(read_notebook(notebook)), inputs_hash(read_notebook(module)), config)
    return [p for p in (notebook, module) if _stamp(p) != before[p]]


def _make_newest(winner: Path, other: Path) -> None:
    """jupytext takes a pair's inputs from its newest file: make ``winner`` that (mtime only)."""
    other_ns = other.stat().st_mtime_ns
    if winner.stat().st_mtime_ns <= other_ns:
        later = max(time.time_ns(), other_ns + 1_000_000_000)
        os.utime(winner, ns=(later, later))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)
