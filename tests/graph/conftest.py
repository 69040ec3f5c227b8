"""A project holding the repository's exported jobs plus a catalog-reading job."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CURATED = '''\
import sys
from awsglue.context import GlueContext
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

JOB_ARGS = {"report_path": "build/output/report"}
args = getResolvedOptions(sys.argv, ["JOB_NAME"])
glue_context = GlueContext(SparkContext.getOrCreate())
totals = glue_context.create_dynamic_frame.from_catalog(
    database="kit_example", table_name="orders_by_month"
)
customers = glue_context.create_dynamic_frame.from_catalog("kit_example", "customers")
sink = glue_context.getSink(connection_type="s3", path="s3://kit-example-dev-data/curated/",
                            enableUpdateCatalog=True, partitionKeys=["month"])
sink.setCatalogInfo(catalogDatabase="kit_example", catalogTableName="curated")
sink.writeFrame(totals)
glue_context.write_dynamic_frame.from_options(
    frame=customers, connection_type="s3", connection_options={"path": args["report_path"]},
    format="json")
'''

CURATED_STACK = '''\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  AfterMonthly:
    Type: AWS::Glue::Trigger
    Properties:
      Type: CONDITIONAL
      Actions: [{JobName: !Ref CuratedJob}]
      Predicate:
        Conditions:
          - {JobName: dev-orders_by_month, State: SUCCEEDED, LogicalOperator: EQUALS}
          - {JobName: !Ref SomethingElse, State: FAILED, LogicalOperator: EQUALS}
'''


@pytest.fixture
def graph_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    for folder in (REPO / "build").iterdir():
        if (folder / f"{folder.name}.py").is_file():
            shutil.copytree(folder, root / "build" / folder.name)
    (root / "build" / "curated").mkdir()
    (root / "build" / "curated" / "curated.py").write_text(CURATED, encoding="utf-8")
    (root / "build" / "curated" / "stack.yml").write_text(CURATED_STACK, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    return root


@pytest.fixture
def pipeline_project(graph_project: Path) -> Path:
    """graph_project with the repository's settings (its example pipeline) and job modules."""
    shutil.copy(REPO / "pyproject.toml", graph_project / "pyproject.toml")
    shutil.copytree(REPO / "jobs", graph_project / "jobs",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return graph_project
