"""The ``local_aws`` fixture of kit's pytest plugin, in a user's project (a real pytest run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

USER_TEST = '''
import boto3

def test_job_aws(local_aws):
    ssm = boto3.client("ssm")  # no endpoint or keys given: the fixture set the environment
    assert ssm.get_parameter(Name="/cfg/limit")["Parameter"]["Value"] == "7"
    s3 = boto3.client("s3")
    s3.put_object(Bucket="fixture-bucket", Key="k.txt", Body=b"hi")
    import os, pathlib
    assert (pathlib.Path(os.environ["KIT_S3_ROOT"]) / "fixture-bucket" / "k.txt").read_bytes() == b"hi"
    assert boto3.client("sts").get_caller_identity()["Account"] == local_aws.account_id


def test_messages_a_job_published(local_aws, aws_messages):
    import json, subprocess, sys
    # a job in its own process (as kit run starts one) inherits the fixture's environment
    job = ("import boto3, json; sts = boto3.client('sts'); "
           "arn = 'arn:aws:sns:us-east-1:' + sts.get_caller_identity()['Account'] + ':done'; "
           "boto3.client('sns').publish(TopicArn=arn, Message=json.dumps({'rows': 3}))")
    subprocess.run([sys.executable, "-c", job], check=True)
    assert [json.loads(m) for m in aws_messages("done-watch")] == [{"rows": 3}]
    assert aws_messages("done-watch") == []  # drained
'''


def test_local_aws_fixture_in_a_project(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "aws.toml").write_text(
        '[[buckets]]\nname = "fixture-bucket"\n[ssm]\n"/cfg/limit" = "7"\n'
        '[sns]\ntopics = ["done"]\n[sqs]\nqueues = ["done-watch"]\n'
        'subscriptions = [{ topic = "done", queue = "done-watch" }]\n', encoding="utf-8")
    (tmp_path / "test_user.py").write_text(USER_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KIT_"))}
    env["AWS_PROFILE"] = "someone-elses-prod"  # must not matter
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "test_user.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout
