"""A job's glue_version reaches its exported stack and the deployed Glue job (moto server).

The fixtures (a project on a local moto server) are tests/infra's, imported by conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml


def _set(root: Path, text: str) -> None:
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace(
            "[tool.kit.job.sales]\n", f"[tool.kit.job.sales]\n{text}\n"
        ),
        encoding="utf-8",
    )


def test_a_job_set_to_5_1_deploys_with_glue_version_5_1(deploy_project, kit, aws_clients):
    _set(deploy_project, 'glue_version = "5.1"')
    assert kit("export", "sales").exit_code == 0
    stack = yaml.safe_load((deploy_project / "build" / "sales" / "stack.yml").read_text())
    assert stack["Parameters"]["GlueVersion"]["Default"] == "5.1"
    assert kit("bootstrap").exit_code == 0
    result = kit("deploy", "sales", "--env", "dev")
    assert result.exit_code == 0, result.output
    assert aws_clients("glue").get_job(JobName="dev-sales")["Job"]["GlueVersion"] == "5.1"


@pytest.mark.parametrize("setting", ['glue_version = "4.0"', "glue_version = 6.0"])
def test_bad_glue_version_setting_is_one_line(project_dir, kit, setting):
    _set(project_dir, setting)
    result = kit("export", "sales")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "glue_version" in result.stderr


def test_worker_type_is_checked_on_each_environments_glue_version(project_dir, kit):
    """prod moves the job to 6.0 with a streaming-only worker type: kit validate names prod's
    table, the version and the allowed types; export refuses with the same one line."""
    pyproject = project_dir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('workers = 10\nworker_type = "G.2X"\n',
                     'workers = 10\nworker_type = "G.025X"\nglue_version = "6.0"\n'),
        encoding="utf-8",
    )
    result = kit("validate")
    assert result.exit_code != 0
    line = ("[tool.kit.job.sales.environments.prod] worker_type 'G.025X' is not a Glue 6.0 "
            "worker type (G.025X is for streaming jobs); use one of G.1X")
    assert line in result.output + result.stderr
    exported = kit("export", "sales")
    assert exported.exit_code == 1 and exported.stderr.count("\n") == 1
    assert line in exported.stderr
