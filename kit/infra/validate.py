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
    found += sorted(config.build_dir.glob("*/stack.yml"))
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
    """Lint every template and check every job's settings in every configured environment."""
    import yaml

    from kit.infra.settings import environment, job_deployment
    from kit.infra.stack import etl_template_path, missing_nested_parameters
    from kit.notebooks import export as exporter
    from kit.notebooks.jobargs import declared_job_args
    from kit.notebooks.reader import read_notebook

    paths = templates(config)
    report = ValidationReport(paths, lint(paths, config.root))
    etl = etl_template_path(config)
    for stack in sorted(config.build_dir.glob("*/stack.yml")):
        missing = missing_nested_parameters(yaml.safe_load(stack.read_text(encoding="utf-8")), etl)
        if missing:
            report.findings.append(
                f"{config.relative(stack)}: passes {', '.join(missing)}, which "
                f"{config.relative(etl)} does not declare; add it (see kit's copy)"
            )
    # Without configured environments only the job settings themselves can be checked.
    for env_name in sorted(config.environments) or [""]:
        try:
            env = environment(config, env_name or "dev")
        except KitError as exc:
            report.findings.append(f"settings: {exc}")
            continue
        for job in config.job_names():
            try:
                _, source = exporter.resolve_source(job, config)
                declared = declared_job_args(read_notebook(source)) if env_name else {}
                job_deployment(config, job, env, declared)
            except KitError as exc:
                report.findings.append(f"settings ({env_name}): {exc}")
    return report
