"""local/aws.toml: validated before a run (one line per problem), loaded into the local AWS."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kit.errors import LocalFixtureError
from kit.localaws import fixtures


def write(root: Path, text: str, secrets: str | None = None) -> Path:
    (root / "local").mkdir(parents=True, exist_ok=True)
    (root / "local" / "aws.toml").write_text(text, encoding="utf-8")
    if secrets is not None:
        (root / "local" / "secrets.toml").write_text(secrets, encoding="utf-8")
    return root


def test_no_file_is_no_fixtures(tmp_path):
    assert fixtures.load(tmp_path, {}) == fixtures.Fixtures()


@pytest.mark.parametrize(("text", "message"), [
    ("[ssm\n", r"^local/aws.toml: .*line 1"),
    ('[[buckets]]\nname = "b"\n[[buckets]]\nname = "b"\n', "^local/aws.toml: bucket b is declared twice$"),
    ('[secrets]\n"db" = { secret = "NOPE_VAR" }\n',
     "no value for secret NOPE_VAR; set the environment variable NOPE_VAR"),
    ('[secrets]\n"db" = { value = "inline" }\n', "a value never goes in this file"),
    ('[ssm]\n"/p" = { type = "SecureString", value = "x" }\n', "never a value in the file"),
    ('[ssm]\n"/p" = { type = "Number", value = "1" }\n', "type Number is not one of"),
    ('[[buckets]]\nname = "b"\nupload = { "in/" = "missing/" }\n', "no such file or folder"),
    ('[sqs]\nqueues = ["q"]\nsubscriptions = [{ topic = "t", queue = "q" }]\n', "must be declared"),
    ('[dynamo]\n', r"unknown table \[dynamo\]"),
])
def test_bad_input_is_one_line(tmp_path, text, message):
    write(tmp_path, text)
    with pytest.raises(LocalFixtureError, match=message) as caught:
        fixtures.load(tmp_path, {})
    assert "\n" not in str(caught.value)


def test_secret_values_from_env_or_the_git_ignored_file(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("local/secrets.toml\n", encoding="utf-8")
    write(tmp_path, '[secrets]\n"a" = { secret = "A" }\n"b" = { secret = "B" }\n'
                    '[ssm]\n"/k" = { type = "SecureString", secret = "B" }\n',
          secrets='B = "from-file"\n')
    loaded = fixtures.load(tmp_path, {"A": "from-env"})
    assert loaded.secrets == {"a": "from-env", "b": "from-file"}
    assert loaded.parameters == {"/k": ("SecureString", "from-file")}


def test_a_secrets_file_git_would_commit_is_refused(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, '[secrets]\n"a" = { secret = "A" }\n', secrets='A = "x"\n')
    with pytest.raises(LocalFixtureError, match="local/secrets.toml is not git-ignored"):
        fixtures.load(tmp_path, {})


def test_apply_creates_everything_in_the_local_aws(tmp_path, aws, server):
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    write(tmp_path, """\
[[buckets]]
name = "acme"
upload = { "in/" = "sample/" }
[ssm]
"/plain" = "v"
"/secure" = { type = "SecureString", secret = "S" }
[secrets]
"db" = { secret = "DB" }
[glue.databases.sales]
[[glue.tables]]
database = "sales"
name = "orders"
location = "s3://acme/in/"
classification = "csv"
columns = { x = "int" }
[glue.connections.pg]
properties = { JDBC_CONNECTION_URL = "jdbc:postgresql://db:5432/x", SECRET_ID = "db" }
[sns]
topics = ["done"]
[sqs]
queues = ["watch"]
subscriptions = [{ topic = "done", queue = "watch" }]
""")
    loaded = fixtures.load(tmp_path, {"S": "secure-value", "DB": '{"password": "pw"}'})
    lines = fixtures.apply(loaded, aws)
    assert not any("secure-value" in line or "pw" in line for line in lines)
    assert (server.s3_root / "acme" / "in" / "a.csv").read_text(encoding="utf-8") == "x\n1\n"
    ssm = aws("ssm")
    assert ssm.get_parameter(Name="/secure", WithDecryption=True)["Parameter"]["Value"] == "secure-value"
    assert ssm.get_parameter(Name="/secure")["Parameter"]["Value"] != "secure-value"
    assert aws("secretsmanager").get_secret_value(SecretId="db")["SecretString"] == '{"password": "pw"}'
    glue = aws("glue")
    table = glue.get_table(DatabaseName="sales", Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://acme/in/"
    assert glue.get_connection(Name="pg")["Connection"]["ConnectionProperties"]["SECRET_ID"] == "db"
    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name="done")["TopicArn"]
    assert topic == f"arn:aws:sns:us-east-1:{server.account_id}:done"
    sns.publish(TopicArn=topic, Message="hello")
    url = sqs.get_queue_url(QueueName="watch")["QueueUrl"]
    assert '"hello"' in sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
