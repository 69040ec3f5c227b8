"""The issue's bad input through the `kit run` command: one line each, before the run starts
(the job never runs, no local AWS is started), no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

JOB = "import pathlib\npathlib.Path('ran.txt').write_text('the job ran')\n"


@pytest.mark.parametrize(("aws_toml", "env", "line"), [
    ("[ssm\n", {}, "kit: error: local/aws.toml: "),
    ('[secrets]\n"orders/db" = { secret = "ORDERS_DB_UNSET" }\n', {},
     "kit: error: local/aws.toml: secret orders/db: no value for secret ORDERS_DB_UNSET; set the "
     "environment variable ORDERS_DB_UNSET or add ORDERS_DB_UNSET = \"...\" to "
     "local/secrets.toml (git-ignored)"),
    ('[[buckets]]\nname = "b"\n[[buckets]]\nname = "b"\n', {},
     "kit: error: local/aws.toml: bucket b is declared twice"),
    ("", {"KIT_LOCAL_AWS_IDLE": "soon"},
     "kit: error: KIT_LOCAL_AWS_IDLE=soon: give a number of seconds (0: keep no server)"),
], ids=["syntax", "missing-secret", "bucket-twice", "idle-setting"])
def test_one_line_before_the_run(tmp_path: Path, aws_toml: str, env: dict[str, str], line: str):
    (tmp_path / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "aws.toml").write_text(aws_toml, encoding="utf-8")
    (tmp_path / "job.py").write_text(JOB, encoding="utf-8")
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KIT_"))}
    proc = subprocess.run([sys.executable, "-m", "kit", "run", "job.py"], cwd=tmp_path,
                          env={**run_env, **env}, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("kit: error:")]
    assert len(errors) == 1 and errors[0].startswith(line), proc.stderr
    if line.endswith(": "):  # the syntax error names where: TOML's own message
        assert "line 1" in errors[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "ran.txt").exists()
    assert not (tmp_path / ".kit" / "local-aws.json").exists()  # nothing was started
