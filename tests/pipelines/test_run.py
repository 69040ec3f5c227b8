"""`kit run --pipeline`: jobs in dependency order as one workflow run of kit's local AWS.

The jobs here are real Glue scripts run by kit's runner (no Spark needed: they only talk to the
Glue API), so states, skips and run properties are checked quickly; the example pipeline's end
to end run (three Spark jobs) is in test_example.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.pipelines.run import SKIPPED, run_pipeline
from tests.conftest import REPO

pytestmark = pytest.mark.slow

# One Glue script per job: reads the workflow run's properties, puts its own, exits as told.
SCRIPT = '''\
# %% tags=["job"]
import sys

import boto3
from awsglue.utils import getResolvedOptions

opts = getResolvedOptions(sys.argv, ["JOB_NAME", "WORKFLOW_NAME", "WORKFLOW_RUN_ID"])
glue = boto3.client("glue")
run = {{"Name": opts["WORKFLOW_NAME"], "RunId": opts["WORKFLOW_RUN_ID"]}}
seen = glue.get_workflow_run_properties(**run)["RunProperties"]
glue.put_workflow_run_properties(
    **run, RunProperties={{opts["JOB_NAME"]: "ran", opts["JOB_NAME"] + "_saw": {saw}}}
)
raise SystemExit({code})
'''

PIPELINE = """
[tool.kit.pipeline.p]
run_properties = { source = "test" }
[tool.kit.pipeline.p.jobs]
first = {}
boom = { after = ["first"] }
on_boom_failed = { after = { boom = "FAILED" } }
after_boom = { after = ["boom"] }
last = { after = ["after_boom"] }
"""


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str) -> Path:
    root = tmp_path / "proj"
    (root / "jobs").mkdir(parents=True)
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    (root / "pyproject.toml").write_text("[tool.kit]\n" + toml, encoding="utf-8")
    saw = {"first": 'seen.get("source", "")', "on_boom_failed": 'seen.get("boom", "")'}
    for job in ("first", "boom", "on_boom_failed", "after_boom", "last"):
        code = 3 if job == "boom" else 0
        (root / "jobs" / f"{job}.py").write_text(
            SCRIPT.format(saw=saw.get(job, '""'), code=code), encoding="utf-8")
    monkeypatch.chdir(root)
    for name in ("KIT_PROJECT", "AWS_ENDPOINT_URL", "KIT_S3_ROOT"):
        monkeypatch.delenv(name, raising=False)
    return root


def test_states_skips_and_run_properties(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch, PIPELINE)
    lines: list[str] = []
    result = run_pipeline(kit_config.load(root), "p", capture=True, echo=lines.append)
    states = {o.job: o.state for o in result.outcomes}
    assert states == {"first": "SUCCEEDED", "boom": "FAILED", "on_boom_failed": "SUCCEEDED",
                      "after_boom": SKIPPED, "last": SKIPPED}
    assert [o.job for o in result.outcomes] == ["first", "boom", "on_boom_failed", "after_boom",
                                                "last"]
    assert result.failed == ("boom",) and result.skipped == ("after_boom", "last")
    assert result.run_id.startswith("wr_") and result.workflow_name == "p"
    # the workflow's default run properties reached the first job; each job's put reached the next
    assert result.properties == {
        "source": "test", "first": "ran", "first_saw": "test", "boom": "ran", "boom_saw": "",
        "on_boom_failed": "ran", "on_boom_failed_saw": "ran",
    }
    assert result.summary() == "pipeline p: job boom (exit 3) failed; skipped: after_boom, last"
    assert "  start first" in lines and any(line.startswith("  FAIL  boom FAILED in ") for line in lines)
    assert "  skip  after_boom (its trigger waits for boom SUCCEEDED)" in lines


def test_cli_names_the_failing_job_and_the_skipped_ones(tmp_path, monkeypatch, cli):
    _project(tmp_path, monkeypatch, PIPELINE.replace('boom = "FAILED"', 'boom = "SUCCEEDED"'))
    result = cli("run", "--pipeline", "p")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "kit: error: pipeline p: job boom (exit 3) failed; skipped: on_boom_failed, after_boom, last"
    )


def test_bad_declaration_is_one_line_before_anything_runs(tmp_path, monkeypatch, cli):
    root = _project(tmp_path, monkeypatch, PIPELINE.replace('first = {}', 'first = { after = ["last"] }'))
    result = cli("run", "--pipeline", "p")
    assert result.exit_code == 1
    assert result.stderr == (
        "kit: error: [tool.kit.pipeline.p]: the jobs form a cycle: "
        "first -> boom -> after_boom -> last -> first; remove an edge\n"
    )
    assert not (root / "build").exists()  # nothing exported, nothing run
    usage = cli("run", "--pipeline", "p", "first")
    assert usage.exit_code == 2 and "--pipeline takes no job" in usage.stderr
