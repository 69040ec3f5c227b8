"""Reading and writing files as Glue's S3 sources and sinks do, on local (or s3-mapped) paths."""

from __future__ import annotations

import fnmatch
import json
import os
import re
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from kit.runtime import bookmarks, s3local, s3mount

FORMATS = {"csv", "json", "parquet", "orc", "avro", "glueparquet", "text"}


def _opt(options: dict[str, Any], *names: str, default: Any = None) -> Any:
    """Option lookup by any of ``names``, case-insensitively (Glue accepts both spellings)."""
    lowered = {str(k).lower(): v for k, v in (options or {}).items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return default


opt = _opt


def has_files(path: str) -> bool:
    """True when ``path`` (s3:// mapped locally) exists and holds at least one data file."""
    local = s3local.to_local(path)
    return os.path.exists(local) and bool(s3local.data_files(local, recurse=True))


def mount(spark: SparkSession, paths: list[str]) -> None:
    """Serve the s3:// buckets of ``paths`` from the object root (plain Spark reads them)."""
    s3mount.mount_paths(spark.sparkContext, paths)


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes"}


def _norm_format(fmt: str | None) -> str:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"format {fmt!r} is not supported by kit's local Glue layer; use one of "
            "csv, json, parquet, orc"
        )
    return "parquet" if fmt == "glueparquet" else fmt


def source_paths(connection_options: dict[str, Any]) -> list[str]:
    paths = connection_options.get("paths") or connection_options.get("path") or []
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise ValueError("connection_options must give 'paths' (a list of s3:// or local paths)")
    return list(paths)


def _exclusions(connection_options: dict[str, Any]) -> list[str]:
    """Glue's ``exclusions``: a JSON list (as a string) of Unix-style glob patterns."""
    raw = _opt(connection_options, "exclusions")
    if not raw:
        return []
    patterns = json.loads(raw) if isinstance(raw, str) else list(raw)
    return [str(p) for p in patterns]


def _excluded(file: str, src: str, local: str, patterns: list[str]) -> bool:
    """True when ``file`` matches a pattern as an s3/original path, a relative path or a name."""
    if not patterns:
        return False
    base = local.rstrip("/")
    rel = os.path.relpath(file, base) if os.path.isdir(base) else os.path.basename(file)
    original = (src.rstrip("/") + "/" + rel) if os.path.isdir(base) else src
    candidates = {file, rel, original, os.path.basename(file)}
    return any(fnmatch.fnmatchcase(c, p) for p in patterns for c in candidates)


def read(
    spark: SparkSession,
    connection_options: dict[str, Any],
    fmt: str | None,
    format_options: dict[str, Any] | None = None,
    transformation_ctx: str = "",
) -> DataFrame:
    """Read the files under ``paths``; with an active job bookmark only files not yet processed."""
    fmt = _norm_format(fmt)
    format_options = dict(format_options or {})
    originals = source_paths(connection_options)
    s3mount.mount_paths(spark.sparkContext, originals)
    local = s3local.to_local_all(originals)
    s3local.require_exists(originals, local)
    recurse = _flag(_opt(connection_options, "recurse", default=False))
    exclusions = _exclusions(connection_options)
    files: list[str] = []
    uris: dict[str, str] = {}  # local file -> the path Spark reads (s3:// stays s3://)
    for src, path in zip(originals, local, strict=True):
        found = s3local.data_files(path, recurse=recurse)
        kept = [f for f in found if not _excluded(f, src, path, exclusions)]
        files += kept
        uris.update((f, s3local.to_uri(f, src)) for f in kept)
    bookmark = bookmarks.active()
    if bookmark is not None:
        files = bookmark.select(transformation_ctx, files)
    if not files:
        return spark.createDataFrame([], StructType([]))
    # Spark reads s3 sources through their s3:// URIs (served from the object root by
    # kit.runtime.s3mount), so input_file_name() names the S3 object, as on Glue.
    files = [uris.get(f, f) for f in files]
    reader = spark.read
    base = local[0].rstrip("/")
    if len(local) == 1 and os.path.isdir(base):
        reader = reader.option("basePath", s3local.to_uri(base, originals[0]))
    if fmt == "csv":
        header = _flag(_opt(format_options, "withHeader", default=False))
        reader = (
            reader.option("header", header)
            .option("inferSchema", True)
            .option("sep", _opt(format_options, "separator", default=","))
            .option("multiLine", _flag(_opt(format_options, "multiLine", "multiline", default=False)))
        )
        quote = _opt(format_options, "quoteChar", default='"')
        reader = reader.option("quote", "\u0000" if str(quote) == "-1" else quote)
        escaper = _opt(format_options, "escaper")
        if escaper:
            reader = reader.option("escape", escaper)
        df = reader.csv(files)
        if not header:
            df = df.toDF(*[f"col{i}" for i in range(len(df.columns))])
        if _flag(_opt(format_options, "skipFirst", default=False)):
            df = df.offset(1)
        return df
    if fmt == "json":
        reader = reader.option(
            "multiLine", _flag(_opt(format_options, "multiLine", "multiline", default=False))
        )
        return _json_path(reader.json(files), _opt(format_options, "jsonPath"))
    if fmt == "text":
        return reader.text(files)
    if fmt == "avro":
        raise ValueError("avro needs the spark-avro package, which kit's local runtime does not ship")
    return reader.format(fmt).load(files)


