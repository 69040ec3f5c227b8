"""``kit validate``: cfn-lint over infra/ and every generated stack, plus every job's settings."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kit.config import ProjectConfig
from kit.errors import KitError, ValidationFailed

_CFN_LINT = "import sys; from cfnlint.runner import main; sys.exit(main())"


@dataclass
class ValidationReport:
    templates: list[Path]
    findings: list[str] = field(default_factory=list)

    def raise_for_findings(self) -> None:
        if self.findings:
            raise ValidationFailed(
                f"{len(self.findings)} problem(s) in templates or settings; fix them and "
                "run `kit validate` again"
            )


def templates(config: ProjectConfig) -> list[Path]:
    """infra/*.yml|yaml|json of the project and build/*/stack.yml."""
    infra = config.root / "infra"
    found = sorted(
        p for p in infra.glob("*") if p.suffix in {".yml", ".yaml", ".json"} and p.is_file()
    ) if infra.is_dir() else []
    found += sorted(config.build_dir.glob("*/stack.yml"))  # jobs' and build/_catalog's
    found += sorted(config.build_dir.glob("_pipelines/*/stack.yml"))
    return found


def lint(paths: list[Path], cwd: Path) -> list[str]:
    """cfn-lint findings, one line each ("path:line:col: RULE message")."""
    if not paths:
        return []
    proc = subprocess.run(
        [sys.executable, "-c", _CFN_LINT, "--format", "parseable", *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 and not proc.stdout.strip():
        raise ValidationFailed(f"cfn-lint could not run: {proc.stderr.strip().splitlines()[-1:]}")
    return [line for line in proc.stdout.splitlines() if line.strip()]


def validate(config: ProjectConfig) -> ValidationReport:
    """Lint every template; check every settings table and every job in every environment."""
    from kit import build as builds
    from kit.infra.stack import etl_template_path, nested_template_problems
    from kit.settings import validate_all

    paths = templates(config)
    report = ValidationReport(paths, lint(paths, config.root))
    etl = etl_template_path(config)
    jobs = config.job_names()
    declared: dict[str, dict[str, str]] = {}
    for job in jobs:
        try:
            build = builds.load(config, job)
        except KitError as exc:
            report.findings.append(f"{job}: {str(exc).replace(', or pass --export', '')}")
            continue
        declared[job] = build.arguments
        try:
            problems = nested_template_problems(build.stack_template(), etl)
        except (KeyError, TypeError, AttributeError):
            problems = ["cannot be nested by it (the stack is not one kit generates)"]
        for problem in problems:
            report.findings.append(
                f"{config.relative(build.stack_path)}: {config.relative(etl)} {problem}; "
                "update it from kit's copy"
            )
    report.findings += [f"settings: {finding}" for finding in validate_all(config, jobs, declared)]
    report.findings += _project_build_findings(config)
    return report


def _project_build_findings(config: ProjectConfig) -> list[str]:
    """A missing or stale catalog or pipeline build (what deploy would refuse)."""
    from kit.catalog.stack import CatalogBuild, declarations
    from kit.pipelines.build import PipelineBuild
    from kit.pipelines.model import pipeline_names

    found: list[str] = []
    try:
        if declarations(config.root):
            CatalogBuild.load(config.root, config.build_dir).ensure_fresh(config.root,
                                                                          export_flag=False)
        for name in pipeline_names(config):
            PipelineBuild.load(config, name).ensure_fresh(config, export_flag=False)
    except KitError as exc:
        found.append(str(exc).replace(", or pass --export", ""))
    return found
