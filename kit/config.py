"""Project settings: where notebooks, job modules and builds live, per-job and per-environment settings.

Read from ``[tool.kit]`` in the project's ``pyproject.toml``; every key has a default so a project
needs no configuration to start. The schema itself (and the validation of every table) lives in
:mod:`kit.settings`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import ConfigError, NoProject
from kit.settings import parse_layout

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class ProjectConfig:
    """Resolved project layout and settings (all paths absolute)."""

    root: Path
    notebooks_dir: Path
    jobs_dir: Path
    build_dir: Path
    data_dir: Path
    state_dir: Path
    job_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def notebook_path(self, name: str) -> Path:
        return self.notebooks_dir / f"{name}.ipynb"

    def job_module_path(self, name: str) -> Path:
        return self.jobs_dir / f"{name}.py"

    def job_build_dir(self, name: str) -> Path:
        return self.build_dir / name

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root when inside it (for messages and headers)."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def job_names(self) -> list[str]:
        """Every job the project has: notebooks and job modules, by stem, sorted."""
        names = {p.stem for p in self.notebooks_dir.glob("*.ipynb")}
        names |= {p.stem for p in self.jobs_dir.glob("*.py") if not p.name.startswith("_")}
        return sorted(names)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding a pyproject.toml with ``[tool.kit]``.

    ``KIT_PROJECT`` overrides the search. Falls back to the nearest pyproject.toml or jupytext.toml.
    """
    env = os.environ.get("KIT_PROJECT")
    if env:
        root = Path(env).resolve()
        if not root.is_dir():
            raise ConfigError(f"KIT_PROJECT={env} is not a folder; point it at your project root")
        return root
    here = (start or Path.cwd()).resolve()
    fallback = None
    for folder in (here, *here.parents):
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            if "[tool.kit" in pyproject.read_text(encoding="utf-8", errors="replace"):
                return folder
            fallback = fallback or folder
        elif (folder / "jupytext.toml").is_file():
            fallback = fallback or folder
    if fallback is not None:
        return fallback
    raise NoProject(
        "no kit project found here or above; run kit from your project folder "
        "(one with pyproject.toml) or run `kit init` to make this folder one"
    )


def load(root: Path | None = None) -> ProjectConfig:
    """Load the project configuration rooted at ``root`` (found from the cwd when omitted)."""
    root = Path(root).resolve() if root else find_root()
    table: dict[str, Any] = {}
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{pyproject.name} is not valid TOML: {exc}; fix the file") from exc
        table = data.get("tool", {}).get("kit", {}) or {}
    layout = parse_layout(table)

    def folder(key: str) -> Path:
        return (root / getattr(layout, key)).resolve()

    return ProjectConfig(
        root=root,
        notebooks_dir=folder("notebooks"),
        jobs_dir=folder("jobs"),
        build_dir=folder("build"),
        data_dir=folder("data"),
        state_dir=folder("state"),
        job_settings=layout.job,
        environments=layout.environments,
        raw=table,
    )


def for_folder(folder: Path) -> ProjectConfig:
    """kit's default layout rooted at ``folder``, for running a Glue script outside any project.

    Nothing is read or written here: local state (the s3:// object root, bookmarks) goes to
    ``folder/.kit`` unless ``KIT_S3_ROOT`` / ``KIT_BOOKMARK_DIR`` say otherwise.
    """
    root = Path(folder).resolve()
    return ProjectConfig(
        root=root,
        notebooks_dir=root / "notebooks",
        jobs_dir=root / "jobs",
        build_dir=root / "build",
        data_dir=root / "data",
        state_dir=root / ".kit",
    )
