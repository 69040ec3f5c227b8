"""Read a notebook from either twin (``.ipynb`` or the jupytext ``.py``), with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode
from nbformat.validator import get_validator

from kit.errors import NotebookError

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
        _schema_check(data, shown)
        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # nbformat raises several unrelated types for bad documents
            raise NotebookError(f"{shown}: not a valid notebook ({_first_line(exc)})") from exc
    else:
        nb = jupytext.reads(text, fmt="py:percent")
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
