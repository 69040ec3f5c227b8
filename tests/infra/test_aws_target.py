"""Where AWS calls go: --endpoint-url/--profile/--region, environment settings, AWS_* variables."""

from __future__ import annotations

import hashlib

from kit.aws import AwsTarget, resolve_target
from kit.infra.package import content_key, template_url


def test_command_line_wins_then_environment_settings_then_variables(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:1111")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert resolve_target({}) == AwsTarget("eu-north-1", None, "http://localhost:1111")
    env = {"region": "eu-west-1", "profile": "team-dev", "endpoint_url": "http://localhost:2222"}
    assert resolve_target(env) == AwsTarget("eu-west-1", "team-dev", "http://localhost:2222")
    assert resolve_target(
        env, endpoint_url="http://localhost:3333", profile="ops", region="us-west-2"
    ) == AwsTarget("us-west-2", "ops", "http://localhost:3333")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert resolve_target({"profile": "prod"}).endpoint_url is None


def test_local_endpoints():
    assert AwsTarget(endpoint_url="http://localhost:5000").is_local
    assert AwsTarget(endpoint_url="http://127.0.0.1:5000").is_local
    assert not AwsTarget(endpoint_url="https://vpce-1.s3.eu-west-1.vpce.amazonaws.com").is_local
    assert not AwsTarget().is_local


def test_content_addressed_keys():
    data = b"print('job')\n"
    assert content_key(data, "kit/scripts/sales", ".py") == (
        f"kit/scripts/sales/{hashlib.md5(data).hexdigest()}.py"
    )
    assert content_key(data + b"#", "p", ".py") != content_key(data, "p", ".py")


def test_nested_template_urls():
    # moto reads only localhost URLs path-style, so 127.0.0.1 becomes localhost
    local = AwsTarget(endpoint_url="http://127.0.0.1:5000")
    assert template_url(local, "b", "k/t.template") == "http://localhost:5000/b/k/t.template"
    assert template_url(AwsTarget(), "b", "k") == "https://b.s3.amazonaws.com/k"
    assert template_url(AwsTarget("eu-west-1"), "b", "k") == "https://b.s3.eu-west-1.amazonaws.com/k"


def _aws_config(tmp_path, monkeypatch, text: str) -> None:
    config = tmp_path / "aws-config"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


def test_a_profile_brings_its_own_region(tmp_path, monkeypatch):
    # as the AWS CLI and boto3 do: [profile NAME] region = ... when nothing more specific is set
    _aws_config(tmp_path, monkeypatch, "[profile team]\nregion = eu-central-1\n[default]\n")
    assert resolve_target({"profile": "team"}).region == "eu-central-1"
    assert resolve_target({}, profile="team").region == "eu-central-1"
    assert resolve_target({"profile": "team", "region": "eu-west-1"}).region == "eu-west-1"
    assert resolve_target({}, profile="team", region="ap-south-1").region == "ap-south-1"
    monkeypatch.setenv("AWS_PROFILE", "team")  # the profile chosen by the environment
    assert resolve_target({}).region == "eu-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")  # the variable beats the file
    assert resolve_target({}, profile="team").region == "us-west-2"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_PROFILE")
    assert resolve_target({}).region == "us-east-1"  # default profile without a region
    # a profile that does not exist is reported by the first AWS call, not here
    assert resolve_target({}, profile="missing").region == "us-east-1"
