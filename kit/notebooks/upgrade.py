"""``kit upgrade-bootstrap``: replace a job's copied ~80-line bootstrap cell by a call to kit.bootstrap.

Jobs created before ``kit.bootstrap`` carry their own copy of the bootstrap in their first job
cell. A cell that is exactly what ``kit new`` wrote (with the job's own ``JOB_ARGS``) becomes the
short form, in both twins; a cell that differs was edited by hand and is refused, since
rewriting it would silently drop the edit. Everything is checked in memory before any file is
written, and each file is replaced atomically.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import jupytext
from nbformat import NotebookNode

from kit.config import ProjectConfig
from kit.errors import UpgradeRefused
from kit.fsutil import write_atomic
from kit.notebooks.inline_bootstrap import MODULE
from kit.notebooks.jobargs import JOB_ARGS_NAME
from kit.notebooks.pairing import TEXT_FORMAT
from kit.notebooks.reader import read_notebook
from kit.notebooks.tags import job_cells
from kit.notebooks.template import OLD_BOOTSTRAP_TEMPLATES, bootstrap_cell

# Lines only the copied bootstrap has: how an old cell is recognised (edited or not).
_OLD_MARKERS = ("RUN_MODE = _run_mode()", "def _run_mode(")

State = Literal["upgraded", "current", "no bootstrap"]


@dataclass
class TwinUpgrade:
    path: Path
    state: State
    cell: int | None = None
    text: str | None = None  # the file's new content when upgraded


@dataclass
class JobUpgrade:
    job: str
    twins: list[TwinUpgrade] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        return [t.path for t in self.twins if t.state == "upgraded"]


def plan(job: str, config: ProjectConfig) -> JobUpgrade:
    """What upgrading ``job`` would write; raises ``UpgradeRefused`` for a hand-edited cell."""
    twins = [p for p in (config.job_module_path(job), config.notebook_path(job)) if p.is_file()]
    if not twins:
        raise UpgradeRefused(
            f"no notebook or job module named {job!r}; `kit upgrade-bootstrap` takes job names"
        )
    result = JobUpgrade(job)
    for path in twins:
        result.twins.append(_plan_twin(job, path, config))
    return result


def upgrade(jobs: list[str], config: ProjectConfig) -> list[JobUpgrade]:
    """Upgrade ``jobs`` (all the project's jobs when empty); nothing is written if any is refused."""
    plans = [plan(job, config) for job in (jobs or config.job_names())]
    for job_plan in plans:
        for twin in job_plan.twins:
            if twin.state == "upgraded" and twin.text is not None:
                try:
                    write_atomic(twin.path, twin.text)
                except OSError as exc:
                    raise UpgradeRefused(
                        f"cannot write {config.relative(twin.path)}: {exc.strerror or exc}"
                    ) from exc
    return plans


def new_cell_source(job: str, old_source: str, shown: str, number: int) -> str:
    """The short bootstrap cell for an old copied one; refuses a cell edited by hand."""
    block = _job_args_block(old_source)
    known = {bootstrap_cell(job, block or "", old).strip("\n") for old in OLD_BOOTSTRAP_TEMPLATES}
    if block is None or old_source.strip("\n") not in known:
        raise UpgradeRefused(
            f"{shown}: cell {number} (the bootstrap) differs from the one kit new wrote, so it "
            "was edited by hand; move your changes to another cell (or apply them to "
            "kit.bootstrap's call) and replace it with the short form from docs/kernel.md"
        )
    return bootstrap_cell(job, block).strip("\n")


def _plan_twin(job: str, path: Path, config: ProjectConfig) -> TwinUpgrade:
    nb = read_notebook(path)
    shown = config.relative(path)
    for number, cell in job_cells(nb):
        if any(marker in cell.source for marker in _OLD_MARKERS):
            cell.source = new_cell_source(job, cell.source, shown, number)
            return TwinUpgrade(path, "upgraded", number, _write_format(nb, path))
    for number, cell in job_cells(nb):
        if f"from {MODULE} import" in cell.source:
            return TwinUpgrade(path, "current", number)
    return TwinUpgrade(path, "no bootstrap")


def _job_args_block(source: str) -> str | None:
    """The ``JOB_ARGS = {...}`` statement of ``source``, verbatim (comments and all)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines()
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == JOB_ARGS_NAME):
            return "\n".join(lines[node.lineno - 1:node.end_lineno])
    return None


def _write_format(nb: NotebookNode, path: Path) -> str:
    return jupytext.writes(nb, fmt="ipynb" if path.suffix == ".ipynb" else TEXT_FORMAT)
