"""``EvaluateDataQuality``: DQDL rules on a DynamicFrame, with Glue's result frames.

``EvaluateDataQuality.apply(frame=, ruleset=, publishing_options=)`` returns the rule outcomes
(``Rule``, ``Outcome``, ``FailureReason``, ``EvaluatedMetrics``); ``process_rows`` returns a
collection with ``ruleOutcomes`` and ``rowLevelOutcomes`` (the rows plus
``DataQualityRulesPass/Fail/Skip`` and ``DataQualityEvaluationResult``). Locally the outcomes
are printed to stderr instead of being published to CloudWatch or the Glue console.
"""

from __future__ import annotations

import sys

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from awsglue.transforms.transform import GlueTransform
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsgluedq import dqdl

OUTCOME_SCHEMA = T.StructType([
    T.StructField("Rule", T.StringType()),
    T.StructField("Outcome", T.StringType()),
    T.StructField("FailureReason", T.StringType()),
    T.StructField("EvaluatedMetrics", T.MapType(T.StringType(), T.DoubleType())),
])
_ROW_RULE = "IsComplete"  # the only supported rule that a single row can pass or fail


class EvaluateDataQuality(GlueTransform):
    def __call__(self, frame: DynamicFrame, ruleset: str, publishing_options: dict | None = None,
                 additional_options: dict | None = None) -> DynamicFrame:
        return self._rule_outcomes(frame, ruleset, publishing_options or {})[0]

    def process_rows(self, frame: DynamicFrame, ruleset: str,  # noqa: D102 - Glue's API
                     publishing_options: dict | None = None,
                     additional_options: dict | None = None) -> DynamicFrameCollection:
        outcomes_frame, rules, outcomes = self._rule_outcomes(frame, ruleset,
                                                              publishing_options or {})
        rows = _row_level(frame, rules, outcomes)
        return DynamicFrameCollection(
            {"ruleOutcomes": outcomes_frame, "rowLevelOutcomes": rows}, frame.glue_ctx
        )

    @staticmethod
    def _rule_outcomes(frame: DynamicFrame, ruleset: str, publishing: dict) -> tuple:
        rules = dqdl.parse(ruleset)
        df = frame.toDF()
        outcomes = dqdl.evaluate(df, rules)
        context = publishing.get("dataQualityEvaluationContext", "default_context")
        for o in outcomes:
            verdict = "Passed" if o.passed else f"Failed: {o.reason}"
            print(f"kit: data quality [{context}] {o.rule}: {verdict}", file=sys.stderr)
        data = [(o.rule, "Passed" if o.passed else "Failed", o.reason, o.metrics) for o in outcomes]
        out = df.sparkSession.createDataFrame(data, OUTCOME_SCHEMA)
        return DynamicFrame(out, frame.glue_ctx, context), rules, outcomes


def _row_level(frame: DynamicFrame, rules: list[str], outcomes: list[dqdl.Outcome]) -> DynamicFrame:
    """Each row with the rules it passes and fails; dataset-level rules are listed as skipped."""
    df = frame.toDF()
    checks = []
    for rule in rules:
        parts = rule.split('"')
        if rule.startswith(_ROW_RULE + " ") and len(parts) >= 2:
            checks.append((rule, F.col(f"`{parts[1]}`").isNotNull()))
    passed = [F.when(ok, F.lit(rule)) for rule, ok in checks]
    failed = [F.when(~ok, F.lit(rule)) for rule, ok in checks]
    skipped = [r for r in rules if r not in {rule for rule, _ in checks}]
    empty = F.array().cast("array<string>")
    pass_col = F.filter(F.array(*passed), lambda x: x.isNotNull()) if passed else empty
    fail_col = F.filter(F.array(*failed), lambda x: x.isNotNull()) if failed else empty
    out = df.select(
        "*",
        pass_col.alias("DataQualityRulesPass"),
        fail_col.alias("DataQualityRulesFail"),
        (F.array(*[F.lit(r) for r in skipped]) if skipped else empty).alias("DataQualityRulesSkip"),
    ).withColumn(
        "DataQualityEvaluationResult",
        F.when(F.size("DataQualityRulesFail") > 0, F.lit("Failed")).otherwise(F.lit("Passed")),
    )
    return DynamicFrame(out, frame.glue_ctx, "rowLevelOutcomes")

