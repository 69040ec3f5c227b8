"""``kit deploy --catalog``: the catalog build (``build/_catalog/``) as stack ``kit-ENV--catalog``.

Deploy reads the build, never ``catalog/*.yml`` (only their digests, to refuse a stale build).
The double hyphen keeps the name apart from every job stack (``kit-ENV-JOB``: a job name starts
with a letter). After it, ``kit catalog diff --env ENV`` is clean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import aws
from kit.catalog.stack import CatalogBuild
from kit.config import ProjectConfig
from kit.errors import BuildMissing, SettingsError
from kit.infra import cfn
from kit.settings import Environment


@dataclass
class CatalogReport:
    stack_name: str
    changed: bool
    databases: dict[str, list[str]]
    outputs: dict[str, str] = field(default_factory=dict)


def stack_name(env: Environment) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", f"kit-{env.name}--catalog")


def has_catalog(config: ProjectConfig) -> bool:
    from kit.catalog.stack import declarations

    return bool(declarations(config.root))


def check(config: ProjectConfig, env: Environment, *, export_flag: bool = True) -> CatalogBuild:
    """A fresh catalog build that can deploy to ``env``; no AWS call, no write."""
    build = CatalogBuild.load(config.root, config.build_dir)
    build.ensure_fresh(config.root, export_flag=export_flag)
    locations = (build.stack_template().get("Mappings") or {}).get("TableLocations")
    if locations and env.name not in locations:
        raise SettingsError(
            f"the catalog declares per-environment locations without one for {env.name} "
            f"(it has {', '.join(sorted(locations))}); add {env.name} to each table's location"
        )
    return build


def tables_used(config: ProjectConfig, jobs: list[str]) -> set[str]:
    """``DATABASE.TABLE`` names the jobs' exported scripts read or write through the catalog."""
    from kit.graph.model import job_facts

    used: set[str] = set()
    for job in jobs:
        folder = config.job_build_dir(job)
        script = folder / f"{job}.py"
        if not script.is_file():
            continue
        facts = job_facts(job, script, folder / "stack.yml", folder / "job.json")
        used |= {key for kind, key in (*facts.reads, *facts.writes) if kind == "table"}
    return used


def needed_by(config: ProjectConfig, jobs: list[str]) -> bool:
    """Whether any of ``jobs`` uses a database the project's catalog declares."""
    if not has_catalog(config):
        return False
    try:
        declared = set(CatalogBuild.load(config.root, config.build_dir).databases)
    except BuildMissing:
        from kit.catalog.declaration import load_all

        declared = {db.name for db in load_all(config.root)}
    return any(name.split(".", 1)[0] in declared for name in tables_used(config, jobs))


def deploy(
    config: ProjectConfig,
    env: Environment,
    target: aws.AwsTarget,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> CatalogReport:
    """Deploy the catalog build into ``env`` (no-op when unchanged)."""
    build = check(config, env)
    name = stack_name(env)
    result = cfn.deploy_stack(
        aws.client(target, "cloudformation"),
        stack_name=name,
        template_body=json.dumps(build.stack_template(), indent=1, sort_keys=True),
        parameters={"Environment": env.name},
        tags={"kit:catalog": ",".join(sorted(build.databases)), "kit:environment": env.name},
        on_event=on_event,
    )
    return CatalogReport(name, result.changed, build.databases, result.outputs)


def stack_path(config: ProjectConfig) -> Path:
    from kit.catalog.stack import STACK_PATH

    return config.build_dir / STACK_PATH
