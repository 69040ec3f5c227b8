"""kit deploy --pipeline / --catalog against the local AWS (moto server, real change sets)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.notebooks.template import create
from tests.conftest import tree_digest
from tests.infra.conftest import DATA_BUCKET, REPO

PYPROJECT = f"""\
[project]
name = "shop"
version = "0"

[tool.kit]

[tool.kit.environments.dev]
arguments = {{ input_path = "s3://{DATA_BUCKET}/in/{{job}}/", output_path = "s3://{DATA_BUCKET}/out/{{job}}/" }}

[tool.kit.pipeline.daily]
description = "raw to curated"
schedule = "cron(0 5 * * ? *)"
run_properties = {{ day = "today" }}

[tool.kit.pipeline.daily.jobs]
raw = {{}}
trusted = {{ after = ["raw"] }}
curated = {{ after = {{ trusted = "SUCCEEDED", raw = "ANY" }}, logical = "ANY" }}
"""

CATALOG = """\
database: shop
description: the shop's tables
tables:
  orders:
    format: parquet
    location: s3://kit-demo-data/{env}/orders/
    columns:
      - {name: order_id, type: bigint}
      - {name: amount, type: "decimal(12,2)"}
"""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws_clients) -> Path:
    """A project of three jobs in pipeline ``daily`` (``curated`` reads ``shop.orders`` through
    the catalog), with catalog/shop.yml; the data bucket exists; nothing exported yet."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    (root / "catalog").mkdir()
    (root / "catalog" / "shop.yml").write_text(CATALOG, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    cfg = kit_config.load(root)
    for job in ("raw", "trusted", "curated"):
        create(job, cfg)
    module = root / "jobs" / "curated.py"
    (root / "notebooks" / "curated.ipynb").unlink()  # the module is now the only twin
    module.write_text(module.read_text(encoding="utf-8").rstrip("\n") + (
        "\n    orders = glueContext.create_dynamic_frame.from_catalog("
        "database=\"shop\", table_name=\"orders\")\n"), encoding="utf-8")
    aws_clients("s3").create_bucket(Bucket=DATA_BUCKET)
    return root


def _triggers(glue) -> dict[str, dict]:
    return {t["Name"]: t for t in glue.get_triggers()["Triggers"]}


def _condition(job: str, state: str) -> dict:
    return {"LogicalOperator": "EQUALS", "JobName": job, "State": state}


def test_pipeline_deploys_jobs_catalog_workflow_and_triggers_then_noop(shop, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    exported = kit("export", "--all")
    assert exported.exit_code == 0, exported.output
    assert "wrote build/_pipelines/daily/stack.yml" in exported.stdout
    assert "wrote build/_catalog/stack.yml" in exported.stdout

    result = kit("deploy", "--pipeline", "daily", "--env", "dev")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # the catalog first (curated reads shop.orders), then the jobs, then the workflow
    assert "kit-dev--catalog: deployed (1 database(s), 1 table(s))" in lines
    assert "kit-dev--pipeline-daily: deployed workflow dev-daily" in lines
    assert lines.index("kit-dev--catalog: deployed (1 database(s), 1 table(s))") < min(
        i for i, line in enumerate(lines) if line.startswith("kit-dev-raw: deployed"))

    glue = aws_clients("glue")
    assert {j["Name"] for j in glue.get_jobs()["Jobs"]} == {"dev-raw", "dev-trusted", "dev-curated"}
    workflow = glue.get_workflow(Name="dev-daily", IncludeGraph=True)["Workflow"]
    assert workflow["DefaultRunProperties"] == {"day": "today"}
    assert workflow["Description"] == "raw to curated"
    nodes = {n["UniqueId"]: n["Name"] for n in workflow["Graph"]["Nodes"]}
    assert sorted(nodes.values()) == ["dev-curated", "dev-daily-curated", "dev-daily-start",
                                      "dev-daily-trusted", "dev-raw", "dev-trusted"]
    edges = {(nodes[e["SourceId"]], nodes[e["DestinationId"]]) for e in workflow["Graph"]["Edges"]}
    assert ("dev-daily-start", "dev-raw") in edges
    assert ("dev-trusted", "dev-daily-curated") in edges
    assert ("dev-daily-curated", "dev-curated") in edges

    triggers = _triggers(glue)
    assert set(triggers) == {"dev-daily-start", "dev-daily-trusted", "dev-daily-curated"}  # no job schedule
    start = triggers["dev-daily-start"]
    assert (start["Type"], start["Schedule"], start["Actions"]) == (
        "SCHEDULED", "cron(0 5 * * ? *)", [{"JobName": "dev-raw"}])
    assert triggers["dev-daily-trusted"]["Predicate"] == {
        "Logical": "AND", "Conditions": [_condition("dev-raw", "SUCCEEDED")]}
    curated = triggers["dev-daily-curated"]
    assert curated["Type"] == "CONDITIONAL" and curated["State"] == "ACTIVATED"
    assert curated["WorkflowName"] == "dev-daily"
    assert curated["Predicate"]["Logical"] == "ANY"
    assert sorted(map(tuple, (sorted(c.items()) for c in curated["Predicate"]["Conditions"]))) == \
        sorted(tuple(sorted(_condition(j, s).items())) for j, s in [
            ("dev-trusted", "SUCCEEDED"), ("dev-raw", "SUCCEEDED"), ("dev-raw", "FAILED"),
            ("dev-raw", "STOPPED"), ("dev-raw", "TIMEOUT")])

    table = glue.get_table(DatabaseName="shop", Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://kit-demo-data/dev/orders/"
    clean = kit("catalog", "diff", "--env", "dev")
    assert clean.exit_code == 0, clean.output

    again = kit("deploy", "--pipeline", "daily", "--env", "dev")
    assert again.exit_code == 0, again.output
    assert sorted(again.stdout.splitlines()) == sorted([
        "kit-dev--catalog: no changes (1 database(s), 1 table(s))",
        "kit-dev-raw: no changes", "kit-dev-trusted: no changes", "kit-dev-curated: no changes",
        "kit-dev--pipeline-daily: no changes",
        *[line for line in again.stdout.splitlines() if line.startswith("  ")],
    ])

    # a column changed by hand shows in kit catalog diff (exit 3, as kit diff)
    table_input = {k: table[k] for k in ("Name", "StorageDescriptor", "PartitionKeys",
                                         "TableType", "Parameters") if k in table}
    table_input["StorageDescriptor"]["Columns"][1]["Type"] = "double"
    glue.update_table(DatabaseName="shop", TableInput=table_input)
    drift = kit("catalog", "diff", "--env", "dev")
    assert drift.exit_code == 3
    assert "shop.orders: column amount: type decimal(12,2) (declared) != double (live)" in \
        drift.stdout.splitlines()


def test_a_changed_edge_is_refused_until_exported_then_updates_the_trigger(shop, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    assert kit("export", "--all").exit_code == 0
    assert kit("deploy", "--pipeline", "daily").exit_code == 0
    pyproject = shop / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'trusted = { after = ["raw"] }', 'trusted = { after = { raw = "FAILED" } }'))

    stale = kit("deploy", "--pipeline", "daily")
    assert stale.exit_code == 1
    assert stale.stderr.strip() == (
        "kit: error: build/_pipelines/daily is stale: run kit export --all, or pass --export "
        "([tool.kit.pipeline.daily] or its environments changed since the export)")

    clean = kit("diff", "--pipeline", "daily")
    assert clean.exit_code == 0, clean.output
    assert clean.stdout == "dev-daily: deployed workflow matches the pipeline's build\n"
    assert kit("export", "--all").exit_code == 0
    drift = kit("diff", "--pipeline", "daily")
    assert drift.exit_code == 3
    assert drift.stdout.splitlines() == [
        "trigger dev-daily-trusted: Predicate ['AND', ['dev-raw FAILED']] (build) != "
        "['AND', ['dev-raw SUCCEEDED']] (deployed)"]

    updated = kit("deploy", "--pipeline", "daily", "--export")
    assert updated.exit_code == 0, updated.output
    assert "kit-dev--pipeline-daily: deployed workflow dev-daily" in updated.stdout
    assert "kit-dev-raw: no changes" in updated.stdout  # the job stacks are untouched
    predicate = _triggers(aws_clients("glue"))["dev-daily-trusted"]["Predicate"]
    assert predicate["Conditions"] == [_condition("dev-raw", "FAILED")]
    assert kit("diff", "--pipeline", "daily").exit_code == 0


def test_a_pipeline_job_without_a_build_is_one_line_before_any_aws_call(shop, kit, aws_clients):
    assert kit("export", "raw").exit_code == 0  # trusted and curated have no build
    before = tree_digest(shop)
    result = kit("deploy", "--pipeline", "daily")  # not even bootstrapped: no AWS call made
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kit: error: build/trusted does not exist: run kit export trusted, or pass --export")
    assert tree_digest(shop) == before
    assert aws_clients("cloudformation").list_stacks()["StackSummaries"] == []


def test_a_pipeline_job_with_its_own_schedule_is_refused_at_export(shop, kit):
    pyproject = shop / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.kit.job.trusted]\nschedule = "cron(0 6 * * ? *)"\n')
    before = tree_digest(shop)
    result = kit("export", "--all")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kit: error: [tool.kit.job.trusted] schedule: trusted runs in pipeline daily, whose "
        "start trigger starts it; remove the job's schedule (set [tool.kit.pipeline.daily] "
        "schedule instead)")
    assert tree_digest(shop) == before


