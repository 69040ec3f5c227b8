"""``kit sample``: a small, deterministic, masked copy of a catalog table for local runs.

Reads the table through boto3 (Glue ``GetTable``/``GetPartitions``, S3 list/get), newest
partitions first, objects in key order, the first rows of each until ``rows`` are taken. Every
sampled object is written, masked, to the local object root at the same ``bucket/key`` (so the
table's own ``s3://`` location reads the sample locally), and the table with its sampled
partitions is registered in the local catalog: a Glue endpoint (``--to-endpoint-url``) or, with
none, ``<state>/catalog/DB.TABLE.json`` (GetTable's shape).

Masking is HMAC-SHA256 with a key kept in ``<state>/sample.key`` (created once, never printed):
the same value gives the same mask in every table, so joins still match. Columns marked PII in
the catalog (column parameter ``pii=true`` or table parameter ``kit:pii_columns``) are always
masked. A manifest in ``<state>/sample/`` makes an interrupted sample resume where it stopped.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.catalog.declaration import PII_PARAMETER, PII_TABLE_PARAMETER
from kit.errors import SampleRefused
from kit.fsutil import write_atomic
from kit.runtime.catalog import describe

_INTS = {"tinyint": 7, "smallint": 15, "int": 31, "integer": 31, "bigint": 63}
_TABLE_INPUT_KEYS = ("Name", "Description", "Owner", "Retention", "StorageDescriptor",
                     "PartitionKeys", "TableType", "Parameters")


@dataclass
class SampleResult:
    table: str
    rows: int
    bytes: int
    files: list[Path] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    reused: int = 0
    registered: str = ""


def mask_key(state_dir: Path) -> bytes:
    """The project's masking key (32 random bytes, file mode 0600), created on first use."""
    path = Path(state_dir) / "sample.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def masker(key: bytes, column_type: str, column: str) -> Callable[[Any], Any]:
    """A stable keyed mask for one column: hex text for strings, an integer for integer types."""
    base = column_type.split("(")[0].strip().lower()
    if base not in _INTS and base not in ("string", "varchar", "char"):
        raise SampleRefused(f"cannot mask column {column} of type {column_type}: kit masks "
                            "string and integer columns only")

    def digest(value: Any) -> bytes:
        return hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).digest()

    if base in _INTS:
        bits = _INTS[base]
        return lambda v: v if v in (None, "") else int.from_bytes(digest(v)[:8], "big") % (1 << bits)
    return lambda v: v if v in (None, "") else digest(v).hex()[:24]


def sample(
    database: str,
    table_name: str,
    *,
    rows: int,
    mask: list[str],
    state_dir: Path,
    object_root: Path,
    glue: Any,
    s3: Any,
    partition: str | None = None,
    max_bytes: int = 100 * 1024 * 1024,
    target_glue: Any = None,
    progress: Any = None,
) -> SampleResult:
    """Take the sample (see the module docstring); ``target_glue=None``: the local catalog file."""
    from botocore.exceptions import BotoCoreError, ClientError

    full = f"{database}.{table_name}"
    if rows < 1:
        raise SampleRefused("--rows must be at least 1")
    try:
        table = glue.get_table(DatabaseName=database, Name=table_name)["Table"]
        parts = _partitions(glue, database, table_name, table, partition)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise SampleRefused(f"cannot read {full}: {err.get('Code')}: {err.get('Message')}") from exc
    except BotoCoreError as exc:
        raise SampleRefused(f"cannot reach the Glue Data Catalog for {full}: {exc}") from exc
    sd = table.get("StorageDescriptor") or {}
    if not sd.get("Location"):
        raise SampleRefused(f"table {full} has no location: nothing to sample")
    fmt = describe(database, table)
    if fmt.format not in ("csv", "json", "parquet"):
        raise SampleRefused(f"table {full} is {fmt.format}: kit sample reads csv, json and parquet")
    columns = [*(sd.get("Columns") or [])]
    types = {c["Name"]: c.get("Type", "string") for c in columns}
    pii = _pii(table)
    part_names = {k["Name"] for k in table.get("PartitionKeys") or []}
    for col in sorted(set(mask) | pii):
        if col in part_names:
            raise SampleRefused(f"column {col} of {full} is a partition key: its values are in "
                                "the S3 paths and cannot be masked")
        if col not in types:
            raise SampleRefused(f"--mask {col}: {full} has no such column "
                                f"(columns: {', '.join(types)})")
    key = mask_key(state_dir)
    maskers = {c: masker(key, types[c], c) for c in sorted(set(mask) | pii)}

    settings = {"rows": rows, "mask": sorted(maskers), "partition": partition or ""}
    manifest_path = Path(state_dir) / "sample" / f"{full}.json"
    manifest = _read_manifest(manifest_path, settings)
    result = SampleResult(full, 0, 0, masked=sorted(maskers))
    sampled_parts: list[tuple[str, list[str] | None]] = []
    try:
        for location, values in parts:
            if result.rows >= rows:
                break
            before = result.rows
            for obj in _objects(s3, location):
                if result.rows >= rows:
                    break
                if progress:
                    progress(result.rows, rows)
                taken, size, reused = _one(obj, manifest, rows - result.rows, object_root, s3,
                                           fmt, maskers, columns)
                if result.bytes + size > max_bytes:
                    raise SampleRefused(
                        f"the sample of {full} would exceed --max-bytes {max_bytes} "
                        f"({result.bytes + size} bytes at s3://{obj['Bucket']}/{obj['Key']}); "
                        "lower --rows or raise --max-bytes"
                    )
                _commit(obj, manifest, manifest_path, taken, size, rows - result.rows,
                        object_root, reused)
                result.rows += taken
                result.bytes += size
                result.reused += reused
                result.files.append(Path(object_root) / obj["Bucket"] / obj["Key"])
            if values is not None and result.rows > before:
                sampled_parts.append((location, values))
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise SampleRefused(f"cannot read the data of {full}: {err.get('Code')}: "
                            f"{err.get('Message')}") from exc
    if progress:
        progress(result.rows, rows)
    result.registered = _register(table, database, sampled_parts, glue, target_glue, state_dir)
    return result