_JSON_PATH = re.compile(r"^\$((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\[\*\])?$")


def _json_path(df: DataFrame, json_path: str | None) -> DataFrame:
    """Glue's ``jsonPath`` format option: records are the objects at that path.

    ``$.a.b`` takes the object at ``a.b``; ``$.a.b[*]`` makes each element of the array at
    ``a.b`` a record (``$[*]``: Spark already reads a top-level array as one record per element).
    """
    if not json_path or json_path.strip() in ("$", "$[*]") or not df.columns:
        return df
    found = _JSON_PATH.match(json_path.strip())
    if not found or not found.group(1):
        raise ValueError(
            f"jsonPath {json_path!r} is not supported by kit's local Glue layer; use $.a.b or "
            "$.a.b[*]"
        )
    from pyspark.sql import functions as F

    names = found.group(1).lstrip(".").split(".")
    value = F.col(f"`{names[0]}`")
    for name in names[1:]:
        value = value.getField(name)
    picked = df.select((F.explode(value) if found.group(2) else value).alias("record"))
    picked = picked.where(F.col("record").isNotNull())
    if not isinstance(picked.schema["record"].dataType, StructType):
        raise ValueError(f"jsonPath {json_path!r} does not point at JSON objects")
    return picked.select("record.*")


def write(
    df: DataFrame,
    connection_options: dict[str, Any],
    fmt: str | None,
    format_options: dict[str, Any] | None = None,
) -> str | None:
    """Append ``df`` under ``connection_options['path']`` (Glue sinks never overwrite)."""
    fmt = _norm_format(fmt or "json")
    format_options = dict(format_options or {})
    path = connection_options.get("path")
    if not path:
        raise ValueError("connection_options must give 'path' for an s3/file sink")
    if not df.columns:
        return None  # Glue writes nothing for an empty frame with no fields
    s3mount.mount_paths(df.sparkSession.sparkContext, [path])
    local = s3local.to_local(path)
    writer = df.write.mode("append")
    keys = connection_options.get("partitionKeys") or []
    if keys:
        writer = writer.partitionBy(*keys)
    compression = _opt(format_options, "compression") or _opt(connection_options, "compression")
    if compression:
        writer = writer.option("compression", str(compression).lower())
    if fmt == "csv":
        quote = _opt(format_options, "quoteChar", default='"')
        writer = (
            writer.option("header", _flag(_opt(format_options, "writeHeader", default=True)))
            .option("sep", _opt(format_options, "separator", default=","))
            .option("quote", "\u0000" if str(quote) == "-1" else quote)
        )
        writer.csv(local)
    elif fmt == "json":
        writer.json(local)
    elif fmt == "text":
        writer.text(local)
    else:
        writer.format(fmt).save(local)
    return local
