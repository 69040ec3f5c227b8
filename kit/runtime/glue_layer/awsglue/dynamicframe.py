"""``DynamicFrame``: Glue's frame API as a thin wrapper over a Spark DataFrame.

Every transform is a DataFrame expression (it runs in the JVM at DataFrame speed); only ``map``
and ``filter`` call Python per record, because the user's function is Python.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue import _arrowmap, _choice, _compat, _paths
from awsglue.gluetypes import _create_dynamic_record, _revert_to_dict, spark_type, type_name

_FILTER_SKIPS = (KeyError, ValueError, TypeError)


class ResolveOption:
    """A choice resolution for ``toDF``: action ``Project``, ``KeepAsStruct`` or ``Cast``."""

    def __init__(self, path: str, action: str, target: T.DataType | None = None) -> None:
        self.path = path
        self.action = action
        self.target = target


class DynamicFrame:
    """A distributed collection of records; here, a Spark DataFrame plus Glue's API."""

    def __init__(self, jdf: Any, glue_ctx: Any, name: str = "") -> None:
        if isinstance(jdf, DataFrame):
            df = jdf
        else:  # a JVM DataFrame handle, as Glue's own constructor takes
            df = DataFrame(jdf, glue_ctx.spark_session)
        self._df = df
        self._jdf = df._jdf
        self.glue_ctx = glue_ctx
        self._sc = glue_ctx._sc if glue_ctx is not None else df.sparkSession.sparkContext
        self.name = name
        # error records of this stage and of the stages before it: (count, DataFrame) makers
        self._stage_errors: _ErrorSource | None = None
        self._earlier_errors: list[_ErrorSource] = []

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def fromDF(cls, dataframe: DataFrame, glue_ctx: Any, name: str = "") -> DynamicFrame:  # noqa: N802
        """Wrap ``dataframe`` (no copy, no conversion)."""
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options: list[ResolveOption] | None = None) -> DataFrame:  # noqa: N802
        """The underlying DataFrame (after any ``ResolveOption`` choice resolutions)."""
        frame = self
        for option in options or []:
            action = option.action.lower()
            if action != "keepasstruct" and option.target is None:
                raise Exception(f"Missing target type for resolve action {option.action}.")
            if action == "keepasstruct":
                spec = "make_struct"
            elif action == "project":
                spec = "project:" + type_name(option.target)
            else:
                assert option.target is not None  # checked above for every action but this one
                spec = "cast:" + option.target.simpleString()
            frame = frame.resolveChoice(specs=[(option.path, spec)])
        return frame._df

    def _new(self, df: DataFrame, name: str | None = None) -> DynamicFrame:
        out = DynamicFrame(df, self.glue_ctx, self.name if name is None else name)
        out._earlier_errors = self._all_errors()
        return out

    def _all_errors(self) -> list[_ErrorSource]:
        return self._earlier_errors + ([self._stage_errors] if self._stage_errors else [])

    def _with_errors(self, source: _ErrorSource, stage_threshold: int,
                     total_threshold: int) -> DynamicFrame:
        """Record this stage's error records; stop as Glue does past a threshold."""
        self._stage_errors = source
        if int(stage_threshold or 0) > 0 and self.stageErrorsCount() > int(stage_threshold):
            raise GlueThresholdError(
                f"Number of errors in this transformation ({self.stageErrorsCount()}) exceeds "
                f"stageThreshold {stage_threshold}: {source.info}"
            )
        if int(total_threshold or 0) > 0 and self.errorsCount() > int(total_threshold):
            raise GlueThresholdError(
                f"Total number of errors ({self.errorsCount()}) exceeds totalThreshold "
                f"{total_threshold}: {source.info}"
            )
        return self

    # -- information ----------------------------------------------------------------------
    def count(self) -> int:
        return self._df.count()

    def schema(self) -> T.StructType:
        """The frame's schema (a Spark StructType; choices show as string fields)."""
        return self._df.schema

    def printSchema(self) -> None:  # noqa: N802
        print(self._df.schema.treeString() if hasattr(self._df.schema, "treeString")
              else self._df._jdf.schema().treeString())

    def show(self, num_rows: int = 20) -> None:
        """Print up to ``num_rows`` records as JSON, one per line, as Glue does."""
        for line in self._df.limit(num_rows).toJSON().collect():
            print(line)

    def getNumPartitions(self) -> int:  # noqa: N802
        return self._df.rdd.getNumPartitions()

    def repartition(self, num_partitions: int, transformation_ctx: str = "", info: str = "",
                    stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        return self._new(self._df.repartition(num_partitions))

    def coalesce(self, num_partitions: int, shuffle: bool = False, transformation_ctx: str = "",
                 info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        df = self._df.repartition(num_partitions) if shuffle else self._df.coalesce(num_partitions)
        return self._new(df)

    # -- field transforms -----------------------------------------------------------------
    def apply_mapping(self, mappings: Any, case_sensitive: bool = False, transformation_ctx: str = "",
                      info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Keep only the mapped fields, renamed and cast; dotted targets build structs."""
        if isinstance(mappings, tuple):
            mappings = [mappings]
        schema = self._df.schema
        picked: list[tuple[list[str], list[str], T.DataType | None]] = []
        for mapping in mappings:
            if len(mapping) != 4:
                raise ValueError(
                    f"mapping {mapping!r} must be (source, source_type, target, target_type)"
                )
            source, _source_type, target, target_type = mapping
            parts = _paths.parse(source)
            if case_sensitive:
                present = _exact_type(schema, parts) is not None
            else:
                present = _paths.field_type(schema, parts) is not None
            if not present or _paths.ARRAY in parts:
                continue  # Glue leaves out fields no record has
            picked.append((parts, _paths.parse(target), spark_type(str(target_type))))
        targets = [t[0] for _, t, _ in picked]
        if all(len(t) == 1 for _, t, _ in picked) and len(set(targets)) == len(targets):
            # Flat targets: one SQL projection (far fewer JVM round trips than Column objects).
            exprs = []
            for parts, target, dtype in picked:
                value = _paths.sql(parts)
                if dtype is not None:
                    value = _compat.convert_sql(value, dtype.simpleString())
                exprs.append(f"{value} AS {_paths.quote(target[0])}")
            return self._new(self._df.selectExpr(*exprs))
        columns: list[tuple[list[str], Column]] = []
        for parts, target, dtype in picked:
            value = _paths.get(parts)
            if dtype is not None:
                value = _compat.convert(value, dtype.simpleString())
            columns.append((target, value))
        return self._new(self._df.select(*_paths.nest(columns)))

    def applyMapping(self, *args: Any, **kwargs: Any) -> DynamicFrame:  # noqa: N802
        return self.apply_mapping(*args, **kwargs)

    def select_fields(self, paths: Any, transformation_ctx: str = "", info: str = "",
                      stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        if isinstance(paths, str):
            paths = [paths]
        schema = self._df.schema
        found = [p for p in map(_paths.parse, paths) if _paths.field_type(schema, p) is not None]
        if all(len(p) == 1 for p in found):  # top-level fields: one SQL projection
            names = dict.fromkeys(_paths.real_name(schema, p[0]) for p in found)
            return self._new(self._df.selectExpr(*[_paths.quote(n) for n in names]))
        columns = [(parts, _paths.get(parts)) for parts in found]
        return self._new(self._df.select(*_paths.nest(columns)))

    def drop_fields(self, paths: Any, transformation_ctx: str = "", info: str = "",
                    stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        if isinstance(paths, str):
            paths = [paths]
        df = self._df
        for path in paths:
            df = _paths.drop(df, _paths.parse(path))
        return self._new(df)

    def rename_field(self, oldName: str, newName: str, transformation_ctx: str = "", info: str = "",  # noqa: N803
                     stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        old, new = _paths.parse(oldName), _paths.parse(newName)
        df = self._df
        if _paths.field_type(df.schema, old) is None:
            return self._new(df)
        if len(old) == 1 and len(new) == 1:
            return self._new(df.withColumnRenamed(_paths.real_name(df.schema, old[0]), new[0]))
        if old[:-1] == new[:-1] and _paths.ARRAY not in old:
            parent = _paths.field_type(df.schema, old[:-1])
            assert isinstance(parent, T.StructType)
            leaf = old[-1].lower()

            def rebuilt(c: Column) -> Column:
                return F.struct(*[
                    c.getField(f.name).alias(new[-1] if f.name.lower() == leaf else f.name)
                    for f in parent.fields
                ])

            return self._new(_paths.update(df, old[:-1], rebuilt))
        value = _paths.get(old)
        df = df.withColumn("__kit_moved", value)
        df = _paths.drop(df, old)
        if len(new) == 1:
            return self._new(df.withColumnRenamed("__kit_moved", new[0]))
        parent = new[:-1]
        if _paths.field_type(df.schema, parent) is None:
            df = df.withColumn(parent[0], _chain(parent[1:], new[-1], F.col("__kit_moved")))
        else:
            df = _paths.update(df, parent, lambda c: c.withField(new[-1], F.col("__kit_moved")))
        return self._new(df.drop("__kit_moved"))

    def split_fields(self, paths: Any, name1: str, name2: str, transformation_ctx: str = "",
                     info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrameCollection:  # noqa: N803
        if isinstance(paths, str):
            paths = [paths]
        first = self.select_fields(paths)
        second = self.drop_fields(paths)
        first.name, second.name = name1, name2
        return DynamicFrameCollection({name1: first, name2: second}, self.glue_ctx)

    def split_rows(self, comparison_dict: dict[str, dict[str, Any]], name1: str, name2: str,
                   transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
                   totalThreshold: int = 0) -> DynamicFrameCollection:  # noqa: N803
        """Rows meeting every comparison go to ``name1``, the rest (nulls included) to ``name2``."""
        ops: dict[str, Callable[[Column, Any], Column]] = {
            ">": lambda c, v: c > v, "<": lambda c, v: c < v, ">=": lambda c, v: c >= v,
            "<=": lambda c, v: c <= v, "=": lambda c, v: c == v, "==": lambda c, v: c == v,
            "!=": lambda c, v: c != v,
        }
        for comparisons in comparison_dict.values():
            for op in comparisons:
                if op not in ops:
                    raise ValueError(f"split_rows: unknown comparator {op!r}; use one of {list(ops)}")
        sql = _split_sql(comparison_dict)
        if sql is not None:  # one SQL predicate: fewer JVM round trips than Column objects
            first = self._new(self._df.filter(sql), name1)
            second = self._new(self._df.filter(f"NOT {sql}"), name2)
            return DynamicFrameCollection({name1: first, name2: second}, self.glue_ctx)
        cond = F.lit(True)
        for path, comparisons in comparison_dict.items():
            col = _paths.get(_paths.parse(path))
            for op, value in comparisons.items():
                cond = cond & ops[op](col, F.lit(value))
        cond = F.coalesce(cond, F.lit(False))
        first = self._new(self._df.filter(cond), name1)
        second = self._new(self._df.filter(~cond), name2)
        return DynamicFrameCollection({name1: first, name2: second}, self.glue_ctx)

    def unnest(self, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
               totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Structs flattened to top-level fields named ``parent.child``; arrays kept."""
        leaves = _paths.flatten(self._df.schema)
        return self._new(self._df.select(*[col.alias(name) for name, col, _ in leaves]))

    def drop_null_fields(self, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
                         totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Drop top-level fields that are null (or missing) in every record."""
        df = self._df
        if not df.columns:
            return self._new(df)
        counts = df.agg(*[F.count(_paths.top(c)).alias(str(i)) for i, c in enumerate(df.columns)])
        row = counts.first()
        assert row is not None  # an aggregate without grouping has one row
        empty = [c for i, c in enumerate(df.columns) if row[str(i)] == 0]
        return self._new(df.drop(*empty) if empty else df)

    def unbox(self, path: str, format: str, transformation_ctx: str = "", info: str = "",  # noqa: A002
              stageThreshold: int = 0, totalThreshold: int = 0, **options: Any) -> DynamicFrame:  # noqa: N803
        """Parse a JSON (or delimited) string field into a struct."""
        parts = _paths.parse(path)
        col = _paths.get(parts)
        fmt = format.lower()
        if fmt == "json":
            sample = self._df.select(col.alias("v")).where(F.col("v").isNotNull())
            schema = self.glue_ctx.spark_session.read.json(sample.rdd.map(lambda r: r[0])).schema
            return self._new(_paths.update(self._df, parts, lambda c: F.from_json(c, schema)))
        if fmt == "csv":
            schema_json = options.get("withSchema")
            if not schema_json:
                raise ValueError("unbox csv needs withSchema=StructType(...).json()")
            schema = T.StructType.fromJson(json.loads(schema_json))
            sep = options.get("separator", ",")
            ddl = ", ".join(f"{_paths.quote(f.name)} {f.dataType.simpleString()}" for f in schema.fields)
            return self._new(_paths.update(
                self._df, parts, lambda c: F.from_csv(c, ddl, {"sep": sep})
            ))
        raise ValueError(f"unbox: format {format!r} not supported locally; use json or csv")

    # -- choice resolution ----------------------------------------------------------------
    def resolveChoice(self, specs: Any = None, choice: str = "", database: str | None = None,  # noqa: N802
                      table_name: str | None = None, transformation_ctx: str = "", info: str = "",
                      stageThreshold: int = 0, totalThreshold: int = 0, catalog_id: str | None = None,  # noqa: N803
                      option: str = "", **_: Any) -> DynamicFrame:
        choice = choice or option
        if specs is None and not choice:
            raise Exception("Parameter specs and option are both missing, add one.")
        if specs is not None and choice:
            raise Exception("Parameter specs and option are both specified, choose one.")
        if isinstance(specs, tuple):
            specs = [specs]
        df = self._df
        if specs is None:
            specs = [(p, choice) for p in _choice.choice_paths(df)]
        for path, action in specs:
            df = _resolve(df, path, action, database, table_name, catalog_id)
        return self._new(df)

    # -- record functions (Python) --------------------------------------------------------
    def filter(self, f: Callable[[Any], bool], transformation_ctx: str = "", info: str = "",
               stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Records for which ``f(record)`` is true; KeyError/ValueError/TypeError mean false,
        any other exception makes the record an error record."""
        def outcome(row: Any) -> tuple[int, str | None]:
            """1 keep, 0 drop, -1 error record (an exception other than Glue's skip list)."""
            try:
                return (1 if f(_create_dynamic_record(row)) else 0), None
            except _FILTER_SKIPS:
                return 0, None
            except Exception as exc:  # noqa: BLE001 - Glue turns it into an error record
                return -1, _describe(exc)

        source = self._df
        if _arrowmap.available(self._sc, source.schema):
            # Arrow batches: no per-row pickling and no Python Row objects (UDF speed or better)
            out = self._new(source.mapInArrow(_arrowmap.filter_batches(f), source.schema))
        else:
            rdd = source.rdd.filter(lambda row: outcome(row)[0] == 1)
            out = self._new(self.glue_ctx.spark_session.createDataFrame(rdd, source.schema))

        def errors() -> Any:
            return (source.rdd.map(lambda row: (row, outcome(row)))
                    .filter(lambda t: t[1][0] == -1).map(lambda t: (t[0], t[1][1])))

        return out._with_errors(_ErrorSource(self.glue_ctx, errors, info, transformation_ctx),
                                stageThreshold, totalThreshold)

    def map(self, f: Callable[[Any], Any], preservesPartitioning: bool = False,  # noqa: N803
            transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
            totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """``f(record)`` for every record; the result's schema is computed from the records.
        A record whose function raises (or returns nothing) becomes an error record."""
        def apply(row: Any) -> tuple[bool, Any]:
            try:
                out = _revert_to_dict(f(_create_dynamic_record(row)))
            except Exception as exc:  # noqa: BLE001 - Glue turns it into an error record
                return False, _describe(exc)
            if not out:
                return False, _arrowmap.NO_RECORD
            return True, out

        source = self._df
        # Arrow batches: the function runs once per record and the schema comes from the
        # batches' outputs (see _arrowmap); the Row path is the exact fallback.
        done = _arrowmap.map_frame(source, f) if _arrowmap.available(self._sc, source.schema) \
            else None
        if done is not None:
            df, count = done
        else:
            tagged = source.rdd.map(apply)
            schema, count = _infer_schema(tagged, source.schema)
            mapped = tagged.filter(lambda t: t[0]).map(lambda t: t[1])
            df = self.glue_ctx.spark_session.createDataFrame(mapped, schema, verifySchema=False)

        def errors() -> Any:
            return (source.rdd.map(lambda row: (row, apply(row)))
                    .filter(lambda t: not t[1][0]).map(lambda t: (t[0], t[1][1])))

        errs = _ErrorSource(self.glue_ctx, errors, info, transformation_ctx, known_count=count)
        return self._new(df)._with_errors(errs, stageThreshold, totalThreshold)

    # -- frame combinations ---------------------------------------------------------------
    def join(self, paths1: Any, paths2: Any, frame2: DynamicFrame, transformation_ctx: str = "",
             info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Inner equality join; all fields of both frames are kept (a shared key appears once)."""
        if isinstance(paths1, str):
            paths1 = [paths1]
        if isinstance(paths2, str):
            paths2 = [paths2]
        left, right = self._df.alias("l"), frame2._df.alias("r")
        cond = None
        for p1, p2 in zip(paths1, paths2, strict=True):
            c = F.col("l." + _paths.quote(p1)) == F.col("r." + _paths.quote(p2))
            cond = c if cond is None else cond & c
        joined = left.join(right, cond, "inner")
        shared_keys = {p1 for p1, p2 in zip(paths1, paths2, strict=True) if p1 == p2}
        left_cols = set(self._df.columns)
        cols = [F.col("l." + _paths.quote(c)).alias(c) for c in self._df.columns]
        cols += [F.col("r." + _paths.quote(c)).alias(c) for c in frame2._df.columns
                 if c not in shared_keys and c not in left_cols]
        return self._new(joined.select(*cols), self.name + frame2.name)

    def union(self, other_frame: DynamicFrame, transformation_ctx: str = "", info: str = "",
              stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """All records of both frames; fields missing on one side are null."""
        return self._new(self._df.unionByName(other_frame._df, allowMissingColumns=True))

    def mergeDynamicFrame(self, stage_dynamic_frame: DynamicFrame, primary_keys: list[str],  # noqa: N802
                          transformation_ctx: str = "", options: dict | None = None, info: str = "",
                          stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Records of this frame, replaced by staging records with the same primary keys."""
        stage = stage_dynamic_frame._df
        kept = self._df.join(stage.select(*primary_keys).distinct(), primary_keys, "left_anti")
        return self._new(kept.unionByName(stage, allowMissingColumns=True))

    def relationalize(self, root_table_name: str, staging_path: str = "", options: dict | None = None,
                      transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
                      totalThreshold: int = 0) -> DynamicFrameCollection:  # noqa: N803
        from awsglue.transforms.relationalize import relationalize_frames

        frames = relationalize_frames(self._df, root_table_name)
        return DynamicFrameCollection(
            {name: self._new(df, name) for name, df in frames.items()}, self.glue_ctx
        )

    def spigot(self, path: str, options: dict | None = None, transformation_ctx: str = "",
               info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> DynamicFrame:  # noqa: N803
        """Write a sample (``topk`` first records, default 100, or ``prob`` fraction) as JSON."""
        from awsglue import _io

        options = options or {}
        df = self._df
        if "prob" in options:
            df = df.sample(fraction=float(options["prob"]), seed=random.randrange(2**31))
        else:
            df = df.limit(int(options.get("topk", 100)))
        _io.write(df.coalesce(1), {"path": path}, "json")
        return self

    def write(self, connection_type: str, connection_options: dict | None = None,
              format: str | None = None, format_options: dict | None = None,  # noqa: A002
              accumulator_size: int = 0) -> DynamicFrame:
        return self.glue_ctx.write_from_options(
            frame_or_dfc=self, connection_type=connection_type,
            connection_options=connection_options or {}, format=format,
            format_options=format_options or {},
        )

    # -- errors ---------------------------------------------------------------------------
    def errorsCount(self) -> int:  # noqa: N802
        """Error records of this frame's Map/Filter stages and of every stage before them."""
        return sum(e.count() for e in self._all_errors())

    def stageErrorsCount(self) -> int:  # noqa: N802
        """Error records of the transformation that produced this frame."""
        return self._stage_errors.count() if self._stage_errors else 0

    def errorsAsDynamicFrame(self) -> DynamicFrame:  # noqa: N802
        """The error records up to this frame: ``error`` (``msg``, ``info``,
        ``transformation_ctx``) and the failing ``record`` as JSON."""
        frames = [e.frame() for e in self._all_errors()]
        if not frames:
            frames = [self.glue_ctx.spark_session.createDataFrame([], ERROR_SCHEMA)]
        df = frames[0]
        for other in frames[1:]:
            df = df.unionByName(other)
        return DynamicFrame(df, self.glue_ctx, self.name + "_errors")

    def assertErrorThreshold(self) -> None:  # noqa: N802
        return None


ERROR_SCHEMA = T.StructType([
    T.StructField("error", T.StructType([
        T.StructField("msg", T.StringType(), True),
        T.StructField("info", T.StringType(), True),
        T.StructField("transformation_ctx", T.StringType(), True),
    ]), True),
    T.StructField("record", T.StringType(), True),
])


class GlueThresholdError(Exception):
    """More error records than ``stageThreshold``/``totalThreshold`` allow: the job stops."""


class _ErrorSource:
    """Error records of one Map/Filter stage, computed when asked (their count once)."""

    def __init__(self, glue_ctx: Any, rows: Callable[[], Any], info: str, ctx: str,
                 known_count: int | None = None) -> None:
        self._glue_ctx, self._rows, self.info, self.ctx = glue_ctx, rows, info, ctx
        self._count = known_count

    def count(self) -> int:
        if self._count is None:
            self._count = self._rows().count()
        return self._count

    def frame(self) -> DataFrame:
        info, ctx = self.info, self.ctx

        def as_error(t: tuple[Any, str]) -> tuple[Any, str]:
            row, message = t
            record = json.dumps(row.asDict(recursive=True), default=str)
            return (message, info, ctx), record

        rdd = self._rows().map(as_error)
        return self._glue_ctx.spark_session.createDataFrame(rdd, ERROR_SCHEMA)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class DynamicFrameCollection:
    """Named DynamicFrames, as returned by split and relationalize transforms."""

    def __init__(self, dynamic_frames: dict[str, DynamicFrame] | list[DynamicFrame], glue_ctx: Any) -> None:
        self._glue_ctx = glue_ctx
        if isinstance(dynamic_frames, list):
            self._df_dict = {df.name: df for df in dynamic_frames}
        elif isinstance(dynamic_frames, dict):
            self._df_dict = dict(dynamic_frames)
        else:
            raise TypeError("dynamic_frames must be list or dict.")

    def __getitem__(self, key: str) -> DynamicFrame:
        return self._df_dict[key]

    def __len__(self) -> int:
        return len(self._df_dict)

    def __iter__(self) -> Iterable[str]:
        return iter(self._df_dict)

    def keys(self) -> Any:
        return self._df_dict.keys()

    def values(self) -> Any:
        return self._df_dict.values()

    def items(self) -> Any:
        return self._df_dict.items()

    def select(self, key: str, transformation_ctx: str = "") -> DynamicFrame:
        if key in self._df_dict:
            return self._df_dict[key]
        empty = self._glue_ctx.spark_session.createDataFrame([], T.StructType([]))
        return DynamicFrame(empty, self._glue_ctx, key)

    def map(self, callable: Callable[[DynamicFrame, str], DynamicFrame],  # noqa: A002
            transformation_ctx: str = "") -> DynamicFrameCollection:
        new = {}
        for key, frame in self._df_dict.items():
            res = callable(frame, transformation_ctx + ":" + key)
            if not isinstance(res, DynamicFrame):
                raise TypeError(f"callable must return a DynamicFrame. Got {type(res)}")
            new[key] = res
        return DynamicFrameCollection(new, self._glue_ctx)

    def flatmap(self, f: Callable[[DynamicFrame, str], Any], transformation_ctx: str = "") -> DynamicFrameCollection:
        new: dict[str, DynamicFrame] = {}
        for frame in self._df_dict.values():
            res = f(frame, transformation_ctx + ":" + frame.name)
            if isinstance(res, DynamicFrame):
                new[res.name] = res
            elif isinstance(res, DynamicFrameCollection):
                new.update(res._df_dict)
            else:
                raise TypeError(
                    f"Function argument to flatmap must return DynamicFrame or "
                    f"DynamicFrameCollection. Got {type(res)}"
                )
        return DynamicFrameCollection(new, self._glue_ctx)


class DynamicFrameReader:
    """``glue_context.create_dynamic_frame``."""

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_rdd(self, data: Any, name: str, schema: Any = None, sampleRatio: Any = None) -> DynamicFrame:  # noqa: N803
        return self._glue_context.create_dynamic_frame_from_rdd(data, name, schema, sampleRatio)

    def from_options(self, connection_type: str, connection_options: dict | None = None,
                     format: str | None = None, format_options: dict | None = None,  # noqa: A002
                     transformation_ctx: str = "", push_down_predicate: str = "",
                     **kwargs: Any) -> DynamicFrame:
        return self._glue_context.create_dynamic_frame_from_options(
            connection_type, connection_options or {}, format, format_options or {},
            transformation_ctx, push_down_predicate, **kwargs,
        )

    def from_catalog(self, database: str | None = None, table_name: str | None = None,
                     redshift_tmp_dir: str = "", transformation_ctx: str = "",
                     push_down_predicate: str = "", additional_options: dict | None = None,
                     catalog_id: str | None = None, **kwargs: Any) -> DynamicFrame:
        return self._glue_context.create_dynamic_frame_from_catalog(
            database, table_name, redshift_tmp_dir, transformation_ctx, push_down_predicate,
            additional_options or {}, catalog_id, **kwargs
        )


class DynamicFrameWriter:
    """``glue_context.write_dynamic_frame``."""

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_options(self, frame: DynamicFrame, connection_type: str, connection_options: dict | None = None,
                     format: str | None = None, format_options: dict | None = None,  # noqa: A002
                     transformation_ctx: str = "") -> DynamicFrame:
        return self._glue_context.write_dynamic_frame_from_options(
            frame, connection_type, connection_options or {}, format, format_options or {},
            transformation_ctx,
        )

    def from_catalog(self, frame: DynamicFrame, database: str | None = None, table_name: str | None = None,
                     redshift_tmp_dir: str = "", transformation_ctx: str = "",
                     additional_options: dict | None = None, catalog_id: str | None = None,
                     **kwargs: Any) -> DynamicFrame:
        return self._glue_context.write_dynamic_frame_from_catalog(
            frame, database, table_name, redshift_tmp_dir, transformation_ctx,
            additional_options or {}, catalog_id, **kwargs
        )

    def from_jdbc_conf(self, frame: DynamicFrame, catalog_connection: str,
                       connection_options: dict | None = None, redshift_tmp_dir: str = "",
                       transformation_ctx: str = "") -> Any:
        return self._glue_context.write_dynamic_frame_from_jdbc_conf(
            frame, catalog_connection, connection_options or {}, redshift_tmp_dir,
            transformation_ctx,
        )


# -- helpers ------------------------------------------------------------------------------
_SQL_OPS = {">": ">", "<": "<", ">=": ">=", "<=": "<=", "=": "=", "==": "=", "!=": "!="}


def _sql_literal(value: Any) -> str | None:
    """``value`` as a Spark SQL literal of the type ``F.lit`` would give it, or None."""
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return str(value)
        return f"{value}L" if -(2**63) <= value < 2**63 else None
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)" if math.isfinite(value) else None
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return None


def _split_sql(comparison_dict: dict[str, dict[str, Any]]) -> str | None:
    """``split_rows``' predicate as SQL (null counts as false), or None if a value has no
    plain SQL literal."""
    terms = []
    for path, comparisons in comparison_dict.items():
        parts = _paths.parse(path)
        if _paths.ARRAY in parts:
            return None
        for op, value in comparisons.items():
            literal = _sql_literal(value)
            if literal is None:
                return None
            terms.append(f"({_paths.sql(parts)} {_SQL_OPS[op]} {literal})")
    return f"coalesce({' AND '.join(terms) or 'true'}, false)"


def _exact_type(schema: T.StructType, parts: list[str]) -> T.DataType | None:
    current: T.DataType = schema
    for part in parts:
        if not isinstance(current, T.StructType) or part not in current.fieldNames():
            return None
        current = current[part].dataType
    return current


def _chain(parts: list[str], leaf: str, value: Column) -> Column:
    inner = F.struct(value.alias(leaf))
    for part in reversed(parts):
        inner = F.struct(inner.alias(part))
    return inner


def _resolve(df: DataFrame, path: str, action: str, database: str | None, table_name: str | None,
             catalog_id: str | None) -> DataFrame:
    parts = _paths.parse(path)
    current = _paths.field_type(df.schema, parts)
    if current is None:
        return df
    act = action.strip()
    kind, _, arg = act.partition(":")
    kind = kind.lower()
    if kind == "cast":
        dtype = spark_type(arg)
        if dtype is None:
            raise ValueError(f"resolveChoice: cannot cast to {arg!r}")
        return _paths.update(df, parts, lambda c: _choice.cast(c, dtype))
    if kind == "project":
        return _paths.update(df, parts, lambda c: _choice.project(c, current, arg))
    if kind in {"make_cols", "make_struct"}:
        if not isinstance(current, T.StringType) or _paths.ARRAY in parts:
            return df  # not a choice locally
        kinds = _choice.members(df, [parts])[".".join(parts)]
        if len(kinds) < 2:
            return df
        if kind == "make_struct":
            return _paths.update(df, parts, lambda c: F.struct(
                *[_choice.as_member(c, k).alias(k) for k in kinds]
            ))
        return _make_cols(df, parts, kinds)
    if kind == "match_catalog":
        from kit.runtime.catalog import get_table

        if not database or not table_name:
            raise ValueError("match_catalog needs database= and table_name=")
        table = get_table(database, table_name, catalog_id)
        types = {n.lower(): t for n, t in table.columns + table.partition_keys}
        glue_type = types.get(parts[-1].lower())
        if glue_type is None:
            return df
        dtype = spark_type(glue_type)
        return _paths.update(df, parts, lambda c: _compat.convert(c, dtype.simpleString())) if dtype else df
    raise ValueError(
        f"resolveChoice action {action!r}: use cast:TYPE, project:TYPE, make_cols, make_struct "
        "or match_catalog"
    )


def _make_cols(df: DataFrame, parts: list[str], kinds: list[str]) -> DataFrame:
    leaf = parts[-1]
    if len(parts) == 1:
        name = _paths.real_name(df.schema, leaf)
        cols = []
        for c in df.columns:
            if c == name:
                cols += [_choice.as_member(_paths.top(c), k).alias(f"{c}_{k}") for k in kinds]
            else:
                cols.append(_paths.top(c))
        return df.select(*cols)
    parent = _paths.field_type(df.schema, parts[:-1])
    assert isinstance(parent, T.StructType)

    def rebuilt(c: Column) -> Column:
        fields = []
        for f in parent.fields:
            if f.name.lower() == leaf.lower():
                fields += [_choice.as_member(c.getField(f.name), k).alias(f"{f.name}_{k}")
                           for k in kinds]
            else:
                fields.append(c.getField(f.name).alias(f.name))
        return F.struct(*fields)

    return _paths.update(df, parts[:-1], rebuilt)


def _infer_schema(tagged: Any, previous: T.StructType) -> tuple[T.StructType, int]:
    """Schema of mapped records (merged over all records; unchanged fields keep their type)
    and the number of error records, in one pass."""
    from pyspark.sql.types import _infer_schema as infer_one
    from pyspark.sql.types import _merge_type

    def infer(t: tuple[bool, Any]) -> tuple[T.StructType | None, int]:
        ok, rec = t
        return (infer_one(rec, infer_dict_as_struct=True), 0) if ok else (None, 1)

    def merge(a: tuple[Any, int], b: tuple[Any, int]) -> tuple[Any, int]:
        if a[0] is None or b[0] is None:
            return (a[0] or b[0]), a[1] + b[1]
        return _merge_type(a[0], b[0]), a[1] + b[1]

    if tagged.isEmpty():
        return previous, 0
    inferred, errors = tagged.map(infer).reduce(merge)
    if inferred is None:
        return previous, errors
    old = {f.name: f for f in previous.fields}
    order = {f.name: i for i, f in enumerate(previous.fields)}
    ranked = sorted(inferred.fields, key=lambda f: order.get(f.name, len(order)))
    fields = []
    for f in ranked:
        before = old.get(f.name)
        if before is not None and _compatible(before.dataType, f.dataType):
            fields.append(T.StructField(f.name, before.dataType, True))
        else:
            fields.append(T.StructField(f.name, _nullable(f.dataType), True))
    return T.StructType(fields), errors


def _compatible(before: T.DataType, inferred: T.DataType) -> bool:
    if isinstance(inferred, T.NullType):
        return True
    integral = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
    if isinstance(before, integral) and isinstance(inferred, T.LongType):
        return True
    if isinstance(before, T.FloatType) and isinstance(inferred, T.DoubleType):
        return True
    if isinstance(before, T.StructType) and isinstance(inferred, T.StructType):
        names = {f.name for f in before.fields}
        return all(
            f.name in names and _compatible(before[f.name].dataType, f.dataType)
            for f in inferred.fields
        ) and len(names) == len(inferred.fields)
    if isinstance(before, T.ArrayType) and isinstance(inferred, T.ArrayType):
        return _compatible(before.elementType, inferred.elementType)
    return before == inferred or before.simpleString() == inferred.simpleString()


def _nullable(dtype: T.DataType) -> T.DataType:
    if isinstance(dtype, T.NullType):
        return T.StringType()
    if isinstance(dtype, T.StructType):
        return T.StructType([T.StructField(f.name, _nullable(f.dataType), True) for f in dtype.fields])
    if isinstance(dtype, T.ArrayType):
        return T.ArrayType(_nullable(dtype.elementType), True)
    return dtype
