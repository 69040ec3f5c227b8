"""kit bootstrap / deploy / diff against moto in server mode (real HTTP, real change sets)."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import tree_digest
from tests.infra.conftest import DATA_BUCKET, edit_job_cell


def _script(root: Path, job: str = "sales") -> bytes:
    return (root / "build" / job / f"{job}.py").read_bytes()


def _bootstrap_buckets(aws_clients, env: str = "dev") -> dict[str, str]:
    stack = aws_clients("cloudformation").describe_stacks(StackName=f"kit-{env}-bootstrap")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Stacks"][0]["Outputs"]}


def test_bootstrap_creates_locked_down_buckets_and_is_idempotent(deploy_project, kit, aws_clients):
    first = kit("bootstrap", "--env", "dev")
    assert first.exit_code == 0, first.output
    assert "kit-dev-bootstrap: deployed" in first.stdout
    buckets = _bootstrap_buckets(aws_clients)
    s3 = aws_clients("s3")
    scripts, temp = buckets["ScriptsBucket"], buckets["TempBucket"]
    assert s3.get_bucket_versioning(Bucket=scripts)["Status"] == "Enabled"
    for bucket in (scripts, temp):
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
    # the shared templates were copied into the project for the user to own
    assert (deploy_project / "infra" / "etl-template.yml").is_file()
    again = kit("bootstrap", "--env", "dev")
    assert again.exit_code == 0
    assert "kit-dev-bootstrap: no changes" in again.stdout
    assert _bootstrap_buckets(aws_clients) == buckets


def test_deploy_without_bootstrap_says_what_to_do(deploy_project, kit):
    result = kit("deploy", "sales", "--env", "dev")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "kit: error: environment dev is not bootstrapped (stack kit-dev-bootstrap: missing); "
        "run `kit bootstrap --env dev`"
    )


def test_first_deploy_creates_the_job_role_and_trigger(deploy_project, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    result = kit("deploy", "sales", "--env", "dev")
    assert result.exit_code == 0, result.output
    buckets = _bootstrap_buckets(aws_clients)
    script = _script(deploy_project)
    key = f"kit/scripts/sales/{hashlib.md5(script).hexdigest()}.py"
    uri = f"s3://{buckets['ScriptsBucket']}/{key}"
    assert f"kit-dev-sales: deployed dev-sales ({uri})" in result.stdout
    assert "CREATE_COMPLETE" in result.stderr  # streamed stack events

    job = aws_clients("glue").get_job(JobName="dev-sales")["Job"]
    assert job["Command"] == {"Name": "glueetl", "ScriptLocation": uri, "PythonVersion": "3"}
    assert (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"]) == ("5.0", "G.1X", 3)
    assert job["DefaultArguments"] == {
        "--TempDir": f"s3://{buckets['TempBucket']}/glue-temp/sales/",
        "--job-bookmark-option": "job-bookmark-disable",
        "--job-language": "python",
        "--enable-metrics": "true",
        "--input_path": f"s3://{DATA_BUCKET}/input/sales/",
        "--output_path": f"s3://{DATA_BUCKET}/output/sales/",
        "--min_rows": "1",
    }
    body = aws_clients("s3").get_object(Bucket=buckets["ScriptsBucket"], Key=key)["Body"].read()
    assert body == script
    # the stack's outputs, the role's ARN coming out of the nested stack
    assert "  JobName: dev-sales" in result.stdout
    assert f"  RoleArn: {job['Role']}" in result.stdout
    assert f"  ScriptLocation: {uri}" in result.stdout

    iam = aws_clients("iam")
    role_name = job["Role"].rsplit("/", 1)[1]
    role = iam.get_role(RoleName=role_name)["Role"]
    assert role["Arn"] == job["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = _document(trust)
    assert trust["Statement"][0]["Principal"] == {"Service": "glue.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
    ]
    policy = iam.get_role_policy(RoleName=role_name, PolicyName="job-s3-access")["PolicyDocument"]
    policy = _document(policy)
    resources = [r for s in policy["Statement"] for r in _list(s["Resource"])]
    assert "*" not in resources and not any(r.endswith(":::*") for r in resources)
    assert set(resources) == {
        f"arn:aws:s3:::{buckets['ScriptsBucket']}/*",
        f"arn:aws:s3:::{DATA_BUCKET}",
        f"arn:aws:s3:::{DATA_BUCKET}/*",
        f"arn:aws:s3:::{buckets['TempBucket']}",
        f"arn:aws:s3:::{buckets['TempBucket']}/*",
    }

    triggers = aws_clients("glue").get_triggers()["Triggers"]
    assert [(t["Name"], t["Type"], t["Schedule"], t["Actions"]) for t in triggers] == [
        ("dev-sales-schedule", "SCHEDULED", "cron(0 6 * * ? *)", [{"JobName": "dev-sales"}])
    ]


def _document(value):
    """A policy document; moto returns CloudFormation-made inline policies as a Python repr."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return ast.literal_eval(value)


