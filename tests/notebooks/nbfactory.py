"""Build small notebooks for tests."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat

from kit.notebooks.pairing import PAIRING_FORMATS

BOOT = 'import sys\nJOB_ARGS = {"output_path": "out"}\nargs = dict(JOB_ARGS)\njob = None'


def notebook(*cells: tuple[list[str] | str, str]):
    """Cells as (tags, source); tags "md" makes a markdown cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["jupytext"] = {"formats": PAIRING_FORMATS}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for tags, source in cells:
        if tags == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)}))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def write_pair(root: Path, name: str, nb) -> tuple[Path, Path]:
    ipynb = root / "notebooks" / f"{name}.ipynb"
    py = root / "jobs" / f"{name}.py"
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    py.parent.mkdir(parents=True, exist_ok=True)
    ipynb.write_text(jupytext.writes(nb, fmt="ipynb"), encoding="utf-8")
    py.write_text(jupytext.writes(nb, fmt="py:percent"), encoding="utf-8")
    return ipynb, py
