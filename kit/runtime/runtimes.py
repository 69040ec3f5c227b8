"""One local runtime per Glue version: which Spark it is, and the cached folder that provides it.

Glue 5.0 is kit's own environment (pyspark 3.5.4 is a kit dependency). Every other version is a
folder in the runtimes cache (``KIT_RUNTIMES_DIR``, else ``$XDG_CACHE_HOME/kit/runtimes``, else
``~/.cache/kit/runtimes``) holding only what differs: that version's ``pyspark`` and ``py4j``,
installed by pip with ``--target``. A child Python gets the folder first on ``PYTHONPATH`` (see
:mod:`kit.runtime.environment`), so kit's tools and the ``awsglue`` layer are shared while Spark
is the version's own; one cache serves every kit install of the machine (CI caches it).

A runtime is built once (pip shows what it downloads and builds; the pyspark source archives are
several hundred MB) and marked complete by ``runtime.json`` written last, so an interrupted build
is never mistaken for a cached one, and a cached one is never rebuilt or fetched again (offline).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import RuntimeBuildError, UnknownGlueVersion

MARKER = "runtime.json"
DEFAULT_GLUE_VERSION = "5.0"  # what a job without a glue_version setting runs on (kit's own)
CURRENT_AWS_DEFAULT = "5.1"  # what AWS picks for a new job today; `kit new`/`kit init` write it


@dataclass(frozen=True)
class GlueRuntime:
    """What one Glue version runs (AWS Glue release notes and migration guides)."""

    glue_version: str
    spark: str
    python: str  # Glue's Python (major.minor)
    scala: str
    java: str = "17"

    @property
    def requirement(self) -> str:
        return f"pyspark=={self.spark}"

    @property
    def builtin(self) -> bool:
        """True for the version kit's own environment provides (nothing to build)."""
        return self.glue_version == DEFAULT_GLUE_VERSION


RUNTIMES: dict[str, GlueRuntime] = {
    "5.0": GlueRuntime("5.0", "3.5.4", "3.11", "2.12.18"),
    "5.1": GlueRuntime("5.1", "3.5.6", "3.11", "2.12.18"),
    "6.0": GlueRuntime("6.0", "4.1.1", "3.13", "2.13.17"),
}
GLUE_VERSIONS = tuple(RUNTIMES)


@dataclass(frozen=True)
class RuntimeStatus:
    runtime: GlueRuntime
    path: Path | None  # the cached folder (None for the built-in version)
    installed: bool
    size: int = 0  # bytes on disk
    built_seconds: float | None = None


def spec(glue_version: str | None) -> GlueRuntime:
    """The runtime of ``glue_version`` (default 5.0); one-line error for a version kit lacks."""
    version = DEFAULT_GLUE_VERSION if glue_version is None else str(glue_version).strip()
    if version not in RUNTIMES:
        raise UnknownGlueVersion(
            f"unknown Glue version {version!r}; kit runs {', '.join(GLUE_VERSIONS)} "
            "(Glue 4.0 and earlier are not supported)"
        )
    return RUNTIMES[version]


def job_glue_version(config: Any, job: str | None, env: str | None = None) -> str:
    """The Glue version a job runs on: ``[tool.kit.job.JOB] glue_version`` (per environment
    under ``.environments.ENV``), else 5.0, the version of projects written before the setting.
    """
    settings = (config.job_settings.get(job) or {}) if job else {}
    version = settings.get("glue_version", DEFAULT_GLUE_VERSION)
    overrides = settings.get("environments") or {}
    if env and isinstance(overrides, dict) and isinstance(overrides.get(env), dict):
        version = overrides[env].get("glue_version", version)
    if not isinstance(version, str):
        raise UnknownGlueVersion(
            f"[tool.kit.job.{job}] glue_version must be a string such as \"5.1\", got {version!r}"
        )
    return spec(version).glue_version


def _pins_new_job(config: Any, job: str) -> str | None:
    """``pyproject.toml``'s text when a new ``job`` gets pinned there (it has no settings yet)."""
    from kit.config import PYPROJECT

    pyproject = Path(config.root) / PYPROJECT
    if job in config.job_settings or not pyproject.is_file():
        return None
    text = pyproject.read_text(encoding="utf-8")
    return text if "[tool.kit" in text else None


def new_job_version(config: Any, job: str) -> str:
    """The Glue version ``kit new`` gives ``job``: AWS's current default when it pins the job
    (:func:`write_new_job_version`), else what the job's settings already say."""
    if _pins_new_job(config, job) is not None:
        return CURRENT_AWS_DEFAULT
    return job_glue_version(config, job)


def write_new_job_version(config: Any, job: str) -> Path | None:
    """Pin a new job to AWS's current default Glue version in ``pyproject.toml``.

    Appends ``[tool.kit.job.JOB]`` with ``glue_version`` when the job has no settings yet (a job
    that has some is left as its owner wrote it). Returns the file written, or None.
    """
    from kit.config import PYPROJECT
    from kit.fsutil import write_atomic

    pyproject = Path(config.root) / PYPROJECT
    text = _pins_new_job(config, job)
    if text is None:
        return None
    text = text if text.endswith("\n") or not text else text + "\n"
    table = f'\n[tool.kit.job.{job}]\nglue_version = "{CURRENT_AWS_DEFAULT}"\n'
    write_atomic(pyproject, text + table)
    return pyproject


def runtimes_dir() -> Path:
    """Where built runtimes are cached (``KIT_RUNTIMES_DIR`` overrides)."""
    override = os.environ.get("KIT_RUNTIMES_DIR")
    if override:
        return Path(override).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser().resolve() / "kit" / "runtimes"


def runtime_dir(glue_version: str) -> Path:
    return runtimes_dir() / f"glue-{spec(glue_version).glue_version}"


