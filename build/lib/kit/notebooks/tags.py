"""The tag rule that decides which cells ship in the Glue job.

A code cell tagged ``job`` is part of the deployed script. Everything else is exploration:
cells tagged ``dev`` and untagged cells stay in the notebook only, so nothing reaches
production by accident. Markdown and raw cells never ship.
"""

from __future__ import annotations

from typing import Literal

from nbformat import NotebookNode

JOB_TAG = "job"
DEV_TAG = "dev"

Role = Literal["job", "dev", "text"]


def cell_tags(cell: NotebookNode) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def cell_role(cell: NotebookNode) -> Role:
    """``job`` for cells that ship, ``dev`` for exploration code, ``text`` for markdown/raw."""
    if cell.get("cell_type") != "code":
        return "text"
    tags = cell_tags(cell)
    if JOB_TAG in tags and DEV_TAG not in tags:
        return "job"
    return "dev"


def job_cells(nb: NotebookNode) -> list[tuple[int, NotebookNode]]:
    """(1-based cell number, cell) for every cell that ships, in notebook order."""
    return [(i, c) for i, c in enumerate(nb.cells, start=1) if cell_role(c) == "job"]