def _list(value):
    return value if isinstance(value, list) else [value]


def _calls(service: str, operation: str):
    """Record the requests kit's own client makes (botocore's public event hooks, no patching)."""
    from kit import aws

    client = aws.client(aws.resolve_target({}), service)
    seen: list[dict] = []
    event = f"before-call.{service}.{operation}"

    def record(params, **_kwargs):
        seen.append(params)

    client.meta.events.register(event, record)
    return seen, lambda: client.meta.events.unregister(event, record)


def test_redeploy_without_changes_is_a_noop(deploy_project, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    assert kit("deploy", "sales").exit_code == 0
    cfn = aws_clients("cloudformation")
    events = cfn.describe_stack_events(StackName="kit-dev-sales")["StackEvents"]
    before = aws_clients("glue").get_job(JobName="dev-sales")["Job"]
    # On AWS a change set of a stack with a nested stack is never empty (the nested stack is
    # always a "Modify"), so kit must see the no-op itself, before asking for a change set.
    change_sets, stop = _calls("cloudformation", "CreateChangeSet")
    try:
        again = kit("deploy", "sales")
        bootstrap_again = kit("bootstrap")
    finally:
        stop()
    assert change_sets == []
    assert bootstrap_again.exit_code == 0 and "kit-dev-bootstrap: no changes" in bootstrap_again.stdout
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "kit-dev-sales: no changes"
    assert cfn.describe_stack_events(StackName="kit-dev-sales")["StackEvents"] == events
    assert aws_clients("glue").get_job(JobName="dev-sales")["Job"] == before
    sets = cfn.list_change_sets(StackName="kit-dev-sales")["Summaries"]
    assert [s for s in sets if s["Status"] == "FAILED"] == []  # the empty change set is cleaned up


def test_changed_script_gets_a_new_key_and_updates_the_stack(deploy_project, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    assert kit("deploy", "sales").exit_code == 0
    old = aws_clients("glue").get_job(JobName="dev-sales")["Job"]["Command"]["ScriptLocation"]
    edit_job_cell(deploy_project, "sales", "v2")
    before = tree_digest(deploy_project)
    refused = kit("deploy", "sales")  # the build no longer is the notebook: never a silent export
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "kit: error: build/sales is stale: run kit export sales, or pass --export "
        "(its source notebooks/sales.ipynb is gone)"
    )
    assert tree_digest(deploy_project) == before
    result = kit("deploy", "sales", "--export")
    assert result.exit_code == 0, result.output
    assert "wrote build/sales/sales.py" in result.stdout
    script = _script(deploy_project)
    assert b"print('v2')" in script
    new = aws_clients("glue").get_job(JobName="dev-sales")["Job"]["Command"]["ScriptLocation"]
    assert new.endswith(f"/kit/scripts/sales/{hashlib.md5(script).hexdigest()}.py")
    assert new != old
    bucket = new.split("/")[2]
    s3 = aws_clients("s3")
    assert s3.get_object(Bucket=bucket, Key=new.split("/", 3)[3])["Body"].read() == script
    assert b"v2" not in s3.get_object(Bucket=bucket, Key=old.split("/", 3)[3])["Body"].read()
    assert "UPDATE_COMPLETE" in result.stderr


def test_failing_resource_reports_the_reason_and_keeps_the_deployment(
    deploy_project, kit, aws_clients
):
    assert kit("bootstrap").exit_code == 0
    assert kit("deploy", "sales").exit_code == 0
    glue = aws_clients("glue")
    before = glue.get_job(JobName="dev-sales")["Job"]
    # a user edit of the shared template that CloudFormation cannot create, plus a new script
    template = deploy_project / "infra" / "etl-template.yml"
    text = template.read_text(encoding="utf-8")
    broken = text.replace(
        "Resources:\n",
        "Resources:\n  Broken:\n    Type: AWS::S3::Bucket\n"
        f"    Properties:\n      BucketName: {DATA_BUCKET}\n",  # taken: creation fails
        1,
    )
    template.write_text(broken, encoding="utf-8")
    # (no script change: moto rolls back the nested stack, not the parent's Glue job)
    result = kit("deploy", "sales")
    assert result.exit_code == 1, result.output
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("kit: error: kit-dev-sales: CloudFormation failed: ")
    assert "The requested bucket name is not available" in error
    assert error.endswith("the previous deployment is unchanged")
    after = glue.get_job(JobName="dev-sales")["Job"]
    assert after["Command"]["ScriptLocation"] == before["Command"]["ScriptLocation"]
    assert after["DefaultArguments"] == before["DefaultArguments"]
    assert after["Role"] == before["Role"]


def test_diff_reports_an_out_of_band_script_edit(deploy_project, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    assert kit("deploy", "sales").exit_code == 0
    clean = kit("diff", "sales")
    assert clean.exit_code == 0, clean.output
    assert "dev-sales: deployed job matches the local export" in clean.stdout
    location = aws_clients("glue").get_job(JobName="dev-sales")["Job"]["Command"]["ScriptLocation"]
    bucket, key = location[5:].split("/", 1)
    s3 = aws_clients("s3")
    live = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    edited = live.replace("def transform(", "print('hotfix from the console')\n\n\ndef transform(")
    assert edited != live
    s3.put_object(Bucket=bucket, Key=key, Body=edited.encode())  # a console edit

    result = kit("diff", "sales")
    assert result.exit_code == 3  # differences found (docs/cli.md)
    assert "--- build/sales/sales.py (local export)" in result.stdout
    assert f"+++ {location} (deployed)" in result.stdout
    assert "+print('hotfix from the console')" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        f"kit: error: dev-sales drifted: script {location} differs from the local export; "
        "run `kit deploy sales` to restore it (or export the change into the notebook)"
    )


def test_diff_reports_changed_default_arguments(deploy_project, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    assert kit("deploy", "sales").exit_code == 0
    # the local settings move on without a deploy (moto has no UpdateJob for a console edit)
    pyproject = deploy_project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('arguments = { min_rows = "1" }', 'arguments = { min_rows = "500" }')
        .replace("[tool.kit.job.sales]\n", '[tool.kit.job.sales]\nbookmark = "enable"\n'),
        encoding="utf-8",
    )
    stale = kit("diff", "sales")  # diff compares the build, which must be fresh
    assert stale.exit_code == 1
    assert stale.stderr.strip() == (
        "kit: error: build/sales is stale: run kit export sales first "
        "([tool.kit.job.sales] changed since the export)"
    )
    assert kit("export", "sales").exit_code == 0
    result = kit("diff", "sales")
    assert result.exit_code == 3
    assert "argument --min_rows: deployed '1', local '500'" in result.stdout
    assert (
        "argument --job-bookmark-option: deployed 'job-bookmark-disable', "
        "local 'job-bookmark-enable'" in result.stdout
    )
    assert "2 DefaultArguments differ" in result.stderr
    assert "---" not in result.stdout  # the script itself did not change


def test_diff_of_an_undeployed_job(deploy_project, kit):
    assert kit("bootstrap").exit_code == 0
    result = kit("diff", "sales")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kit: error: job dev-sales is not deployed in dev; run `kit deploy sales --env dev`"
    )


