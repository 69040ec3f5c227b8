"""A job's build: the boundary between notebooks and infrastructure.

``kit export`` writes ``build/JOB/``: the Glue script, the job's stack and ``job.json``, a manifest
of what the build was made from (the declared arguments with their local defaults, the job's
resolved settings, the source notebook and a digest of it, kit's version, and a digest of each
file). Deploy, diff, itest and validate read builds only (:meth:`Build.load`), never notebooks:
the arrows go notebooks -> build -> infra. A build is fresh while its inputs are unchanged, which
the manifest lets infra check without re-exporting (:meth:`Build.ensure_fresh`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kit import __version__
from kit.errors import BuildMissing, StaleBuild
from kit.jobstack import render_job_stack
from kit.settings import JobTable, argument_names, check_job_name, job_settings, job_table

if TYPE_CHECKING:
    from kit.config import ProjectConfig

MANIFEST = "job.json"
STACK_FILE = "stack.yml"
MANIFEST_FORMAT = 1




def script_name(job: str) -> str:
    return f"{job}.py"


def source_digest(path: Path) -> str:
    """sha256 of what a notebook says, not how it was last saved.

    For an ``.ipynb`` only each cell's type, source and tags count (outputs, execution counts
    and metadata change on every save and never reach the script); other files count whole.
    """
    data = Path(path).read_bytes()
    if Path(path).suffix == ".ipynb":
        try:
            nb = json.loads(data)
            cells = [
                [
                    c.get("cell_type"),
                    "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source"),
                    (c.get("metadata") or {}).get("tags"),
                ]
                for c in nb["cells"]
            ]
            data = json.dumps(cells, sort_keys=True, ensure_ascii=False).encode("utf-8")
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # not a notebook kit could export: the bytes decide
    return hashlib.sha256(data).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settings_record(table: JobTable) -> dict[str, Any]:
    """The job's settings as a manifest records them: resolved, overrides per environment."""
    record = {k: v for k, v in job_settings(table).items() if v is not None}
    record["environments"] = {
        name: override.model_dump(exclude_none=True)
        for name, override in sorted(table.environments.items())
    }
    return record


