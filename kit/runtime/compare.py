"""``kit run JOB --glue-version V --compare``: the same job, two Glue versions, same sample data.

The job runs once on its current version and once on the target, each writing its outputs into
its own folder under ``<state>/compare/JOB/glue-V/`` (the job's declared ``*output*`` arguments
are redirected there, so the project's own outputs are left alone). The outputs are then read
back with kit's Spark and compared: row counts, schemas, and per column the first rows whose
values differ once both sides are put in the same order. Evidence for a one-job-at-a-time upgrade.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.config import ProjectConfig
from kit.errors import RunError
from kit.runtime import runner, runtimes

DIFFERENCES_EXIT = 3  # kit's "differences found" exit status
MAX_ROWS = 200_000  # sample data: both sides are compared in memory
FIRST = 3  # differing rows shown per column


@dataclass(frozen=True)
class ColumnDiff:
    column: str
    rows: list[tuple[int, Any, Any]]  # (row number in sorted order, left value, right value)
    count: int  # rows that differ in this column


@dataclass
class OutputDiff:
    name: str  # the job argument (e.g. output_path)
    left_rows: int
    right_rows: int
    schema: list[str] = field(default_factory=list)  # schema differences, one line each
    columns: list[ColumnDiff] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return self.left_rows == self.right_rows and not self.schema and not self.columns


@dataclass
class CompareReport:
    job: str
    left: str  # Glue version
    right: str
    outputs: list[OutputDiff]

    @property
    def same(self) -> bool:
        return all(o.same for o in self.outputs)

    def lines(self) -> list[str]:
        """The report as text, one finding a line."""
        out = []
        for o in self.outputs:
            verdict = "same" if o.same else "DIFFERENT"
            out.append(
                f"{o.name}: {verdict} (rows: {o.left_rows} on Glue {self.left}, "
                f"{o.right_rows} on Glue {self.right})"
            )
            out += [f"  schema: {line}" for line in o.schema]
            for col in o.columns:
                out.append(f"  column {col.column}: {col.count} row(s) differ; first:")
                out += [
                    f"    row {i}: {left!r} (Glue {self.left}) != {right!r} (Glue {self.right})"
                    for i, left, right in col.rows
                ]
        verdict = "agree" if self.same else "differ"
        out.append(f"Glue {self.left} and Glue {self.right} {verdict} on {self.job}")
        return out


# --- pure comparison --------------------------------------------------------------------------


def schema_diff(left: Sequence[tuple[str, str]], right: Sequence[tuple[str, str]]) -> list[str]:
    """Differences between two schemas given as (column, type) pairs, one line each."""
    lines = []
    ltypes, rtypes = dict(left), dict(right)
    for name, kind in left:
        if name not in rtypes:
            lines.append(f"column {name} ({kind}) only on the left")
        elif rtypes[name] != kind:
            lines.append(f"column {name} is {kind} on the left, {rtypes[name]} on the right")
    lines += [f"column {n} ({k}) only on the right" for n, k in right if n not in ltypes]
    if not lines and [n for n, _ in left] != [n for n, _ in right]:
        lines.append(
            f"column order differs: {', '.join(n for n, _ in left)} vs "
            f"{', '.join(n for n, _ in right)}"
        )
    return lines


def column_diffs(
    columns: Sequence[str],
    left: Sequence[Sequence[Any]],
    right: Sequence[Sequence[Any]],
    first: int = FIRST,
) -> list[ColumnDiff]:
    """Per column, the first rows whose values differ between two row lists.

    Both sides are sorted on all columns first (Spark gives no row order), with ``None`` first;
    rows are compared up to the shorter side (the row counts are reported separately).
    """
    lsorted, rsorted = _sorted(left), _sorted(right)
    diffs = []
    for c, name in enumerate(columns):
        found = [
            (i, lrow[c], rrow[c])
            for i, (lrow, rrow) in enumerate(zip(lsorted, rsorted, strict=False))
            if not _equal(lrow[c], rrow[c])
        ]
        if found:
            diffs.append(ColumnDiff(name, found[:first], len(found)))
    return diffs


def _sorted(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    def key(row: Sequence[Any]) -> tuple:
        return tuple((v is not None, str(type(v).__name__), _orderable(v)) for v in row)

    return sorted((tuple(r) for r in rows), key=key)


def _orderable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float, str, bool)):
        return value
    return repr(value)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and left != left and right != right:
        return True  # NaN on both sides
    return left == right


# --- running --------------------------------------------------------------------------------


def compare(
    job: str,
    config: ProjectConfig,
    target: str,
    script_args: Sequence[str] = (),
    *,
    base: str | None = None,
    master: str = "local[*]",
    progress: Callable[[str], None] | None = None,
) -> CompareReport:
    """Run ``job`` on its current Glue version (or ``base``) and on ``target``; compare outputs."""
    say = progress or (lambda _line: None)
    left = runtimes.spec(base or runtimes.job_glue_version(config, job)).glue_version
    right = runtimes.spec(target).glue_version
    if left == right:
        raise RunError(
            f"{job} already runs on Glue {left}; give another version to compare with "
            f"(--glue-version {'6.0' if left != '6.0' else '5.0'})"
        )
    folders: dict[str, dict[str, Path]] = {}
    for version in (left, right):
        runtimes.ensure(version, say)
        plan = runner.plan(job, list(script_args), config)
        if plan.job is None:
            raise RunError(f"--compare needs a job name or notebook, not a script path ({job})")
        declared = _declared_outputs(plan, config)
        if not declared:
            raise RunError(
                f"{job} declares no output argument (a job argument with 'output' in its name); "
                "--compare compares what the job writes there"
            )
        root = config.state_dir / "compare" / plan.job / f"glue-{version}"
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        outs = {name: root / name for name in declared}
        argv = list(plan.argv)
        for name, folder in outs.items():
            argv += [f"--{name}", str(folder)]
        redirected = runner.RunPlan(plan.script, argv, plan.job, list(outs.values()))
        say(f"running {plan.job} on Glue {version} -> {config.relative(root)}")
        result = runner.run(redirected, config, master, version, capture=True)
        if result.returncode != 0:
            raise RunError(
                f"{plan.job} failed on Glue {version} (exit {result.returncode}): "
                f"{_last_error(result.output)}"
            )
        folders[version] = outs
    assert plan.job is not None  # checked for each run above
    return CompareReport(
        plan.job, left, right,
        [read_and_compare(name, folders[left][name], folders[right][name]) for name in folders[left]],
    )


def read_and_compare(name: str, left: Path, right: Path) -> OutputDiff:
    """Read two output folders with kit's Spark and compare them."""
    spark = _spark()
    ldf, rdf = _read(spark, left), _read(spark, right)
    lschema = [(f.name, f.dataType.simpleString()) for f in ldf.schema.fields]
    rschema = [(f.name, f.dataType.simpleString()) for f in rdf.schema.fields]
    lrows = [tuple(r) for r in ldf.limit(MAX_ROWS).collect()]
    rrows = [tuple(r) for r in rdf.limit(MAX_ROWS).collect()]
    schema = schema_diff(lschema, rschema)
    common = [n for n, _ in lschema if n in dict(rschema)]
    li = [[n for n, _ in lschema].index(n) for n in common]
    ri = [[n for n, _ in rschema].index(n) for n in common]
    columns = column_diffs(
        common, [[r[i] for i in li] for r in lrows], [[r[i] for i in ri] for r in rrows]
    )
    return OutputDiff(name, len(lrows), len(rrows), schema, columns)


def _spark() -> Any:
    """kit's own (Glue 5.0) local Spark, started once in this process to read outputs."""
    import os

    from kit.runtime.spark import spark_env

    os.environ.update(spark_env(base=os.environ))
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName("kit-compare").getOrCreate()


def _read(spark: Any, folder: Path) -> Any:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    if not files:
        return spark.createDataFrame([], "value string")
    suffixes = {s for p in files for s in p.suffixes}
    path = str(folder)
    if ".parquet" in suffixes:
        return spark.read.parquet(path)
    if ".json" in suffixes:
        return spark.read.json(path)
    if ".orc" in suffixes:
        return spark.read.orc(path)
    return spark.read.option("header", "true").csv(path)


def _declared_outputs(plan: runner.RunPlan, config: ProjectConfig) -> list[str]:
    from kit.notebooks import export as exporter

    assert plan.job is not None  # compare() refuses a plan without a job
    declared = exporter.export(plan.job, config).job_args
    # redirected even when given on the command line: the last value wins in getResolvedOptions
    return [k for k in declared if "output" in k]


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "Exception" in line:
            return line[:300]
    return lines[-1][:300] if lines else "no output"
