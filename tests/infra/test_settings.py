"""Job and environment settings: merged per environment, rejected with one-line errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from kit.config import ProjectConfig
from kit.infra.settings import (
    SettingsError,
    environment,
    job_deployment,
    validate_cron,
)


def _config(jobs=None, envs=None) -> ProjectConfig:
    root = Path("/nonexistent/project")
    return ProjectConfig(
        root=root, notebooks_dir=root / "notebooks", jobs_dir=root / "jobs",
        build_dir=root / "build", data_dir=root / "data", state_dir=root / ".kit",
        job_settings=jobs or {}, environments=envs or {},
    )


DECLARED = {"input_path": "data/j/input.csv", "output_path": "build/output/j", "limit": "10"}
ENVS = {
    "dev": {"arguments": {"input_path": "s3://b/in/{job}/", "output_path": "s3://b/out/{env}/{job}/"}},
}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("cron(0 6 * * ? *)", "cron(0 6 * * ? *)"),
        ("15 10 ? * MON-FRI *", "cron(15 10 ? * MON-FRI *)"),
        ("0/15 * * * ? *", "cron(0/15 * * * ? *)"),
        ("0 18 L * ? 2030-2035", "cron(0 18 L * ? 2030-2035)"),
        ("0/5 * * * ? *", "cron(0/5 * * * ? *)"),
        ("1,58 6 * * ? *", "cron(1,58 6 * * ? *)"),  # 06:01 and 06:58: 57 minutes apart
        ("0 * * * ? *", "cron(0 * * * ? *)"),
        ("0 0 1,15 JAN,JUL ? *", "cron(0 0 1,15 JAN,JUL ? *)"),
    ],
)
def test_valid_cron_expressions(expression, expected):
    assert validate_cron(expression) == expected


@pytest.mark.parametrize(
    "expression, fragment",
    [
        ("0 6 * * *", "needs 6 cron fields"),
        ("cron(0 6 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 6 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(60 6 * * ? *)", "bad minutes field '60'"),
        ("cron(0 24 * * ? *)", "bad hours field '24'"),
        ("cron(0 6 * 13 ? *)", "bad month field '13'"),
        ("cron(0 6 ? * FUNDAY *)", "bad day-of-week field 'FUNDAY'"),
        ("rate(1 day)", "needs 6 cron fields"),
        # Glue's documented limits: no schedule faster than every 5 minutes, no '#' day-of-week
        ("cron(* * * * ? *)", "runs more often than every 5 minutes, which Glue does not support"),
        ("cron(0/1 6 * * ? *)", "runs more often than every 5 minutes"),
        ("cron(0,3 6 * * ? *)", "runs more often than every 5 minutes"),
        ("cron(58,1 6-7 * * ? *)", "runs more often than every 5 minutes"),  # 06:58, 07:01
        ("cron(0 8 ? * 2#1 *)", "bad day-of-week field '2#1'"),
    ],
)
def test_invalid_cron_is_one_line_with_a_hint(expression, fragment):
    with pytest.raises(SettingsError) as err:
        validate_cron(expression, "[tool.kit.job.j]")
    message = str(err.value)
    assert fragment in message
    assert "\n" not in message and message.startswith("[tool.kit.job.j] schedule")
    assert 'e.g. "cron(0 6 * * ? *)"' in message


def test_environment_arguments_and_per_environment_overrides():
    jobs = {
        "j": {
            "workers": 4,
            "arguments": {"limit": 5},
            "environments": {"prod": {"workers": 20, "worker_type": "G.4X", "arguments": {"limit": "0"}}},
        }
    }
    envs = {**ENVS, "prod": {"name_prefix": "p-", "arguments": {
        "input_path": "s3://pb/in/{job}/", "output_path": "s3://pb/out/{job}/", "unrelated": "x"}}}
    cfg = _config(jobs, envs)
    dev = job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
    assert (dev.job_name, dev.stack_name, dev.workers, dev.worker_type) == ("dev-j", "kit-dev-j", 4, "G.1X")
    assert dev.arguments == {
        "input_path": "s3://b/in/j/", "limit": "5", "output_path": "s3://b/out/dev/j/",
    }
    prod = job_deployment(cfg, "j", environment(cfg, "prod"), DECLARED)
    assert (prod.job_name, prod.workers, prod.worker_type) == ("p-j", 20, "G.4X")
    assert prod.arguments == {"input_path": "s3://pb/in/j/", "limit": "0", "output_path": "s3://pb/out/j/"}


def test_a_local_only_path_argument_is_refused_for_a_deployment():
    cfg = _config(envs={"dev": {"arguments": {"input_path": "s3://b/in/"}}})
    with pytest.raises(SettingsError) as err:
        job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
    assert str(err.value) == (
        "job j argument output_path has only the local default 'build/output/j' in dev; "
        "set it in [tool.kit.environments.dev.arguments] (e.g. an s3:// path)"
    )


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"worker_type": "Standard"}, "worker_type 'Standard' is not a Glue 5.0 worker type; use one of G.1X, G.2X, G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, R.8X"),
        ({"workers": 1}, "workers must be a whole number from 2 to 299, got 1"),
        ({"workers": "ten"}, "workers must be a whole number from 2 to 299, got 'ten'"),
        ({"bookmark": "on"}, "bookmark 'on' is invalid; use enable, disable or pause"),
        ({"connections": [""]}, "connections must be a list of Glue connection names"),
        ({"timeout": 0}, "timeout must be a whole number from 1 to 10080"),
        ({"shedule": "cron(0 6 * * ? *)"}, "unknown key(s) in [tool.kit.job.j]: shedule"),
        ({"arguments": {"JOB_NAME": "x"}}, "--JOB_NAME is set by kit; remove it"),
        ({"arguments": {"bad name": "x"}}, "'bad name' is not a valid Glue argument name"),
    ],
)
def test_invalid_job_settings(settings, fragment):
    cfg = _config({"j": settings}, ENVS)
    with pytest.raises(SettingsError) as err:
        job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_names_within_glue_and_cloudformation_limits():
    cfg = _config(envs={"dev": {**ENVS["dev"], "name_prefix": "x" * 100}})
    with pytest.raises(SettingsError, match="too long for Glue"):
        job_deployment(cfg, "j" * 150, environment(cfg, "dev"), DECLARED)
    cfg = _config(envs={"dev": {**ENVS["dev"], "name_prefix": "x" * 101}})
    with pytest.raises(SettingsError, match="name_prefix is 101 characters; keep it to 100"):
        environment(cfg, "dev")
    long_job = "j" * 130
    cfg = _config(envs=ENVS)
    with pytest.raises(SettingsError, match="exceeds CloudFormation's 128 characters"):
        job_deployment(cfg, long_job, environment(cfg, "dev"), {})


def test_environments():
    cfg = _config(envs={"qa": {"region": "eu-west-1", "scripts_bucket": "my-scripts"}})
    qa = environment(cfg, "qa")
    assert (qa.region, qa.scripts_bucket, qa.name_prefix, qa.bootstrap_stack) == (
        "eu-west-1", "my-scripts", "qa-", "kit-qa-bootstrap"
    )
    assert environment(cfg, "prod").name_prefix == "prod-"  # dev/test/prod always exist
    with pytest.raises(SettingsError, match=r"unknown environment 'stage' \(known: qa\)"):
        environment(cfg, "stage")
    with pytest.raises(SettingsError, match="not a valid S3 bucket name"):
        environment(dataclasses.replace(cfg, environments={"qa": {"temp_bucket": "Bad_Bucket"}}), "qa")
    with pytest.raises(SettingsError, match="unknown key"):
        environment(dataclasses.replace(cfg, environments={"qa": {"regoin": "x"}}), "qa")


@pytest.mark.parametrize("worker_type", ["G.1X", "G.8X", "G.16X", "R.2X"])
def test_glue_5_worker_types(worker_type):
    cfg = _config({"j": {"worker_type": worker_type}}, ENVS)
    assert job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED).worker_type == worker_type


def test_arguments_must_fit_one_cloudformation_parameter():
    from kit.aws import AwsTarget
    from kit.infra.deploy import Prepared, stack_parameters

    def prepared(size: int) -> Prepared:
        cfg = _config({"j": {"arguments": {"blob": "x" * size}}}, ENVS)
        dep = job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
        return Prepared("j", dep, b"", {}, "scripts", "temp")

    params = stack_parameters(prepared(100), AwsTarget())
    members = json.loads("{" + params["ExtraArguments"].lstrip(", ") + "}")
    assert members["--blob"] == "x" * 100 and members["--input_path"] == "s3://b/in/j/"
    with pytest.raises(SettingsError) as err:
        stack_parameters(prepared(5000), AwsTarget())
    assert str(err.value).startswith("job j's arguments take ")
    assert str(err.value).endswith("a CloudFormation parameter holds 4096: shorten or drop some")
