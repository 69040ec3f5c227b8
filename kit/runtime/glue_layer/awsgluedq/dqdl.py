"""A small DQDL evaluator: ``Rules = [ ... ]`` of dataset and column rules, on a DataFrame.

Supported rules: ``ColumnCount``, ``RowCount``, ``Completeness "c"``, ``Uniqueness "c"``
(each with ``> >= < <= = !=`` and a number), ``IsComplete "c"``, ``IsUnique "c"``,
``IsPrimaryKey "c"`` and ``ColumnExists "c"``. Metrics are named as Glue names them
(``Dataset.*.RowCount``, ``Column.c.Completeness``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

_CMP: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "=": operator.eq, "!=": operator.ne,
}
_NUM = r"-?\d+(?:\.\d+)?"
_DATASET = re.compile(rf"^(ColumnCount|RowCount)\s*(>=|<=|!=|>|<|=)\s*({_NUM})$")
_COLUMN_METRIC = re.compile(rf'^(Completeness|Uniqueness)\s+"([^"]+)"\s*(>=|<=|!=|>|<|=)\s*({_NUM})$')
_COLUMN_CHECK = re.compile(r'^(IsComplete|IsUnique|IsPrimaryKey|ColumnExists)\s+"([^"]+)"$')
SUPPORTED = ("ColumnCount", "RowCount", "Completeness", "Uniqueness", "IsComplete", "IsUnique",
             "IsPrimaryKey", "ColumnExists")


class DQDLError(ValueError):
    """A ruleset kit cannot read or a rule it does not evaluate locally."""


@dataclass
class Outcome:
    rule: str
    passed: bool
    reason: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)


def parse(ruleset: str) -> list[str]:
    """The rules of ``Rules = [ r1, r2 ]``, split at top-level commas."""
    text = ruleset.strip()
    found = re.match(r"^Rules\s*=\s*\[(.*)\]$", text, re.S)
    if not found:
        raise DQDLError("a DQDL ruleset must look like: Rules = [ RowCount > 0 ]")
    rules, depth, quoted, buf = [], 0, False, ""
    for ch in found.group(1):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "[(":
            depth += 1
        elif not quoted and ch in "])":
            depth -= 1
        if ch == "," and not quoted and depth == 0:
            rules.append(buf.strip())
            buf = ""
        else:
            buf += ch
    if buf.strip():
        rules.append(buf.strip())
    return [" ".join(r.split()) for r in rules]


def evaluate(df: DataFrame, rules: list[str]) -> list[Outcome]:
    """Every rule's outcome (each metric is computed once, even if several rules use it)."""
    plans = [_plan(rule, df.columns) for rule in rules]
    wanted = {name: fn for metrics, _ in plans for name, fn in metrics.items()}
    values = {name: fn(df) for name, fn in wanted.items()}
    return [judge(values) for _, judge in plans]


_Metric = Callable[[DataFrame], float]
_Plan = tuple[dict[str, _Metric], Callable[[dict[str, float]], Outcome]]


def _plan(rule: str, columns: list[str]) -> _Plan:
    if m := _DATASET.match(rule):
        kind, op, limit = m.group(1), m.group(2), float(m.group(3))
        metric = f"Dataset.*.{kind}"
        if kind == "ColumnCount":
            return {}, lambda _v: _compare(rule, metric, float(len(columns)), op, limit)
        return {metric: lambda df: float(df.count())}, \
            lambda v: _compare(rule, metric, v[metric], op, limit)
    if m := _COLUMN_METRIC.match(rule):
        kind, column, op, limit = m.group(1), m.group(2), m.group(3), float(m.group(4))
        _require(rule, column, columns)
        metric = f"Column.{column}.{kind}"
        return {metric: _METRICS[kind](column)}, \
            lambda v: _compare(rule, metric, v[metric], op, limit)
    if m := _COLUMN_CHECK.match(rule):
        kind, column = m.group(1), m.group(2)
        if kind == "ColumnExists":
            ok = column in columns
            return {}, lambda _v: Outcome(rule, ok, None if ok else f"Column {column} does not exist")
        _require(rule, column, columns)
        kinds = {"IsComplete": ["Completeness"], "IsUnique": ["Uniqueness"],
                 "IsPrimaryKey": ["Completeness", "Uniqueness"]}[kind]
        metrics = {f"Column.{column}.{k}": _METRICS[k](column) for k in kinds}
        return metrics, lambda v: _all_one(rule, {k: v[k] for k in metrics})
    name = rule.split(" ", 1)[0]
    raise DQDLError(
        f"DQDL rule {rule!r} is not evaluated by kit's local awsgluedq"
        + ("" if name in SUPPORTED else f" (rule type {name})")
        + f"; supported locally: {', '.join(SUPPORTED)} with > >= < <= = !="
    )


def _completeness(column: str) -> _Metric:
    """The share of rows whose value is not null (1.0 for no rows)."""
    def metric(df: DataFrame) -> float:
        row = df.agg(F.count(F.lit(1)).alias("n"), F.count(F.col(f"`{column}`")).alias("v")).first()
        assert row is not None  # an aggregate without grouping has one row
        return 1.0 if row["n"] == 0 else row["v"] / row["n"]
    return metric


def _uniqueness(column: str) -> _Metric:
    """The share of rows whose value occurs exactly once (1.0 for no rows)."""
    def metric(df: DataFrame) -> float:
        col = F.col(f"`{column}`")
        total = df.count()
        once = df.where(col.isNotNull()).groupBy(col).count().where(F.col("count") == 1).count()
        return 1.0 if total == 0 else once / total
    return metric


_METRICS: dict[str, Callable[[str], _Metric]] = {
    "Completeness": _completeness, "Uniqueness": _uniqueness,
}


def _require(rule: str, column: str, columns: list[str]) -> None:
    if column not in columns:
        raise DQDLError(f"DQDL rule {rule!r}: no column {column!r} (columns: {', '.join(columns)})")


def _compare(rule: str, metric: str, value: float, op: str, limit: float) -> Outcome:
    ok = _CMP[op](value, limit)
    reason = None if ok else f"Value: {value:g} does not meet the constraint requirement!"
    return Outcome(rule, ok, reason, {metric: value})


def _all_one(rule: str, metrics: dict[str, float]) -> Outcome:
    bad = [f"{k.rsplit('.', 1)[-1]} {v:g}" for k, v in metrics.items() if v < 1.0]
    reason = None if not bad else "Value: " + ", ".join(bad) + " does not meet the constraint requirement!"
    return Outcome(rule, not bad, reason, metrics)
