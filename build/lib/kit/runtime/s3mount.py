"""Plain Spark I/O on ``s3://`` paths, served from the local object root.

Glue scripts often bypass DynamicFrames: ``spark.read.parquet("s3://b/k")``,
``df.write.parquet("s3://b/out")``, ``CREATE TABLE ... LOCATION 's3://...'``. On Glue, EMRFS
serves those paths; locally Spark has no ``s3`` filesystem at all. Hadoop's
``ViewFileSystemOverloadScheme`` (in the hadoop-client jar that pyspark ships) serves a scheme
from a mount table named after the URI's authority, so kit mounts each bucket on
``<object root>/<bucket>`` for the ``s3``, ``s3a`` and ``s3n`` schemes: the same files the
awsglue layer reads and writes, with no extra jar.

A bucket must be mounted before Spark first touches it. kit mounts every folder of the object
root, every bucket named in the job's arguments or in the script's source when the
``GlueContext`` starts, and every bucket the layer reads or writes later.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kit.runtime import s3local

SCHEMES = ("s3", "s3a", "s3n")
VIEWFS = "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme"
# Hadoop's defaults pick the S3A committer for s3a:// outputs, which is not in pyspark's jars.
FILE_COMMITTER = "org.apache.hadoop.mapreduce.lib.output.FileOutputCommitterFactory"
_BUCKET = re.compile(r"\bs3[an]?://([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?![A-Za-z0-9._-])")


def buckets_in(text: str) -> set[str]:
    """Bucket names of the ``s3://`` (``s3a``, ``s3n``) URIs that appear in ``text``."""
    return set(_BUCKET.findall(text))


def hadoop_settings(root: Path, buckets: Iterable[str]) -> dict[str, str]:
    """Hadoop settings that serve ``s3://BUCKET/key`` from ``root/BUCKET/key``.

    The filesystem cache is off for these schemes so a changed root (another test, another
    ``KIT_S3_ROOT``) takes effect on the next access.
    """
    settings: dict[str, str] = {}
    for scheme in SCHEMES:
        settings[f"fs.{scheme}.impl"] = VIEWFS
        settings[f"fs.{scheme}.impl.disable.cache"] = "true"
        settings[f"mapreduce.outputcommitter.factory.scheme.{scheme}"] = FILE_COMMITTER
    for bucket in sorted(set(buckets)):
        settings[f"fs.viewfs.mounttable.{bucket}.linkFallback"] = (root / bucket).as_uri()
    return settings


def mount(spark_context: Any, buckets: Iterable[str]) -> None:
    """Mount ``buckets`` on the object root in ``spark_context``'s Hadoop configuration."""
    conf = spark_context._jsc.hadoopConfiguration()
    for key, value in hadoop_settings(s3local.object_root(), buckets).items():
        if conf.get(key) != value:
            conf.set(key, value)


def mount_paths(spark_context: Any, paths: Iterable[str]) -> None:
    """Mount the buckets of the ``s3://`` URIs among ``paths`` (others are ignored)."""
    found = set().union(*(buckets_in(str(p)) for p in paths)) if paths else set()
    if found:
        mount(spark_context, found)


def known_buckets(argv: list[str] | None = None) -> set[str]:
    """Folders of the object root, plus buckets named in ``argv`` and the main script's source."""
    root = s3local.object_root()
    found = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    for arg in sys.argv if argv is None else argv:
        found |= buckets_in(arg)
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if script and str(script).endswith(".py") and os.path.isfile(script):
        try:
            found |= buckets_in(Path(script).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            pass
    return found


def mount_known(spark_context: Any) -> None:
    """Mount every bucket a job is likely to use (called when the ``GlueContext`` starts)."""
    mount(spark_context, known_buckets())
