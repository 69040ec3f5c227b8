"""``kit init [DIR]``: make any folder, including an existing repository, a kit project.

Everything is planned in memory first (an unreadable ``pyproject.toml`` stops the command before
anything is written); then only missing files are created. ``pyproject.toml`` is the one file
that may be edited, and only to add ``[tool.kit]``: tomlkit keeps every other key, comment and
blank line byte for byte. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import cast

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AbstractTable

from kit.config import PYPROJECT
from kit.errors import InitError
from kit.fsutil import write_atomic
from kit.infra.stack import BOOTSTRAP_TEMPLATE, ETL_TEMPLATE, PACKAGED_TEMPLATES
from kit.notebooks.pairing import PAIRING_FORMATS

FOLDERS = ("notebooks", "jobs", "tests", "infra", "data")
JUPYTEXT_TOML = (
    "# Pair every notebook in notebooks/ with a percent-format job module in jobs/.\n"
    f'formats = "{PAIRING_FORMATS}"\n'
)
TOOL_KIT_COMMENT = "kit: notebook-first Glue jobs (every key optional; see kit's README)"
TOOL_KIT_DEFAULTS = {"notebooks": "notebooks", "jobs": "jobs", "build": "build"}




@dataclass
class InitPlan:
    """What ``kit init`` does to a folder: files to create or edit, and what it leaves alone."""

    root: Path
    create: dict[Path, str] = field(default_factory=dict)
    edit: dict[Path, str] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.create or self.edit or self.folders)


def plan(root: Path) -> InitPlan:
    """Decide what to write in ``root``; reads only, raises ``InitError`` on bad input."""
    root = Path(root).resolve()
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is a file; give kit init a folder")
    result = InitPlan(root=root)
    _plan_pyproject(result)
    files = {
        root / "jupytext.toml": JUPYTEXT_TOML,
        root / "infra" / ETL_TEMPLATE: (PACKAGED_TEMPLATES / ETL_TEMPLATE).read_text("utf-8"),
        root / "infra" / BOOTSTRAP_TEMPLATE: (PACKAGED_TEMPLATES / BOOTSTRAP_TEMPLATE).read_text("utf-8"),
        root / ".pre-commit-config.yaml": _template("pre-commit-config.yml"),
        root / ".github" / "workflows" / "kit.yml": _template("ci-github.yml"),
        root / ".gitignore": _template("gitignore.tmpl"),
    }
    for folder in FOLDERS:
        path = root / folder
        if path.exists() and not path.is_dir():
            raise InitError(f"{path} exists and is not a folder; move it away first")
        if not path.is_dir():
            result.folders.append(path)
            if folder != "infra":  # git keeps no empty folder
                files[path / ".gitkeep"] = ""
    for path, text in files.items():
        if path.exists() or path.is_symlink():
            result.kept.append(path)
        else:
            result.create[path] = text
    return result


def apply(init_plan: InitPlan) -> None:
    """Create the planned folders and files (never replacing one) and edit pyproject.toml."""
    for folder in init_plan.folders:
        folder.mkdir(parents=True, exist_ok=True)
    for path, text in init_plan.create.items():
        if path.exists():  # appeared since the plan: still never overwrite
            continue
        write_atomic(path, text)
    for path, text in init_plan.edit.items():
        write_atomic(path, text)


def init(root: Path, *, dry_run: bool = False) -> InitPlan:
    """Plan, and unless ``dry_run`` apply, ``kit init`` for ``root``."""
    result = plan(root)
    if not dry_run:
        apply(result)
    return result


def add_tool_kit(text: str) -> str | None:
    """``text`` (a pyproject.toml) with a ``[tool.kit]`` table added, or None if it has one.

    tomlkit round-trips the document, so every existing key, comment and blank line is kept.
    """
    doc = tomlkit.parse(text)
    tool = doc.get("tool")
    if tool is not None and not isinstance(tool, dict):
        raise InitError(f"{PYPROJECT}: 'tool' is not a table; fix the file")
    if tool is not None and "kit" in tool:
        return None
    table = tomlkit.table()
    table.comment(TOOL_KIT_COMMENT)
    for key, value in TOOL_KIT_DEFAULTS.items():
        table.add(key, value)
    try:
        if tool is None:
            tool = tomlkit.table(is_super_table=True)
            tool.add("kit", table)
            if text and not text.endswith("\n\n"):
                doc.add(tomlkit.nl())
            doc.add("tool", tool)
        else:
            cast(AbstractTable, tool).add("kit", table)
        out = tomlkit.dumps(doc)
        tomlkit.parse(out)  # what is written must read back
    except (ValueError, TOMLKitError) as exc:
        raise InitError(
            f"{PYPROJECT}: cannot add a [tool.kit] table next to its 'tool' ({exc}); "
            "add [tool.kit] by hand"
        ) from exc
    return out if out.endswith("\n") else out + "\n"


def _plan_pyproject(result: InitPlan) -> None:
    path = result.root / PYPROJECT
    if not path.exists():
        result.create[path] = add_tool_kit("") or ""
        return
    try:
        text = path.read_text(encoding="utf-8")
        edited = add_tool_kit(text)
    except (UnicodeDecodeError, TOMLKitError) as exc:
        raise InitError(f"{path}: not valid TOML ({exc}); fix it and run kit init again") from exc
    if edited is None:
        result.kept.append(path)
    else:
        result.edit[path] = edited


def _template(name: str) -> str:
    return resources.files("kit.adopt").joinpath(f"templates/{name}").read_text("utf-8")