def _one(obj, manifest, want, object_root, s3, fmt, maskers, columns) -> tuple[int, int, int]:
    """(rows, bytes, reused) for one object: from the manifest when already sampled, else read."""
    target = Path(object_root) / obj["Bucket"] / obj["Key"]
    done = manifest["objects"].get(f"{obj['Bucket']}/{obj['Key']}")
    if done and done["etag"] == obj["ETag"] and done["want"] == want and target.is_file():
        return done["rows"], done["bytes"], 1
    body = s3.get_object(Bucket=obj["Bucket"], Key=obj["Key"])["Body"]
    data, taken = _take(fmt, body, want, maskers, columns)
    obj["_data"] = data
    return taken, len(data), 0


def _commit(obj, manifest, manifest_path, taken, size, want, object_root, reused) -> None:
    """Write one sampled object, then record it (the order that makes a rerun resume safely)."""
    if reused:
        return
    write_atomic(Path(object_root) / obj["Bucket"] / obj["Key"], obj.pop("_data"), durable=False)
    manifest["objects"][f"{obj['Bucket']}/{obj['Key']}"] = {
        "etag": obj["ETag"], "rows": taken, "bytes": size, "want": want,
    }
    write_atomic(manifest_path, json.dumps(manifest, indent=1), durable=False)


def _pii(table: dict[str, Any]) -> set[str]:
    sd = table.get("StorageDescriptor") or {}
    marked = {c["Name"] for c in (*(sd.get("Columns") or []), *(table.get("PartitionKeys") or []))
              if str((c.get("Parameters") or {}).get(PII_PARAMETER, "")).lower() == "true"}
    listed = (table.get("Parameters") or {}).get(PII_TABLE_PARAMETER, "")
    return marked | {c.strip() for c in listed.split(",") if c.strip()}


def _partitions(glue, database, name, table, expression) -> list[tuple[str, list[str] | None]]:
    """(location, values) to read, newest partitions first; the table itself when unpartitioned."""
    if not table.get("PartitionKeys"):
        if expression:
            raise SampleRefused(f"--partition: {database}.{name} has no partition keys")
        return [((table.get("StorageDescriptor") or {}).get("Location", ""), None)]
    kwargs: dict[str, Any] = {"DatabaseName": database, "TableName": name}
    if expression:
        kwargs["Expression"] = expression
    found = []
    for page in glue.get_paginator("get_partitions").paginate(**kwargs):
        for p in page.get("Partitions", []):
            found.append(((p.get("StorageDescriptor") or {}).get("Location", ""), p["Values"]))
    found.sort(key=lambda p: p[1], reverse=True)
    if not found:
        raise SampleRefused(f"{database}.{name} has no partitions"
                            + (f" matching {expression!r}" if expression else ""))
    return found


