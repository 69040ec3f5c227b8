"""A pipeline's build: ``build/_pipelines/NAME/`` = ``stack.yml`` + ``pipeline.json``.

As with jobs, the arrows go declaration -> build -> infra: ``kit export`` resolves the pipeline
(base and every environment) once and records it in the manifest; ``kit deploy --pipeline``
reads the manifest and the stack, and only compares the declaration with the manifest to refuse
a stale build. A job of a pipeline has no schedule of its own (the pipeline's start trigger
starts it; a job schedule would also run it outside the workflow): export refuses one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kit import __version__
from kit.errors import BuildMissing, PipelineError, StaleBuild
from kit.pipelines import stack
from kit.pipelines.model import Edge, Pipeline, load_pipeline, pipeline_names

if TYPE_CHECKING:
    from kit.config import ProjectConfig

FOLDER = "_pipelines"  # a job name starts with a letter: no job build can be named so
MANIFEST = "pipeline.json"
STACK_FILE = "stack.yml"
MANIFEST_FORMAT = 1


def build_dir(config: ProjectConfig, name: str) -> Path:
    return config.build_dir / FOLDER / name


def pipelines_of(config: ProjectConfig, job: str) -> list[str]:
    """The declared pipelines that run ``job`` (a pipeline that does not validate is skipped)."""
    out = []
    for name in pipeline_names(config):
        try:
            if job in load_pipeline(config, name).jobs:
                out.append(name)
        except PipelineError:
            continue
    return out


def resolve(config: ProjectConfig, name: str) -> tuple[Pipeline, dict[str, Pipeline]]:
    """The pipeline as declared and in every environment; refuses a pipeline job's schedule."""
    from kit.settings import environment_names, job_settings, job_table

    base = load_pipeline(config, name)
    environments = {env: load_pipeline(config, name, env) for env in environment_names(config)}
    for job in base.jobs:
        table = job_table(config, job)
        for env in [None, *environments]:
            if job_settings(table, env).get("schedule"):
                where = f"[tool.kit.job.{job}]" if env is None or env not in table.environments \
                    else f"[tool.kit.job.{job}.environments.{env}]"
                raise PipelineError(
                    f"{where} schedule: {job} runs in pipeline {name}, whose start trigger "
                    f"starts it; remove the job's schedule (set [tool.kit.pipeline.{name}] "
                    "schedule instead)"
                )
    return base, environments


def record(pipeline: Pipeline) -> dict[str, Any]:
    """A pipeline as the manifest records it (JSON-ready)."""
    return json.loads(json.dumps(dataclasses.asdict(pipeline), sort_keys=True))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_files(config: ProjectConfig, name: str) -> dict[Path, str]:
    """``stack.yml`` and ``pipeline.json``, in memory; raises ``PipelineError`` first."""
    base, environments = resolve(config, name)
    text = stack.render(base, environments)
    manifest = {
        "format": MANIFEST_FORMAT,
        "kit_version": __version__,
        "pipeline": name,
        "declared": record(base),
        "environments": {env: record(p) for env, p in sorted(environments.items())},
        "files": {STACK_FILE: _sha256(text)},
    }
    folder = build_dir(config, name)
    return {
        folder / STACK_FILE: text,
        folder / MANIFEST: json.dumps(manifest, indent=2, sort_keys=True) + "\n",
    }


def is_manifest(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and "kit_version" in data and "pipeline" in data


@dataclass
class PipelineBuild:
    """One pipeline's build folder as infra sees it."""

    name: str
    folder: Path
    manifest: dict[str, Any]

    @classmethod
    def load(cls, config: ProjectConfig, name: str) -> PipelineBuild:
        folder = build_dir(config, name)
        path = folder / MANIFEST
        if not path.is_file():
            raise BuildMissing(
                f"{config.relative(folder)} does not exist: run kit export --all, or pass --export"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ok = data["pipeline"] == name and isinstance(data["environments"], dict)
        except (ValueError, KeyError, TypeError) as exc:
            raise BuildMissing(f"{config.relative(path)} is not a kit pipeline manifest ({exc}); "
                               "run kit export --all") from None
        if not ok:
            raise BuildMissing(f"{config.relative(path)} is not the manifest of pipeline {name}")
        return cls(name=name, folder=folder, manifest=data)

    @property
    def jobs(self) -> list[str]:
        return list(self.manifest["declared"]["jobs"])

    @property
    def stack_path(self) -> Path:
        return self.folder / STACK_FILE

    def stack_template(self) -> dict[str, Any]:
        return yaml.safe_load(self.stack_path.read_text(encoding="utf-8"))

    def pipeline(self, env: str) -> Pipeline:
        """The pipeline as exported for ``env``."""
        found = self.manifest["environments"].get(env)
        if found is None:
            raise StaleBuild(f"{self.folder.name}: exported before environment {env} existed; "
                             "run kit export --all")
        data = dict(found)
        edges = tuple(Edge(**e) for e in data.pop("edges"))
        return Pipeline(**{**data, "jobs": tuple(data["jobs"]), "edges": edges})

    def stale_reason(self, config: ProjectConfig) -> str | None:
        """Why this build is no longer what ``kit export`` would write now, or None."""
        if self.manifest.get("kit_version") != __version__ or \
                self.manifest.get("format") != MANIFEST_FORMAT:
            return f"exported by kit {self.manifest.get('kit_version')}, this is kit {__version__}"
        for file, digest in self.manifest.get("files", {}).items():
            path = self.folder / file
            if not path.is_file():
                return f"{file} is missing"
            if _sha256(path.read_text(encoding="utf-8", errors="replace")) != digest:
                return f"{file} was changed after the export"
        if self.name not in pipeline_names(config):
            return f"[tool.kit.pipeline.{self.name}] is gone"
        current = render_files(config, self.name)[self.folder / MANIFEST]
        if json.loads(current) != self.manifest:
            return f"[tool.kit.pipeline.{self.name}] or its environments changed since the export"
        return None

    def ensure_fresh(self, config: ProjectConfig, *, export_flag: bool = True) -> None:
        reason = self.stale_reason(config)
        if reason:
            alt = ", or pass --export" if export_flag else " first"
            raise StaleBuild(f"{config.relative(self.folder)} is stale: run kit export --all{alt} "
                             f"({reason})")