def test_environment_overrides_and_deploy_all(deploy_project, kit, aws_clients):
    from kit import config as kit_config
    from kit.notebooks.template import create

    create("returns", kit_config.load(deploy_project))
    assert kit("bootstrap", "--env", "prod").exit_code == 0
    result = kit("deploy", "--all", "--env", "prod", "--export")
    assert result.exit_code == 0, result.output
    glue = aws_clients("glue")
    names = sorted(j["Name"] for j in glue.get_jobs()["Jobs"])
    assert names == ["prd-returns", "prd-sales"]
    sales = glue.get_job(JobName="prd-sales")["Job"]
    assert (sales["WorkerType"], sales["NumberOfWorkers"]) == ("G.2X", 10)
    assert sales["DefaultArguments"]["--input_path"] == f"s3://{DATA_BUCKET}/prod/input/sales/"
    returns = glue.get_job(JobName="prd-returns")["Job"]
    assert (returns["WorkerType"], returns["NumberOfWorkers"]) == ("G.1X", 2)
    assert "--min_rows" not in returns["DefaultArguments"]
    assert [t["Name"] for t in glue.get_triggers()["Triggers"]] == ["prd-sales-schedule"]


def test_aws_client_problems_are_one_line(deploy_project, kit):
    result = kit("deploy", "sales", "--profile", "no-such-profile")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "kit: error: The config profile (no-such-profile) could not be found; "
        "check --profile/--region/--endpoint-url and your AWS credentials"
    )


