"""The notebook ↔ job module pair (jupytext): where each twin lives, sync, and drift between them."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jupytext
import jupytext.cli
from nbformat import NotebookNode

from kit.config import ProjectConfig
from kit.errors import NotebookError, PairingError
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
    """(notebook, job module) for either twin's path."""
    path = Path(path).resolve()
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


def sync(path: Path, config: ProjectConfig) -> list[Path]:
    """Bring the pair of ``path`` in sync with jupytext (newest twin wins); return paths written."""
    notebook, module = twins(path, config)
    source = Path(path).resolve()
    if not source.is_file():
        raise NotebookError(f"{config.relative(source)}: no such file")
    read_notebook(source)  # one-line error for a malformed twin before jupytext touches anything
    other = module if source == notebook else notebook
    if other.is_file():
        read_notebook(other)
    before = {p: _stamp(p) for p in (notebook, module)}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = jupytext.cli.jupytext(["--sync", str(source)])
    if code:
        raise PairingError(f"jupytext could not sync {config.relative(source)}: {out.getvalue().strip()}")
    return [p for p in (notebook, module) if _stamp(p) != before[p]]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)
