"""The [tool.kit] schema: tables validated with one-line errors, merged per environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.config import ProjectConfig
from kit.errors import ConfigError
from kit.settings import (
    SettingsError,
    environment,
    job_deployment,
    validate_all,
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
    "settings, message",
    [
        ({"worker_type": "Standard"}, "worker_type 'Standard' is not a Glue 5.0 worker type (Standard is for Glue 1.0 and earlier); use one of G.1X, G.2X, G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, R.8X"),
        ({"worker_type": "G.3X", "glue_version": "6.0"}, "worker_type 'G.3X' is not a Glue 6.0 worker type; use one of G.1X,"),
        ({"workers": 1}, "workers must be a whole number from 2 to 299, got 1"),
        ({"workers": 300}, "workers must be a whole number from 2 to 299, got 300"),
        ({"workers": "2"}, "workers must be a whole number from 2 to 299, got '2'"),  # TOML has types
        ({"workers": True}, "workers must be a whole number from 2 to 299, got True"),
        ({"bookmark": "on"}, "bookmark 'on' is invalid; use enable, disable or pause"),
        ({"connections": [""]}, "connections.0: String should have at least 1 character, got ''"),
        ({"connections": ["a,b"]}, "connections.0: String should match pattern '^[^,]+$', got 'a,b'"),
        ({"timeout": 0}, "timeout must be a whole number from 1 to 10080, got 0"),
        ({"shedule": "cron(0 6 * * ? *)"}, "unknown key 'shedule'; allowed: arguments, bookmark, connections, description, environments, glue_version, max_retries, schedule, timeout, worker_type, workers"),
        ({"arguments": {"JOB_NAME": "x"}}, "arguments: --JOB_NAME is set by kit; remove it"),
        ({"arguments": {"bad name": "x"}}, "arguments 'bad name' is not a valid Glue argument name"),
        ({"arguments": {"a": [1]}}, "arguments: a must be a string, got [1]"),
        ({"schedule": 5}, "schedule: Input should be a valid string, got 5"),
        ({"schedule": "cron(0 6 * * * *)"}, "schedule 'cron(0 6 * * * *)': exactly one of day-of-month and day-of-week must be '?'"),
        ({"environments": {"prod": {"workers": 1}}}, "environments.prod.workers must be a whole number from 2 to 299, got 1"),
        ({"environments": {"prod": {"environments": {}}}}, "unknown key 'environments.prod.environments'; allowed: arguments, bookmark"),
    ],
)
def test_invalid_job_settings_are_one_line_naming_table_key_and_value(settings, message):
    cfg = _config({"j": settings}, ENVS)
    with pytest.raises(SettingsError) as err:
        job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
    assert str(err.value).startswith(f"[tool.kit.job.j] {message}")
    assert "\n" not in str(err.value)


def test_several_problems_are_counted_on_the_one_line():
    cfg = _config({"j": {"workers": 1, "timeout": 0}}, ENVS)
    with pytest.raises(SettingsError) as err:
        job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
    assert str(err.value).endswith("from 2 to 299, got 1 (and 1 more)")


def test_argument_values_become_text_as_glue_sees_them():
    cfg = _config({"j": {"arguments": {"--flag": True, "n": 3, "ratio": 0.5}}}, ENVS)
    dep = job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)
    assert (dep.arguments["flag"], dep.arguments["n"], dep.arguments["ratio"]) == ("true", "3", "0.5")


def test_job_names_within_glue_and_cloudformation_limits():
    cfg = _config(envs=ENVS)
    dev = environment(cfg, "dev")
    longest = "j" * 100
    assert job_deployment(cfg, longest, dev, {}).stack_name == f"kit-dev-{longest}"
    for bad in ("j" * 101, "my job", "1job", "job/x", ""):
        with pytest.raises(SettingsError, match="is invalid: start with a letter"):
            job_deployment(cfg, bad, dev, {})
    cfg = _config(envs={"dev": {**ENVS["dev"], "name_prefix": "x" * 101}})
    with pytest.raises(SettingsError, match="name_prefix: String should have at most 100 characters"):
        environment(cfg, "dev")


def test_environments():
    cfg = _config(envs={"qa": {"region": "eu-west-1", "scripts_bucket": "my-scripts"}})
    qa = environment(cfg, "qa")
    assert (qa.region, qa.scripts_bucket, qa.name_prefix, qa.bootstrap_stack) == (
        "eu-west-1", "my-scripts", "qa-", "kit-qa-bootstrap"
    )
    assert environment(cfg, "prod").name_prefix == "prod-"  # dev/test/prod always exist
    assert environment(_config(envs={"dev": {"name_prefix": ""}}), "dev").name_prefix == ""
    with pytest.raises(SettingsError, match=r"unknown environment 'stage' \(known: qa\)"):
        environment(cfg, "stage")
    with pytest.raises(SettingsError, match=r"\[tool.kit.environments.qa\] temp_bucket: String should match"):
        environment(dataclasses.replace(cfg, environments={"qa": {"temp_bucket": "Bad_Bucket"}}), "qa")
    with pytest.raises(SettingsError, match="unknown key 'regoin'; allowed: arguments, bootstrap_stack"):
        environment(dataclasses.replace(cfg, environments={"qa": {"regoin": "x"}}), "qa")


@pytest.mark.parametrize("worker_type", ["G.1X", "G.8X", "G.16X", "R.2X"])
def test_glue_5_worker_types(worker_type):
    cfg = _config({"j": {"worker_type": worker_type}}, ENVS)
    assert job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED).worker_type == worker_type


@pytest.mark.parametrize("version", ["5.0", "5.1", "6.0"])
def test_worker_types_are_checked_on_the_jobs_glue_version(version):
    cfg = _config({"j": {"glue_version": version, "worker_type": "R.4X"}}, ENVS)
    assert job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED).worker_type == "R.4X"
    streaming = _config({"j": {"glue_version": version, "worker_type": "G.025X"}}, ENVS)
    with pytest.raises(SettingsError) as err:
        job_deployment(streaming, "j", environment(streaming, "dev"), DECLARED)
    assert str(err.value).startswith(
        f"[tool.kit.job.j] worker_type 'G.025X' is not a Glue {version} worker type "
        "(G.025X is for streaming jobs); use one of G.1X"
    )


def test_a_worker_type_one_version_lacks_is_refused_where_that_version_applies(monkeypatch):
    """Each environment's worker type is checked on that environment's version (the lists are
    the same for 5.0, 5.1 and 6.0 today): a type one version lacks is refused for the
    environment that moves to it, naming that table, and kit validate reports it."""
    import kit.settings as settings

    monkeypatch.setitem(settings.WORKER_TYPES_BY_VERSION, "6.0", ("G.1X", "G.2X"))
    jobs = {"j": {"worker_type": "R.1X", "environments": {"prod": {"glue_version": "6.0"}}}}
    cfg = _config(jobs, {**ENVS, "prod": ENVS["dev"]})
    for env in ("dev", "prod"):  # the job's table is invalid as a whole, as for other keys
        with pytest.raises(SettingsError) as err:
            job_deployment(cfg, "j", environment(cfg, env), DECLARED)
        assert str(err.value) == (
            "[tool.kit.job.j.environments.prod] worker_type 'R.1X' is not a Glue 6.0 worker "
            "type; use one of G.1X, G.2X"
        )
    fixed = _config({"j": {**jobs["j"], "environments": {"prod": {"glue_version": "6.0",
                                                                   "worker_type": "G.2X"}}}},
                    {**ENVS, "prod": ENVS["dev"]})
    prod = job_deployment(fixed, "j", environment(fixed, "prod"), DECLARED)
    assert (prod.glue_version, prod.worker_type) == ("6.0", "G.2X")
    findings = validate_all(cfg, ["j"], {"j": DECLARED})
    assert any("[tool.kit.job.j.environments.prod] worker_type 'R.1X'" in f for f in findings)


def test_an_argument_must_fit_one_cloudformation_parameter():
    def deploy(size: int):
        cfg = _config({"j": {"arguments": {"blob": "é" * size}}}, ENVS)
        return job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED)

    assert deploy(2048).arguments["blob"] == "é" * 2048  # 4096 bytes in UTF-8
    with pytest.raises(SettingsError) as err:
        deploy(2049)
    assert str(err.value) == (
        "job j argument blob takes 4098 bytes in dev; a CloudFormation parameter holds 4096: "
        "shorten it"
    )


def test_a_bad_setting_of_one_job_does_not_concern_another():
    cfg = _config({"broken": {"workers": 1}, "j": {"workers": 3}}, ENVS)
    assert job_deployment(cfg, "j", environment(cfg, "dev"), DECLARED).workers == 3


def test_validate_all_checks_every_job_in_every_environment():
    jobs = {
        "j": {"environments": {"prod": {"workers": 1}, "qa": {"workers": 3}}},
        "ghost": {"workers": 2},
        "k": {"environments": {"dev": {"arguments": {"extra": "x"}}}},
    }
    envs = {**ENVS, "test": {"bootstrap_stack": "bad_name"}}
    findings = validate_all(_config(jobs, envs), ["j", "k"], {"j": DECLARED, "k": {}})
    assert findings == [
        "[tool.kit.job.ghost]: no job 'ghost' in this project (jobs: j, k); rename or remove the table",
        "[tool.kit.environments.test] bootstrap_stack: String should match pattern "
        "'^[A-Za-z][-A-Za-z0-9]{0,127}$', got 'bad_name'",
        "[tool.kit.job.j] environments.prod.workers must be a whole number from 2 to 299, got 1",
        "[tool.kit.job.k.environments.dev] arguments: 'extra' is neither in JOB_ARGS nor in the "
        "job's arguments; declare it there (every environment deploys the same argument names)",
    ]
    # prod has no table of its own and is still checked, with the job's own settings
    findings = validate_all(_config({"j": {}}, ENVS), ["j"], {"j": DECLARED})
    assert findings == [
        f"j in {env}: job j argument input_path has only the local default 'data/j/input.csv' in "
        f"{env}; set it in [tool.kit.environments.{env}.arguments] (e.g. an s3:// path)"
        for env in ("prod", "test")
    ]
    findings = validate_all(_config({"j": {"environments": {"qa": {}}}}, ENVS), ["j"], {"j": {}})
    assert findings == [
        "[tool.kit.job.j.environments.qa]: no environment 'qa'; add [tool.kit.environments.qa] "
        "or remove the table"
    ]


@pytest.mark.parametrize(
    "toml, message",
    [
        ('notebooks = ""', "[tool.kit] notebooks: String should have at least 1 character, got ''"),
        ("notebooks = 3", "[tool.kit] notebooks: Input should be a valid string, got 3"),
        ("notebok = 'x'", "[tool.kit] unknown key 'notebok'; allowed: build, data, environments, job, jobs, notebooks, pipeline, state, tags"),
        ("job = { a = 3 }", "[tool.kit] job.a: Input should be a valid dictionary, got 3"),
    ],
)
def test_the_layout_is_checked_on_load(tmp_path, toml, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.kit]\n{toml}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        kit_config.load(tmp_path)
    assert str(err.value) == message


def test_a_bad_job_table_does_not_stop_loading_the_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.kit]\nnotebooks = 'nb'\n[tool.kit.job.j]\nworkers = 1\n", encoding="utf-8"
    )
    cfg = kit_config.load(tmp_path)
    assert cfg.notebooks_dir == tmp_path / "nb" and cfg.job_settings == {"j": {"workers": 1}}