def test_a_profile_deploys_to_its_own_region(deploy_project, kit, aws_clients, tmp_path, monkeypatch):
    """`--profile` alone is enough: the stack goes to the profile's region, as with the AWS CLI."""
    import boto3

    config = tmp_path / "aws-config"
    config.write_text("[profile team]\nregion = eu-west-1\n", encoding="utf-8")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[team]\naws_access_key_id = team\naws_secret_access_key = team\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = kit("bootstrap", "--profile", "team")
    assert result.exit_code == 0, result.output
    assert "bootstrapping dev (kit-dev-bootstrap, eu-west-1)" in result.stderr

    def stacks(region: str) -> list[str]:
        cfn = boto3.client("cloudformation", endpoint_url=aws_clients("s3").meta.endpoint_url,
                           region_name=region)
        return [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]

    assert stacks("eu-west-1") == ["kit-dev-bootstrap"]
    assert stacks("us-east-1") == []


def test_a_settings_change_alone_updates_the_job(deploy_project, kit, aws_clients):
    """Same script, new settings: the parameters differ, so it is a deploy, not a no-op."""
    assert kit("bootstrap").exit_code == 0
    assert kit("deploy", "sales").exit_code == 0
    pyproject = deploy_project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("workers = 3\n", "workers = 5\n"),
        encoding="utf-8",
    )
    result = kit("deploy", "sales", "--export")
    assert result.exit_code == 0, result.output
    assert "wrote build/sales/job.json" in result.stdout  # --export: the settings are in it
    assert "\nkit-dev-sales: deployed dev-sales" in result.stdout
    assert aws_clients("glue").get_job(JobName="dev-sales")["Job"]["NumberOfWorkers"] == 5


def test_an_outdated_shared_template_is_refused_before_anything_is_deployed(
    deploy_project, kit, aws_clients
):
    """An infra/etl-template.yml from an older kit (no JobNamePrefix) would rename the job."""
    from kit.infra.stack import PACKAGED_TEMPLATES

    assert kit("bootstrap").exit_code == 0
    template = deploy_project / "infra" / "etl-template.yml"
    text = (PACKAGED_TEMPLATES / "etl-template.yml").read_text(encoding="utf-8")
    start = text.index("  JobNamePrefix:\n")
    old = text[:start] + text[text.index("  JobName:\n"):]
    template.write_text(old.replace("${JobNamePrefix}", ""), encoding="utf-8")
    result = kit("deploy", "sales")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "kit: error: infra/etl-template.yml has no parameter JobNamePrefix (build/sales/stack.yml "
        "nests it); update it from kit's copy in kit/infra/templates/etl-template.yml, or delete "
        "it to use kit's"
    )
    assert aws_clients("glue").get_jobs()["Jobs"] == []
    stacks = aws_clients("cloudformation").describe_stacks()["Stacks"]
    assert [s["StackName"] for s in stacks] == ["kit-dev-bootstrap"]
    validated = kit("validate")
    assert validated.exit_code == 1
    assert (
        "build/sales/stack.yml: infra/etl-template.yml has no parameter JobNamePrefix; "
        "update it from kit's copy" in validated.stdout
    )


