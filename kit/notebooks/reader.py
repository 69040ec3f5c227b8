"""Read a notebook from either twin (``.ipynb`` or the jupytext ``.py``), with one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode
from nbformat.validator import get_validator

from kit.errors import NotebookError, TagError
from kit.notebooks.tags import cell_tags, malformed_tags

TEXT_SUFFIXES = {".py"}
NOTEBOOK_SUFFIX = ".ipynb"


def read_notebook(path: Path) -> NotebookNode:
    """Return the notebook at ``path`` as nbformat v4, validated.

    ``.ipynb`` files must be valid nbformat; ``.py`` files are read as jupytext percent scripts.
    """
    path = Path(path)
    shown = _shown(path)
    if not path.is_file():
        raise NotebookError(f"{shown}: no such file; check the path or run `kit new NAME`")
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | {NOTEBOOK_SUFFIX}:
        raise NotebookError(f"{shown}: expected a .ipynb notebook or its paired .py job module")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{shown}: not UTF-8 text ({exc.reason}); re-save it as UTF-8") from exc
    if suffix == NOTEBOOK_SUFFIX:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NotebookError(
                f"{shown}: not a valid notebook (JSON error at line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}); restore it from git or re-save it from Jupyter"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
            raise NotebookError(f"{shown}: not a notebook (no nbformat version); is it really .ipynb?")
        _tags_check(data, shown)
        _schema_check(data, shown)
        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # nbformat raises several unrelated types for bad documents
            raise NotebookError(f"{shown}: not a valid notebook ({_first_line(exc)})") from exc
    else:
        _py_tags_check(text, shown)
        try:
            nb = jupytext.reads(text, fmt="py:percent")
        except Exception as exc:  # jupytext validates each cell and raises nbformat's errors
            raise NotebookError(
                f"{shown}: not a valid job module ({_first_line(exc)}); fix its `# %%` cell headers"
            ) from exc
    _validate(nb, shown)
    return nb


def _validate(nb: dict, shown: str) -> None:
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise NotebookError(
            f"{shown}: not valid nbformat at {where}: {_first_line(exc)}; "
            "restore it from git or re-save it from Jupyter"
        ) from exc


def _tags_check(data: dict, shown: str) -> None:
    """A ``tags`` value that is not a list of strings, named by cell, before nbformat's schema
    error (which names a JSON path, not the fix)."""
    cells = data.get("cells")
    if not isinstance(cells, list):
        return
    for number, cell in enumerate(cells, start=1):
        problem = malformed_tags(cell) if isinstance(cell, dict) else None
        if problem:
            raise TagError(f"{shown}: cell {number}: {problem}")


_PY_TAGS = re.compile(r"^# %%.*?\btags=", re.M)
_BAD_TAGS_MARK = "kit-malformed-tags"


def _py_tags_check(text: str, shown: str) -> None:
    """The same check for a percent-format twin, whose cell headers carry ``tags=VALUE``."""
    for match in _PY_TAGS.finditer(text):
        start = match.end()
        try:
            value, end = json.JSONDecoder().raw_decode(text, start)
        except ValueError:
            end = start + len(text[start:].split(maxsplit=1)[0]) if text[start:].strip() else start
            value = text[start:end]
        problem = malformed_tags({"metadata": {"tags": value}})
        if not problem:
            continue
        marked = f"{text[:start]}[{json.dumps(_BAD_TAGS_MARK)}]{text[end:]}"
        try:  # the cell number as jupytext counts cells
            cells = jupytext.reads(marked, fmt="py:percent").cells
            number = next(i for i, c in enumerate(cells, 1) if _BAD_TAGS_MARK in cell_tags(c))
            where = f"cell {number}"
        except Exception:  # noqa: BLE001 - still refuse, by line
            where = f"line {text.count(chr(10), 0, start) + 1}"
        raise TagError(f"{shown}: {where}: {problem}")


def _schema_check(data: dict, shown: str) -> None:
    """Schema errors of the raw JSON, before nbformat's own upgrade code can trip over them."""
    try:
        validator = get_validator(version=data["nbformat"], version_minor=data.get("nbformat_minor", 0))
    except Exception:  # unknown nbformat version: nbformat.reads below reports it
        return
    if validator is None:
        return
    for error in validator.iter_errors(data):
        message = getattr(error, "message", str(error))
        raise NotebookError(
            f"{shown}: not valid nbformat ({message}); restore it from git or re-save it from Jupyter"
        )


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the cwd when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
