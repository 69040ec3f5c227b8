"""Arrow-batched ``Map`` and ``Filter``: the user's function runs once per record, in batches.

Why: the Row-by-Row RDD path pickles every record to and from Python and, for ``Map``, needs a
second pass over the data to learn the schema of the mapped records. Here Spark hands Python
Arrow batches (``mapInArrow``); each becomes DynamicRecords, the function runs, and ``Map``'s
outputs go back as an Arrow batch whose schema pyarrow infers from *all* of that batch's records.
Only the batch schemas travel to the driver; the batches themselves (Arrow IPC bytes) stay cached
in Spark. The driver merges the batch schemas into the frame's schema (a DynamicFrame is
self-describing: fields and types a function adds just appear) and a second, vectorized pass casts
each cached batch to it. Nothing is guessed from a sample, so no record is lost or mistyped;
outputs Arrow cannot hold make ``Map`` fall back to the exact Row path.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.gluetypes import DynamicRecord, _revert_to_dict

NO_RECORD = "User-specified function returned None instead of DynamicRecord"

# One row per input batch: the mapped batch (Arrow IPC stream), its schema, its error count,
# and whether Arrow could hold the outputs at all.
STAGE = T.StructType([
    T.StructField("batch", T.BinaryType(), True),
    T.StructField("schema", T.BinaryType(), True),
    T.StructField("errors", T.LongType(), True),
    T.StructField("exact", T.BooleanType(), True),
])

_ATOMIC = (T.StringType, T.BinaryType, T.BooleanType, T.ByteType, T.ShortType, T.IntegerType,
           T.LongType, T.FloatType, T.DoubleType, T.DecimalType, T.DateType, T.TimestampNTZType,
           T.NullType)
_CONVERSION_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, OverflowError)


def available(sc: Any, schema: T.StructType) -> bool:
    """True when the Python workers run this interpreter (with pyarrow) and every input type
    reaches Python through Arrow as the Row path would hand it over."""
    import os
    import shutil
    import sys

    worker = getattr(sc, "pythonExec", None) or "python3"
    worker = shutil.which(worker) or worker
    if os.path.realpath(worker) != os.path.realpath(sys.executable):
        return False
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False

    def ok(dtype: T.DataType, top: bool) -> bool:
        if isinstance(dtype, T.TimestampType):
            return top  # top-level timestamps are made naive local time, as Rows give them
        if isinstance(dtype, T.StructType):
            return all(ok(f.dataType, False) for f in dtype.fields)
        if isinstance(dtype, T.ArrayType):
            return ok(dtype.elementType, False)
        return isinstance(dtype, _ATOMIC)  # maps arrive as lists of pairs: Row path

    names = schema.fieldNames()
    return len(set(names)) == len(names) and all(ok(f.dataType, True) for f in schema.fields)


def records(batch: Any) -> list[DynamicRecord]:
    """The batch's rows as DynamicRecords: structs are DynamicRecords too, arrays lists, and
    timestamps naive local date-times (what ``Row`` objects hold)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in batch.columns:
        kind = column.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            column = pc.local_timestamp(column)
        values = column.to_pylist()
        if _nested(kind):
            values = [_record(v) for v in values]
        columns.append(values)
    names = batch.schema.names
    return [DynamicRecord(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else [
        DynamicRecord() for _ in range(batch.num_rows)]


def _nested(kind: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_struct(kind) or pa.types.is_list(kind) or pa.types.is_large_list(kind)


def _record(value: Any) -> Any:
    if isinstance(value, dict):
        return DynamicRecord((k, _record(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_record(v) for v in value]
    return value


# -- Filter --------------------------------------------------------------------------------
def filter_batches(f: Callable[[Any], Any]) -> Callable[[Iterable[Any]], Iterator[Any]]:
    """``mapInArrow`` function keeping the rows whose record ``f`` accepts (any exception is
    false here; error records are computed on their own when asked)."""
    def run(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            try:  # the common case in one C loop: no exception, the function returns bools
                mask = pa.array(list(map(f, records(batch))), type=pa.bool_())
            except Exception:  # noqa: BLE001 - again record by record, on fresh records
                mask = pa.array([_accepts(f, r) for r in records(batch)], type=pa.bool_())
            yield batch.filter(mask)

    return run


def _accepts(f: Callable[[Any], Any], record: Any) -> bool:
    try:
        return bool(f(record))
    except Exception:  # noqa: BLE001 - false; error records are counted by their own pass
        return False


# -- Map -----------------------------------------------------------------------------------
def map_frame(df: DataFrame, f: Callable[[Any], Any]) -> tuple[DataFrame, int] | None:
    """``df`` mapped through ``f`` and its number of error records; None when some output does
    not fit Arrow (the caller then takes the exact Row path)."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import to_arrow_type

    spark = df.sparkSession
    tz = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    stage = df.mapInArrow(_map_batches(f), STAGE).persist(StorageLevel.MEMORY_AND_DISK)
    meta = stage.select("schema", "errors", "exact").collect()
    merged: dict[str, Any] = {}
    exact = all(row.exact for row in meta)
    for row in meta if exact else []:
        if row.schema is None:
            continue
        for field in pa.ipc.read_schema(pa.py_buffer(row.schema)):
            kind = merge(merged[field.name], field.type) if field.name in merged else field.type
            if kind is None:
                exact = False
                break
            merged[field.name] = kind
    if not exact:
        stage.unpersist(blocking=False)
        return None
    errors = sum(row.errors for row in meta)
    schema = frame_schema(df.schema, merged) if merged else df.schema
    target = pa.schema([pa.field(f.name, to_arrow_type(f.dataType), True) for f in schema.fields])
    batches = stage.where(F.col("batch").isNotNull()).select("batch")
    out = batches.mapInArrow(_fit_batches(target, tz), schema)
    weakref.finalize(out, _release, stage).atexit = False
    return out, errors


def _release(stage: DataFrame) -> None:
    try:
        stage.unpersist(blocking=False)
    except Exception:  # noqa: BLE001, S110 - the session may be gone; nothing is left to free
        pass


def _map_batches(f: Callable[[Any], Any]) -> Callable[[Iterable[Any]], Iterator[Any]]:
    def run(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa
        from pyspark.sql.pandas.types import to_arrow_schema

        stage_type = to_arrow_schema(STAGE)
        for batch in batches:
            outs, errors = _apply(f, batch)
            mapped = outputs(outs, batch.schema) if outs else None
            blob = kind = None
            if mapped is not None:
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, mapped.schema) as writer:
                    writer.write_batch(mapped)
                blob = sink.getvalue().to_pybytes()
                kind = mapped.schema.serialize().to_pybytes()
            exact = mapped is not None or not outs
            yield pa.RecordBatch.from_arrays(
                [pa.array([blob], pa.binary()), pa.array([kind], pa.binary()),
                 pa.array([errors], pa.int64()), pa.array([exact], pa.bool_())],
                schema=stage_type,
            )

    return run


def _apply(f: Callable[[Any], Any], batch: Any) -> tuple[list[dict[str, Any]], int]:
    """The function's records for the batch's records, and how many failed (raised or gave
    nothing)."""
    try:  # the common case in one C loop: every call returns a non-empty dict
        outs = list(map(f, records(batch)))
        if all(outs) and set(map(type, outs)) <= {DynamicRecord, dict}:
            return outs, 0
    except Exception:  # noqa: BLE001, S110 - again record by record, on fresh records
        pass
    outs, errors = [], 0
    for record in records(batch):
        try:
            out = _revert_to_dict(f(record))
        except Exception:  # noqa: BLE001 - an error record (its message comes later)
            errors += 1
            continue
        if not out:
            errors += 1
            continue
        outs.append(out)
    return outs, errors


def outputs(outs: list[dict[str, Any]], source: Any) -> Any:
    """Mapped records as one Arrow batch: every key of every record, types inferred from all of
    them, kept at the source field's type where the values fit it; None if Arrow cannot hold
    them. A field holding both numbers and strings is a choice: its values as text, as choices
    are locally (see ``_choice``)."""
    import pyarrow as pa

    arrow_errors = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError,
                    *_CONVERSION_ERRORS)
    columns: dict[str, Any] = {}
    try:
        whole = pa.array(outs)
        columns = {whole.type.field(i).name: whole.field(i) for i in range(whole.type.num_fields)}
        if len(columns) != whole.type.num_fields:
            return None
    except arrow_errors:
        for name in dict.fromkeys(chain.from_iterable(outs)):
            if not isinstance(name, str):
                return None
            values = [o.get(name) for o in outs]
            try:
                columns[name] = pa.array(values)
            except arrow_errors:
                kinds = {type(v) for v in values} - {type(None)}
                if not kinds <= {int, float, bool, str}:
                    return None
                columns[name] = pa.array([_text(v) for v in values], pa.string())
    if any(not isinstance(name, str) for name in columns):
        return None
    arrays = []
    for name, column in columns.items():
        want = source.field(name).type if name in source.names else None
        kind = conform(column.type, want)
        if kind != column.type:
            try:
                column = fit(column, kind, getattr(want, "tz", None) or "UTC")
            except arrow_errors:
                pass  # values outside the source type (an int past 32 bits): keep what they are
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def conform(inferred: Any, want: Any) -> Any:
    """``inferred`` with the source field's type where they are the same kind of value (an
    unchanged ``int`` field stays ``int``, not the ``long`` Python ints infer as)."""
    import pyarrow as pa

    t = pa.types
    if want is None:
        return inferred
    if t.is_null(inferred):
        return want
    same = [(t.is_integer, t.is_integer), (t.is_floating, t.is_floating),
            (t.is_timestamp, t.is_timestamp), (t.is_decimal, t.is_decimal),
            (t.is_string, t.is_string), (t.is_binary, t.is_binary)]
    if any(a(inferred) and b(want) for a, b in same):
        return want
    if t.is_struct(inferred) and t.is_struct(want):
        wanted = {want.field(i).name: want.field(i).type for i in range(want.num_fields)}
        return pa.struct([pa.field(f.name, conform(f.type, wanted.get(f.name)), True)
                          for f in (inferred.field(i) for i in range(inferred.num_fields))])
    if t.is_list(inferred) and t.is_list(want):
        return pa.list_(conform(inferred.value_type, want.value_type))
    return inferred


def merge(a: Any, b: Any) -> Any:
    """One type for a field typed ``a`` in some batches and ``b`` in others, or None (Arrow
    cannot hold both). Numbers widen; a number/boolean/string mix is a choice (text)."""
    import pyarrow as pa

    t = pa.types
    if a == b:
        return a
    if t.is_null(a):
        return b
    if t.is_null(b):
        return a
    if t.is_integer(a) and t.is_integer(b):
        return a if a.bit_width >= b.bit_width else b
    if (t.is_floating(a) or t.is_integer(a)) and (t.is_floating(b) or t.is_integer(b)):
        return pa.float64()
    scalar = [t.is_integer, t.is_floating, t.is_boolean, t.is_string]
    if any(s(a) for s in scalar) and any(s(b) for s in scalar):
        return pa.string()
    if t.is_struct(a) and t.is_struct(b):
        fields = {a.field(i).name: a.field(i).type for i in range(a.num_fields)}
        for i in range(b.num_fields):
            field = b.field(i)
            kind = merge(fields[field.name], field.type) if field.name in fields else field.type
            if kind is None:
                return None
            fields[field.name] = kind
        return pa.struct([pa.field(n, k, True) for n, k in fields.items()])
    if t.is_list(a) and t.is_list(b):
        inner = merge(a.value_type, b.value_type)
        return None if inner is None else pa.list_(inner)
    return None


def frame_schema(previous: T.StructType, merged: dict[str, Any]) -> T.StructType:
    """The mapped frame's schema: the source's fields first (at their type when unchanged),
    then new fields in the order records first had them; fields only ever null are strings."""
    from pyspark.sql.pandas.types import from_arrow_type

    old = {f.name: f for f in previous.fields}
    order = {name: i for i, name in enumerate(old)}
    fields = []
    for name in sorted(merged, key=lambda n: order.get(n, len(order))):
        before = old.get(name)
        ntz = before is not None and isinstance(before.dataType, T.TimestampNTZType)
        dtype = from_arrow_type(merged[name], prefer_timestamp_ntz=ntz)
        if before is not None and before.dataType.simpleString() == dtype.simpleString():
            dtype = before.dataType
        fields.append(T.StructField(name, _strings_for_nulls(dtype), True))
    return T.StructType(fields)


def _strings_for_nulls(dtype: T.DataType) -> T.DataType:
    if isinstance(dtype, T.NullType):
        return T.StringType()
    if isinstance(dtype, T.StructType):
        return T.StructType([T.StructField(f.name, _strings_for_nulls(f.dataType), True)
                             for f in dtype.fields])
    if isinstance(dtype, T.ArrayType):
        return T.ArrayType(_strings_for_nulls(dtype.elementType), True)
    return dtype


def _fit_batches(target: Any, tz: str) -> Callable[[Iterable[Any]], Iterator[Any]]:
    def run(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            for blob in batch.column(0).to_pylist():
                with pa.ipc.open_stream(pa.py_buffer(blob)) as reader:
                    for mapped in reader:
                        names = mapped.schema.names
                        yield pa.RecordBatch.from_arrays([
                            fit(mapped.column(names.index(f.name)), f.type, tz)
                            if f.name in names else pa.nulls(mapped.num_rows, f.type)
                            for f in target
                        ], schema=target)

    return run


def fit(array: Any, target: Any, tz: str) -> Any:
    """``array`` converted to ``target`` (a supertype from ``merge``): missing struct fields
    become null, naive date-times are local time in ``tz``; a value that does not fit raises."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = pa.types
    kind = array.type
    if kind == target:
        return array
    if t.is_null(kind):
        return pa.nulls(len(array), target)
    mask = array.is_null() if array.null_count else None
    if t.is_struct(kind) and t.is_struct(target):
        names = [kind.field(i).name for i in range(kind.num_fields)]
        children = array.flatten()
        fields = [target.field(i) for i in range(target.num_fields)]
        return pa.StructArray.from_arrays([
            fit(children[names.index(f.name)], f.type, tz) if f.name in names
            else pa.nulls(len(array), f.type) for f in fields
        ], fields=fields, mask=mask)
    if t.is_list(kind) and t.is_list(target):
        values = fit(array.values, target.value_type, tz)
        return pa.ListArray.from_arrays(array.offsets, values, type=target, mask=mask)
    if t.is_timestamp(kind) and t.is_timestamp(target) and kind.tz is None and target.tz:
        array = pc.assume_timezone(array, tz, ambiguous="earliest", nonexistent="earliest")
    return array.cast(target)
