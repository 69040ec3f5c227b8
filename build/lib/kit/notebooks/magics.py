"""Notebook-only syntax (IPython magics, shell escapes) that a Glue script cannot contain."""

from __future__ import annotations

import re

_LINE_MAGIC = re.compile(r"^\s*(%|!)")
_CELL_MAGIC = re.compile(r"^\s*%%")


def is_cell_magic(source: str) -> bool:
    """True for cells such as ``%%configure`` or ``%%sql`` whose whole body is not Python."""
    first = next((line for line in source.splitlines() if line.strip()), "")
    return bool(_CELL_MAGIC.match(first))


def strip_magics(source: str) -> tuple[str, int]:
    """Drop line magics and shell escapes (``%time``, ``!pip``); return the source and lines dropped."""
    kept: list[str] = []
    dropped = 0
    for line in source.splitlines():
        if _LINE_MAGIC.match(line):
            dropped += 1
            continue
        kept.append(line)
    return "\n".join(kept), dropped