@dataclass(frozen=True)
class Manifest:
    """``build/JOB/job.json``."""

    job: str
    source: str  # the notebook (or lone job module), relative to the project root
    source_sha256: str
    arguments: dict[str, str]  # JOB_ARGS: name -> local default
    settings: dict[str, Any]
    files: dict[str, str]  # file name in the build folder -> sha256
    kit_version: str = __version__
    format: int = MANIFEST_FORMAT

    def to_json(self) -> str:
        data = {
            "format": self.format,
            "job": self.job,
            "kit_version": self.kit_version,
            "source": self.source,
            "source_sha256": self.source_sha256,
            "arguments": self.arguments,
            "settings": self.settings,
            "files": self.files,
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        try:
            data = json.loads(text)
            return cls(
                job=str(data["job"]),
                source=str(data["source"]),
                source_sha256=str(data["source_sha256"]),
                arguments={str(k): str(v) for k, v in data["arguments"].items()},
                settings=dict(data["settings"]),
                files={str(k): str(v) for k, v in data["files"].items()},
                kit_version=str(data["kit_version"]),
                format=int(data["format"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BuildMissing(f"{where} is not a kit build manifest ({exc}); export the job again") from None

    def table(self) -> JobTable:
        """The job's settings as recorded, as the schema's model."""
        return JobTable.model_validate(self.settings)


def is_manifest(text: str) -> bool:
    """Whether ``text`` is a manifest kit wrote (export only overwrites its own files)."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and "kit_version" in data and "source_sha256" in data


def render_files(
    *,
    config: ProjectConfig,
    job: str,
    source_label: str,
    source: Path,
    script: str,
    declared: dict[str, str],
) -> dict[Path, str]:
    """Everything ``build/JOB/`` holds, in memory: script, stack and manifest.

    Validates the job's own settings (not any environment's: those are checked by deploy and
    validate), so one job's bad setting never stops another's export.
    """
    check_job_name(job)
    table = job_table(config, job)
    names = argument_names(job, table, declared)
    settings = settings_record(table)
    own = {**declared, **(table.arguments or {})}
    defaults = {
        n: "" if "{env}" in own.get(n, "") else own.get(n, "").replace("{job}", job) for n in names
    }
    folder = config.job_build_dir(job)
    stack = render_job_stack(
        job=job,
        source_label=source_label,
        build_dir=folder,
        project_root=config.root,
        settings=settings,
        arguments=defaults,
    )
    manifest = Manifest(
        job=job,
        source=config.relative(source),
        source_sha256=source_digest(source),
        arguments=dict(sorted(declared.items())),
        settings=settings,
        files={script_name(job): _sha256(script), STACK_FILE: _sha256(stack)},
    )
    return {
        folder / script_name(job): script,
        folder / STACK_FILE: stack,
        folder / MANIFEST: manifest.to_json(),
    }


@dataclass
class Build:
    """One job's build folder as infra sees it."""

    job: str
    folder: Path
    manifest: Manifest

    @classmethod
    def load(cls, build_dir: Path) -> Build:
        """The build in ``build_dir`` (``build/JOB``); raises ``BuildMissing`` when incomplete."""
        folder = Path(build_dir)
        job = folder.name
        path = folder / MANIFEST
        if not path.is_file():
            raise BuildMissing(
                f"{folder.parent.name}/{job} has no {MANIFEST}: run kit export {job}"
            )
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"), f"{folder.name}/{MANIFEST}")
        if manifest.job != job:
            raise BuildMissing(f"{path} is the manifest of job {manifest.job!r}, not {job!r}")
        return cls(job=job, folder=folder, manifest=manifest)

    @property
    def script_path(self) -> Path:
        return self.folder / script_name(self.job)

    @property
    def stack_path(self) -> Path:
        return self.folder / STACK_FILE

    @property
    def arguments(self) -> dict[str, str]:
        """The declared arguments (JOB_ARGS) with their local defaults."""
        return dict(self.manifest.arguments)

    @cached_property
    def table(self) -> JobTable:
        return self.manifest.table()

    def script(self) -> bytes:
        return self.script_path.read_bytes()

    def stack_template(self) -> dict[str, Any]:
        return yaml.safe_load(self.stack_path.read_text(encoding="utf-8"))

    def stale_reason(self, config: ProjectConfig) -> str | None:
        """Why this build no longer is what ``kit export`` would write, or None when fresh."""
        m = self.manifest
        if m.kit_version != __version__ or m.format != MANIFEST_FORMAT:
            return f"exported by kit {m.kit_version}, this is kit {__version__}"
        for name, digest in m.files.items():
            path = self.folder / name
            if not path.is_file():
                return f"{name} is missing"
            if _sha256(path.read_text(encoding="utf-8", errors="replace")) != digest:
                return f"{name} was changed after the export"
        source = config.root / m.source
        if not source.is_file():
            return f"its source {m.source} is gone"
        if source_digest(source) != m.source_sha256:
            return f"{m.source} changed since the export"
        if settings_record(job_table(config, self.job)) != m.settings:
            return f"[tool.kit.job.{self.job}] changed since the export"
        return None

    def ensure_fresh(self, config: ProjectConfig, *, export_flag: bool = True) -> None:
        """Raise ``StaleBuild`` (one line saying what to run) unless the build is fresh."""
        reason = self.stale_reason(config)
        if reason:
            alt = ", or pass --export" if export_flag else " first"
            raise StaleBuild(
                f"{config.relative(self.folder)} is stale: run kit export {self.job}{alt} "
                f"({reason})"
            )


def load(config: ProjectConfig, job: str) -> Build:
    """The build of ``job`` in the project's build folder."""
    check_job_name(job)
    try:
        return Build.load(config.job_build_dir(job))
    except BuildMissing:
        if not config.job_build_dir(job).is_dir():
            raise BuildMissing(
                f"{config.relative(config.job_build_dir(job))} does not exist: "
                f"run kit export {job}, or pass --export"
            ) from None
        raise
