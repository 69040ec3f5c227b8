"""awsgluedq.EvaluateDataQuality as Glue Studio scripts call it, checked against plain Python."""

from __future__ import annotations

import pytest

from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.dynamicframe import DynamicFrame  # noqa: E402
from awsgluedq.dqdl import DQDLError, parse  # noqa: E402
from awsgluedq.transforms import EvaluateDataQuality  # noqa: E402

ROWS = [(1, "a"), (2, None), (3, "c"), (3, "d"), (None, "e")]


@pytest.fixture
def frame(glue_context, spark_session):
    return DynamicFrame.fromDF(spark_session.createDataFrame(ROWS, "id int, name string"),
                               glue_context, "people")


def outcomes(result) -> dict[str, tuple[str, dict]]:
    return {r.Rule: (r.Outcome, dict(r.EvaluatedMetrics or {})) for r in result.toDF().collect()}


def test_rules_are_split_at_top_level_commas():
    assert parse('Rules = [\n  ColumnCount > 0,\n  IsComplete "a,b" ]') == [
        "ColumnCount > 0", 'IsComplete "a,b"']


def test_apply_evaluates_dataset_and_column_rules(frame):
    ids = [i for i, _ in ROWS]
    names = [n for _, n in ROWS]
    ruleset = """Rules = [
        ColumnCount > 0, RowCount >= 6, IsComplete "name", Completeness "id" >= 0.8,
        IsUnique "name", IsPrimaryKey "id", Uniqueness "id" > 0.3, ColumnExists "zip"
    ]"""
    got = outcomes(EvaluateDataQuality.apply(frame=frame, ruleset=ruleset,
                                             publishing_options={}))
    once = [v for v in ids if v is not None and ids.count(v) == 1]
    expected = {
        "ColumnCount > 0": ("Passed", {"Dataset.*.ColumnCount": 2.0}),
        "RowCount >= 6": ("Failed", {"Dataset.*.RowCount": float(len(ROWS))}),
        'IsComplete "name"': ("Failed", {"Column.name.Completeness": 4 / 5}),
        'Completeness "id" >= 0.8': ("Passed", {"Column.id.Completeness": 4 / 5}),
        'IsUnique "name"': ("Failed", {"Column.name.Uniqueness": 4 / 5}),
        'IsPrimaryKey "id"': ("Failed", {"Column.id.Completeness": 4 / 5,
                                         "Column.id.Uniqueness": len(once) / 5}),
        'Uniqueness "id" > 0.3': ("Passed" if len(once) / 5 > 0.3 else "Failed",
                                  {"Column.id.Uniqueness": len(once) / 5}),
        'ColumnExists "zip"': ("Failed", {}),
    }
    assert got == expected
    assert sum(n is not None for n in names) == 4


GLUE_STUDIO_SCRIPT = '''
import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
from awsgluedq.transforms import EvaluateDataQuality

args = getResolvedOptions(sys.argv, ['JOB_NAME'])
sc = SparkContext.getOrCreate()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args['JOB_NAME'], args)

# Default ruleset used by all target nodes with data quality enabled
DEFAULT_DATA_QUALITY_RULESET = """
    Rules = [
        ColumnCount > 0
    ]
"""

source = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", format="json",
    connection_options={"paths": ["s3://dq-in/people/"]}, transformation_ctx="source")
EvaluateDataQuality().process_rows(frame=source, ruleset=DEFAULT_DATA_QUALITY_RULESET,
    publishing_options={"dataQualityEvaluationContext": "EvaluateDataQuality_node1",
                        "enableDataQualityResultsPublishing": True},
    additional_options={"dataQualityResultsPublishing.strategy": "BEST_EFFORT",
                        "observations.scope": "ALL"})
checked = EvaluateDataQuality().process_rows(frame=source,
    ruleset='Rules = [ IsComplete "name", RowCount > 1 ]',
    publishing_options={"dataQualityEvaluationContext": "node2"},
    additional_options={"performanceTuning.caching": "CACHE_NOTHING"})
rows = SelectFromCollection.apply(dfc=checked, key="rowLevelOutcomes", transformation_ctx="rows")
rules = SelectFromCollection.apply(dfc=checked, key="ruleOutcomes", transformation_ctx="rules")
row_results = sorted((r["id"], r["DataQualityEvaluationResult"], tuple(r["DataQualityRulesFail"]),
                      tuple(r["DataQualityRulesSkip"])) for r in rows.toDF().collect())
rule_results = sorted((r["Rule"], r["Outcome"]) for r in rules.toDF().collect())
job.commit()
'''


def test_glue_studio_script_with_data_quality_runs(run_script, tmp_path, capsys):
    import json

    people = [{"id": 1, "name": "a"}, {"id": 2}, {"id": 3, "name": "c"}]
    folder = tmp_path / "s3" / "dq-in" / "people"
    folder.mkdir(parents=True)
    (folder / "p.json").write_text("\n".join(json.dumps(p) for p in people))
    result = run_script(GLUE_STUDIO_SCRIPT, "--JOB_NAME", "dq")
    assert result["rule_results"] == [('IsComplete "name"', "Failed"), ("RowCount > 1", "Passed")]
    assert result["row_results"] == [
        (p["id"], "Passed" if "name" in p else "Failed",
         () if "name" in p else ('IsComplete "name"',), ("RowCount > 1",))
        for p in people
    ]
    assert "ColumnCount > 0: Passed" in capsys.readouterr().err


def test_unsupported_rule_is_named_in_a_clear_error(frame):
    with pytest.raises(DQDLError, match=r"CustomSql.*not evaluated by kit"):
        EvaluateDataQuality.apply(frame=frame, ruleset='Rules = [ CustomSql "select 1" = 1 ]')
