"""The generated stack also deploys with the real AWS CLI (package + deploy) on the local AWS."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from kit.infra.stack import PACKAGED_TEMPLATES


def _aws(*args: str, cwd) -> subprocess.CompletedProcess:
    exe = shutil.which("aws")
    if exe is None:
        pytest.fail("the AWS CLI is not installed; `pipx install awscli` (see docs/deploy.md)")
    # `aws cloudformation package` ignores --endpoint-url: AWS_ENDPOINT_URL (set) reaches it
    return subprocess.run([exe, *args], cwd=cwd, env=dict(os.environ), capture_output=True,
                          text=True, check=False, timeout=300)


def test_aws_cli_package_and_deploy_the_exported_stack(deploy_project, kit, aws_clients):
    assert kit("export", "sales").exit_code == 0
    infra = deploy_project / "infra"
    infra.mkdir()
    shutil.copy(PACKAGED_TEMPLATES / "etl-template.yml", infra / "etl-template.yml")
    aws_clients("s3").create_bucket(Bucket="cli-artifacts")
    script = "s3://cli-artifacts/scripts/sales.py"

    steps = [
        ("s3", "cp", "build/sales/sales.py", script),
        ("cloudformation", "package", "--template-file", "build/sales/stack.yml",
         "--s3-bucket", "cli-artifacts", "--output-template-file", "packaged.yml"),
        ("cloudformation", "deploy", "--template-file", "packaged.yml", "--stack-name", "cli-sales",
         "--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "JobNamePrefix=cli-",
         f"ScriptLocation={script}", "ScriptsBucket=cli-artifacts",
         "TempDir=s3://cli-artifacts/tmp/", "DataBucketArns=arn:aws:s3:::cli-artifacts",
         "DataObjectArns=arn:aws:s3:::cli-artifacts/*",
         # one parameter per job argument; --min_rows keeps its default from the settings
         "ArgInputPath=s3://cli-artifacts/in/", 'ArgOutputPath=s3://cli-artifacts/out/"ü"/'),
    ]
    for step in steps:
        proc = _aws(*step, cwd=deploy_project)
        assert proc.returncode == 0, (step, proc.stdout, proc.stderr)

    packaged = (deploy_project / "packaged.yml").read_text()
    assert "TemplateURL: http://localhost:" in packaged and "/cli-artifacts/" in packaged
    job = aws_clients("glue").get_job(JobName="cli-sales")["Job"]  # prefix + the job's name
    assert job["Command"]["ScriptLocation"] == script
    assert job["NumberOfWorkers"] == 3  # the job's settings travel as the stack's defaults
    own = ("--input_path", "--output_path", "--min_rows")
    assert {k: job["DefaultArguments"][k] for k in own} == {
        "--input_path": "s3://cli-artifacts/in/",
        "--output_path": 's3://cli-artifacts/out/"ü"/',
        "--min_rows": "1",
    }
    assert [t["Schedule"] for t in aws_clients("glue").get_triggers()["Triggers"]] == [
        "cron(0 6 * * ? *)"
    ]