def site_dir(glue_version: str | None) -> Path | None:
    """The folder to put first on ``PYTHONPATH`` for ``glue_version`` (None: kit's own Spark).

    The runtime must be installed (see :func:`ensure`); a one-line error says how otherwise.
    """
    runtime = spec(glue_version)
    if runtime.builtin:
        return None
    status = status_of(runtime.glue_version)
    if not status.installed:
        raise RuntimeBuildError(
            f"the Glue {runtime.glue_version} runtime is not installed; "
            f"run `kit runtime install {runtime.glue_version}` (or `kit run --glue-version "
            f"{runtime.glue_version}`, which builds it once)"
        )
    return runtime_dir(runtime.glue_version) / "site"


def status_of(glue_version: str) -> RuntimeStatus:
    """Whether ``glue_version``'s runtime is ready, where, and how big."""
    runtime = spec(glue_version)
    if runtime.builtin:
        return RuntimeStatus(runtime, None, True)
    folder = runtime_dir(runtime.glue_version)
    info = _marker(folder)
    if info is None or info.get("spark") != runtime.spark:
        return RuntimeStatus(runtime, folder, False)
    return RuntimeStatus(
        runtime, folder, True, _size(folder), info.get("built_seconds")
    )


def list_runtimes() -> list[RuntimeStatus]:
    return [status_of(v) for v in GLUE_VERSIONS]


Progress = Callable[[str], None]


def ensure(
    glue_version: str | None, progress: Progress | None = None, *, offline: bool = False
) -> RuntimeStatus:
    """The runtime of ``glue_version``, built on first use (never rebuilt when cached).

    ``progress`` receives one line per step (what is downloaded and built, with a percentage
    for the download). ``offline`` forbids the package index: only pip's local caches are used.
    """
    runtime = spec(glue_version)
    status = status_of(runtime.glue_version)
    if status.installed:
        return status
    say = progress or (lambda _line: None)
    folder = runtime_dir(runtime.glue_version)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _lock(folder.with_name(folder.name + ".lock")):
        status = status_of(runtime.glue_version)  # built meanwhile by another process
        if status.installed:
            return status
        if folder.exists():
            say(f"removing an incomplete build in {folder}")
            shutil.rmtree(folder)
        folder.mkdir()
        started = time.perf_counter()
        say(
            f"building the Glue {runtime.glue_version} runtime (Spark {runtime.spark}) in {folder}"
        )
        try:
            _pip_install(runtime, folder / "site", say, offline)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        seconds = round(time.perf_counter() - started, 1)
        info = {
            "glue_version": runtime.glue_version,
            "spark": runtime.spark,
            "built_seconds": seconds,
            "built_with_python": sys.version.split()[0],
        }
        (folder / MARKER).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        say(f"built the Glue {runtime.glue_version} runtime in {seconds:.0f}s")
    return status_of(runtime.glue_version)


def remove(glue_version: str) -> Path:
    """Delete the cached runtime of ``glue_version``; one-line error when there is none."""
    runtime = spec(glue_version)
    if runtime.builtin:
        raise RuntimeBuildError(
            f"Glue {runtime.glue_version} is kit's own environment and cannot be removed"
        )
    folder = runtime_dir(runtime.glue_version)
    if not folder.exists():
        raise RuntimeBuildError(f"the Glue {runtime.glue_version} runtime is not installed")
    with _lock(folder.with_name(folder.name + ".lock")):
        shutil.rmtree(folder)
    return folder


def python_note(glue_version: str | None) -> str | None:
    """A one-line note when Glue's Python for this version differs from the local one."""
    runtime = spec(glue_version)
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    if runtime.python == local:
        return None
    return (
        f"note: Glue {runtime.glue_version} runs Python {runtime.python}; this local run uses "
        f"Python {local} (code that needs {runtime.python}-only features fails here only)"
    )


# --- building ---------------------------------------------------------------------------------

_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)$")


def _pip_install(runtime: GlueRuntime, target: Path, say: Progress, offline: bool) -> None:
    """pip install the version's pyspark (and its py4j) into ``target``, reporting progress."""
    command = [
        sys.executable, "-m", "pip", "install", "--target", str(target),
        "--disable-pip-version-check", "--no-input", "--progress-bar", "raw",
        runtime.requirement,
    ]
    if offline:
        command.insert(4, "--no-index")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PIP_NO_COLOR": "1"}
    try:
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
    except OSError as exc:
        raise RuntimeBuildError(f"cannot start pip to build the runtime: {exc}") from exc
    errors: list[str] = []
    last_shown = -1
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.strip()
        match = _PROGRESS.match(line)
        if match:
            done, total = int(match.group(1)), int(match.group(2))
            percent = int(100 * done / total) if total else 0
            if percent >= last_shown + 10 or done == total:
                last_shown = percent
                say(f"  {percent:3d}% of {total / 1e6:.0f} MB")
            continue
        if line.startswith(("Collecting", "Downloading", "Using cached", "Building wheel",
                            "Created wheel", "Installing collected", "Successfully")):
            say(f"  {line.split(' (sha256', 1)[0]}")
            last_shown = -1
        elif line.startswith("ERROR:"):
            errors.append(line[len("ERROR:"):].strip())
    code = proc.wait()
    if code != 0:
        reason = errors[-1] if errors else f"pip exited with status {code}"
        hint = (
            "connect to the package index once, or fill pip's cache on another machine"
            if offline or "version" in reason.lower() or "connect" in reason.lower()
            else "see pip's message"
        )
        raise RuntimeBuildError(
            f"cannot build the Glue {runtime.glue_version} runtime ({runtime.requirement}): "
            f"{reason}; {hint}"
        )


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """One build or removal of a runtime at a time, across processes."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _marker(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
