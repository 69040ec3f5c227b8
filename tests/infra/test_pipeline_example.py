"""The repository's example pipeline (``sales``) deploys to the local AWS as a new user would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.infra.conftest import REPO

DATA = "kit-example-dev-data"


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws_clients) -> Path:
    """A copy of the repository's project (jobs, notebooks, catalog, builds) on a clean local AWS."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("pyproject.toml", "jupytext.toml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("jobs", "notebooks", "catalog", "build", "infra"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "output"))
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    aws_clients("s3").create_bucket(Bucket=DATA)
    return root


def test_example_pipeline_deploys_with_workflow_triggers_database_and_tables(example, kit, aws_clients):
    assert kit("bootstrap", "--env", "dev").exit_code == 0
    # the committed builds are fresh: no --export needed
    result = kit("deploy", "--pipeline", "sales", "--env", "dev")
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert "kit-dev--catalog: deployed (1 database(s), 4 table(s))" in out  # trusted_orders reads it
    assert "kit-dev--pipeline-sales: deployed workflow dev-sales" in out

    glue = aws_clients("glue")
    workflow = glue.get_workflow(Name="dev-sales", IncludeGraph=True)["Workflow"]
    assert workflow["DefaultRunProperties"] == {"source": "daily-export"}
    names = {n["UniqueId"]: n["Name"] for n in workflow["Graph"]["Nodes"]}
    assert sorted((names[e["SourceId"]], names[e["DestinationId"]])
                  for e in workflow["Graph"]["Edges"]) == sorted([
        ("dev-sales-start", "dev-raw_orders"),
        ("dev-raw_orders", "dev-sales-trusted_orders"),
        ("dev-sales-trusted_orders", "dev-trusted_orders"),
        ("dev-trusted_orders", "dev-sales-curated_sales"),
        ("dev-sales-curated_sales", "dev-curated_sales"),
    ])
    start = glue.get_trigger(Name="dev-sales-start")["Trigger"]
    assert start["Type"] == "ON_DEMAND"  # dev has no schedule; prod's cron is an override
    assert {t["Name"] for t in glue.get_tables(DatabaseName="kit_example")["TableList"]} >= {
        "raw_orders", "customers", "orders"}
    assert kit("catalog", "diff", "--env", "dev").exit_code == 0

    again = kit("deploy", "--pipeline", "sales", "--env", "dev")
    assert again.exit_code == 0, again.output
    assert not [line for line in again.stdout.splitlines()
                if line.startswith("kit-") and not line.endswith("no changes")
                and "no changes (" not in line]
