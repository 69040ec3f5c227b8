"""The tag rule that decides which cells ship in the Glue job, and the checks that keep it honest.

A code cell tagged ``job`` is part of the deployed script. Everything else is exploration:
cells tagged ``dev`` and untagged cells stay in the notebook only, so nothing reaches
production by accident. Markdown and raw cells never ship.

Because an unshipped cell is silent, a tag that almost says ``job`` (``Job``, ``" job"``), a
``tags`` value that is not a list of strings, or an unknown tag on a code cell is refused
(``tag_problems``); other tags a project uses (papermill's ``parameters``, nbval's) go in the
allow-list ``[tool.kit] tags = [...]``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from nbformat import NotebookNode

from kit.errors import ConfigError

JOB_TAG = "job"
DEV_TAG = "dev"
KIT_TAGS = (JOB_TAG, DEV_TAG)
SETTING = "tags"

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


def allowed_tags(table: dict[str, Any]) -> frozenset[str]:
    """The project's extra allowed tags from the ``[tool.kit]`` table (``tags = [...]``)."""
    value = table.get(SETTING, [])
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise ConfigError(
            f"[tool.kit] {SETTING} must be a list of tag names, e.g. {SETTING} = [\"parameters\"]; "
            f"got {value!r}"
        )
    return frozenset(value)


def malformed_tags(cell: dict[str, Any]) -> str | None:
    """Why a cell's raw ``tags`` value is not a list of strings (any cell type), or None."""
    metadata = cell.get("metadata")
    if not isinstance(metadata, dict) or "tags" not in metadata:
        return None
    tags = metadata["tags"]
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        return None
    example = '["job"]' if isinstance(tags, str) and tags.strip().lower() == JOB_TAG else '["dev"]'
    return (
        f"tags must be a list of strings, got {tags!r}; write tags={example} "
        f'(in the .py twin: # %% tags={example})'
    )


def tag_problems(cell: NotebookNode, allowed: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong with one cell's tags: near misses of job/dev, unknown tags on code cells."""
    bad = malformed_tags(cell)
    if bad:
        return [bad]
    if cell.get("cell_type") != "code":
        return []
    problems = []
    for tag in cell_tags(cell):
        if tag in KIT_TAGS or tag in allowed:
            continue
        near = next((k for k in KIT_TAGS if tag.strip().lower() == k), None)
        if near:
            problems.append(
                f"tag {tag!r} is not {near!r} (tags are exact and case-sensitive); "
                f'rename it to "{near}"'
            )
        else:
            problems.append(
                f"unknown tag {json.dumps(tag)} on a code cell; use \"{JOB_TAG}\" (ships) or "
                f"\"{DEV_TAG}\" (exploration), or allow it with [tool.kit] {SETTING} = [{json.dumps(tag)}]"
            )
    return problems