def test_catalog_alone_deploys_with_its_own_flag(shop, kit, aws_clients):
    result = kit("deploy", "--catalog", "--export")
    assert result.exit_code == 0, result.output
    assert "wrote build/_catalog/stack.yml" in result.stdout
    assert "kit-dev--catalog: deployed (1 database(s), 1 table(s))" in result.stdout
    assert aws_clients("glue").get_database(Name="shop")["Database"]["Description"] == \
        "the shop's tables"
    (shop / "catalog" / "shop.yml").write_text(CATALOG.replace("the shop's", "our"))
    stale = kit("deploy", "--catalog")
    assert stale.exit_code == 1
    assert stale.stderr.strip() == ("kit: error: build/_catalog is stale: run kit export --all, "
                                    "or pass --export (catalog/shop.yml changed since the export)")


def test_deploy_all_deploys_the_catalog_every_job_and_every_pipeline(shop, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    result = kit("deploy", "--all", "--export")
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    deployed = [line.split(":")[0] for line in out if line.startswith("kit-")]
    assert deployed == ["kit-dev--catalog", "kit-dev-curated", "kit-dev-raw", "kit-dev-trusted",
                        "kit-dev--pipeline-daily"]
    glue = aws_clients("glue")
    assert glue.list_workflows()["Workflows"] == ["dev-daily"]
    assert glue.get_database(Name="shop")["Database"]["Name"] == "shop"


def test_a_workflow_that_cannot_be_created_names_the_resource_and_glue_reason(shop, kit, aws_clients):
    assert kit("bootstrap").exit_code == 0
    assert kit("export", "--all").exit_code == 0
    aws_clients("glue").create_workflow(Name="dev-daily")  # made by hand, outside the stack
    result = kit("deploy", "--pipeline", "daily")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kit: error: kit-dev--pipeline-daily: ")
    assert "Workflow dev-daily already exists" in last
    assert "kit-dev-raw: deployed" in result.stdout  # the jobs went first