def test_argument_values_with_quotes_backslashes_and_non_ascii_arrive_verbatim(
    deploy_project, kit, aws_clients
):
    """DefaultArguments is a mapping of parameters: no value is ever spliced into JSON text."""
    odd = {
        "input_path": f's3://{DATA_BUCKET}/in/"quoted"/back\\slash/',
        "output_path": f"s3://{DATA_BUCKET}/out/ünïcødé/日本/",
        "min_rows": '1", "--injected": "x',
    }
    pyproject = deploy_project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    start = text.index("[tool.kit.environments.dev]\n")
    end = text.index("\n\n", start)
    table = "[tool.kit.environments.dev]\narguments = { " + ", ".join(
        f"{name} = {_toml_string(value)}" for name, value in odd.items()
    ) + " }"
    pyproject.write_text(text[:start] + table + text[end:], encoding="utf-8")
    assert kit("bootstrap").exit_code == 0
    result = kit("deploy", "sales", "--export")
    assert result.exit_code == 0, result.output
    arguments = aws_clients("glue").get_job(JobName="dev-sales")["Job"]["DefaultArguments"]
    assert {k: arguments[f"--{k}"] for k in odd} == odd
    assert "--injected" not in arguments
    assert kit("diff", "sales").exit_code == 0


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def no_credentials(project_dir, monkeypatch, tmp_path):
    """No AWS credentials anywhere (and no local endpoint): the first AWS call must fail."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return project_dir


def test_deploy_of_a_stale_build_without_credentials_writes_nothing(no_credentials, kit):
    root = no_credentials
    assert kit("export", "sales").exit_code == 0
    edit_job_cell(root, "sales", "v2")
    before = tree_digest(root)
    stale = kit("deploy", "sales")
    assert stale.exit_code == 1
    assert stale.stderr.strip().startswith("kit: error: build/sales is stale: run kit export sales")
    exporting = kit("deploy", "sales", "--export")  # credentials are checked before the export
    assert exporting.exit_code == 1
    assert exporting.stderr.strip().splitlines() == [
        "kit: error: Unable to locate credentials; check --profile/--region/--endpoint-url "
        "and your AWS credentials"
    ]
    assert tree_digest(root) == before


def test_deploy_all_checks_every_build_before_deploying_any(deploy_project, kit, aws_clients):
    from kit import config as kit_config
    from kit.notebooks.template import create

    create("returns", kit_config.load(deploy_project))  # never exported
    assert kit("bootstrap").exit_code == 0
    result = kit("deploy", "--all")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "kit: error: build/returns does not exist: run kit export returns, or pass --export"
    )
    stacks = aws_clients("cloudformation").describe_stacks()["Stacks"]
    assert [s["StackName"] for s in stacks] == ["kit-dev-bootstrap"]  # sales was not deployed


def test_deploy_of_a_job_never_exported_says_what_to_run(no_credentials, kit):
    result = kit("deploy", "sales")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kit: error: build/sales does not exist: run kit export sales, or pass --export"
    )


def test_bootstrap_without_credentials_writes_nothing(no_credentials, kit):
    before = tree_digest(no_credentials)
    result = kit("bootstrap")
    assert result.exit_code == 1
    assert "Unable to locate credentials" in result.stderr
    assert tree_digest(no_credentials) == before
    assert not (no_credentials / "infra").exists()