def _split(uri: str) -> tuple[str, str]:
    rest = uri.split("://", 1)[1]
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix


def _objects(s3, location: str) -> Iterator[dict[str, Any]]:
    """Data objects under ``location`` in key order (Hive/Spark markers ``_*``/``.*`` skipped)."""
    bucket, prefix = _split(location)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            name = obj["Key"].rsplit("/", 1)[-1]
            if not name or name.startswith(("_", ".")) or obj["Key"].endswith("/"):
                continue
            yield {"Bucket": bucket, "Key": obj["Key"], "ETag": obj.get("ETag", "")}


def _take(fmt, body, want: int, maskers: dict, columns: list[dict]) -> tuple[bytes, int]:
    """The first ``want`` rows of one object, masked, in the object's own format."""
    if fmt.format == "csv":
        return _take_csv(fmt, body, want, maskers, columns)
    if fmt.format == "json":
        return _take_json(body, want, maskers)
    return _take_parquet(body, want, maskers)


def _take_csv(fmt, body, want, maskers, columns) -> tuple[bytes, int]:
    sep = fmt.format_options.get("separator", ",")
    header = bool(fmt.format_options.get("withHeader"))
    lines = (line.decode("utf-8") for line in body.iter_lines(keepends=True))
    reader = csv.reader(lines, delimiter=sep)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    names = [c["Name"] for c in columns]
    if header:
        first = next(reader, None)
        if first is None:
            return b"", 0
        names = first
        writer.writerow(first)
    index = {i: maskers[n] for i, n in enumerate(names) if n in maskers}
    taken = 0
    for row in reader:
        if taken >= want:
            break
        writer.writerow([index[i](v) if i in index else v for i, v in enumerate(row)])
        taken += 1
    body.close()
    return out.getvalue().encode("utf-8"), taken


def _take_json(body, want, maskers) -> tuple[bytes, int]:
    out, taken = [], 0
    for line in body.iter_lines():
        if taken >= want:
            break
        if not line.strip():
            continue
        record = json.loads(line)
        for name, fn in maskers.items():
            if name in record:
                record[name] = fn(record[name])
        out.append(json.dumps(record, separators=(",", ":")))
        taken += 1
    body.close()
    return ("\n".join(out) + "\n").encode("utf-8") if out else b"", taken


def _take_parquet(body, want, maskers) -> tuple[bytes, int]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise SampleRefused("sampling a parquet table needs pyarrow: pip install pyarrow "
                            "(kit's environment has none by default)") from exc
    table = pq.read_table(io.BytesIO(body.read())).slice(0, want)
    for name, fn in maskers.items():
        if name in table.column_names:
            i = table.column_names.index(name)
            values = [fn(v) for v in table.column(i).to_pylist()]
            table = table.set_column(i, name, pa.array(values))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue(), table.num_rows


def _read_manifest(path: Path, settings: dict[str, Any]) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    if manifest.get("settings") != settings:
        return {"settings": settings, "objects": {}}
    return manifest


def _register(table, database, parts, glue, target_glue, state_dir) -> str:
    """Register the table (as the source has it) and its sampled partitions in the local catalog."""
    table_input = {k: table[k] for k in _TABLE_INPUT_KEYS if k in table}
    if target_glue is None:
        path = Path(state_dir) / "catalog" / f"{database}.{table['Name']}.json"
        doc = {"Table": {**table_input, "DatabaseName": database},
               "Partitions": [{"Values": v, "StorageDescriptor": {"Location": loc}}
                              for loc, v in parts]}
        write_atomic(path, json.dumps(doc, indent=1, default=str), durable=False)
        return str(path)
    client = target_glue
    try:
        client.get_database(Name=database)
    except client.exceptions.EntityNotFoundException:
        client.create_database(DatabaseInput={"Name": database})
    try:
        client.get_table(DatabaseName=database, Name=table["Name"])
        client.update_table(DatabaseName=database, TableInput=table_input)
    except client.exceptions.EntityNotFoundException:
        client.create_table(DatabaseName=database, TableInput=table_input)
    sd = table.get("StorageDescriptor") or {}
    for loc, values in parts:
        pin = {"Values": values, "StorageDescriptor": {**sd, "Location": loc}}
        try:
            client.create_partition(DatabaseName=database, TableName=table["Name"],
                                    PartitionInput=pin)
        except client.exceptions.AlreadyExistsException:
            pass
    return f"{client.meta.endpoint_url}: {database}.{table['Name']}"
