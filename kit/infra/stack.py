"""The shared templates kit ships, and whether a project's copy fits the job stacks.

The per-job stack itself is rendered at export time (:mod:`kit.jobstack`); infra only reads it
from the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kit.config import ProjectConfig
from kit.jobstack import ETL_TEMPLATE, SHARED

BOOTSTRAP_TEMPLATE = "bootstrap.yml"
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
__all__ = ["ETL_TEMPLATE", "BOOTSTRAP_TEMPLATE", "PACKAGED_TEMPLATES", "SHARED"]


def etl_template_path(config: ProjectConfig) -> Path:
    """The project's ``infra/etl-template.yml`` when it has one, else the copy shipped with kit."""
    own = config.root / "infra" / ETL_TEMPLATE
    return own if own.is_file() else PACKAGED_TEMPLATES / ETL_TEMPLATE


class _CfnLoader(yaml.SafeLoader):
    """Reads a CloudFormation template, short-form tags (!Ref, !Sub ...) as plain values."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    return data if isinstance(data, dict) else {}


def template_parameters(path: Path) -> set[str]:
    """The parameter names a CloudFormation template (YAML or JSON) declares."""
    return set(_load(path).get("Parameters") or {})


def nested_template_problems(job_stack: dict[str, Any], etl_template: Path) -> list[str]:
    """Why the shared template cannot be nested by the job's stack (empty when it can).

    An ``infra/etl-template.yml`` copied by an older kit lacks newer parameters, requires ones
    the stack no longer passes, or still defines the Glue job itself (the job stack does now);
    CloudFormation would refuse the stack or create the job twice, so kit says so first.
    """
    template = _load(etl_template)
    declared = template.get("Parameters") or {}
    passed = job_stack["Resources"][SHARED]["Properties"].get("Parameters", {})
    problems = []
    missing = sorted(set(passed) - set(declared))
    if missing:
        problems.append(f"has no parameter {', '.join(missing)}")
    required = sorted(
        n for n, spec in declared.items()
        if n not in passed and isinstance(spec, dict) and "Default" not in spec
    )
    if required:
        problems.append(f"requires parameter {', '.join(required)}, which the job stack no longer passes")
    resources = template.get("Resources") or {}
    glue = sorted(n for n, r in resources.items() if isinstance(r, dict) and r.get("Type") == "AWS::Glue::Job")
    if glue:
        problems.append(f"defines the Glue job ({glue[0]}), which the job stack now does")
    return problems


def missing_nested_parameters(job_stack: dict[str, Any], etl_template: Path) -> list[str]:
    """Parameters the job's stack passes to the nested template that it does not declare."""
    passed = job_stack["Resources"][SHARED]["Properties"].get("Parameters", {})
    return sorted(set(passed) - template_parameters(etl_template))
