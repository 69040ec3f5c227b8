"""Glue sources and sinks on local and s3:// (mapped) paths, as small Glue scripts."""

from __future__ import annotations

import csv
import gzip
import json
import os
import time

import pytest

from kit.errors import InputNotFound
from kit.testing.glue import add_layer_to_path

add_layer_to_path()

ROWS = [{"id": i, "city": ["Oslo", "Rome", "Lima"][i % 3], "amount": round(i * 1.5, 2)}
        for i in range(1, 31)]


def write_csv(path, rows, sep=",", header=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, delimiter=sep)
        if header:
            w.writerow(list(rows[0]))
        for r in rows:
            w.writerow(list(r.values()))


def read_output_json(folder):
    out = []
    for root, _, files in os.walk(folder):
        for f in files:
            if f.startswith((".", "_")):
                continue
            opener = gzip.open if f.endswith(".gz") else open
            with opener(os.path.join(root, f), "rt") as fh:
                out += [json.loads(line) for line in fh if line.strip()]
    return out


def test_csv_from_s3_with_header_and_separator_to_partitioned_json(run_script, tmp_path):
    s3 = tmp_path / "s3"
    write_csv(s3 / "bucket" / "in" / "part-1.csv", ROWS[:15], sep="|")
    write_csv(s3 / "bucket" / "in" / "part-2.csv", ROWS[15:], sep="|")
    run_script(
        """
        import sys
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from awsglue.transforms import ApplyMapping
        from awsglue.utils import getResolvedOptions
        from pyspark.context import SparkContext

        args = getResolvedOptions(sys.argv, ["JOB_NAME", "src", "dst"])
        glueContext = GlueContext(SparkContext.getOrCreate())
        job = Job(glueContext)
        job.init(args["JOB_NAME"], args)
        dyf = glueContext.create_dynamic_frame.from_options(
            connection_type="s3",
            connection_options={"paths": [args["src"]], "recurse": True, "groupFiles": "inPartition"},
            format="csv",
            format_options={"withHeader": True, "separator": "|"},
            transformation_ctx="src",
        )
        mapped = ApplyMapping.apply(frame=dyf, mappings=[
            ("id", "long", "id", "long"), ("city", "string", "city", "string"),
            ("amount", "double", "amount", "double")])
        glueContext.write_dynamic_frame.from_options(
            frame=mapped, connection_type="s3",
            connection_options={"path": args["dst"], "partitionKeys": ["city"],
                                "compression": "gzip"},
            format="json")
        job.commit()
        """,
        "--JOB_NAME", "csv2json", "--src", "s3://bucket/in/", "--dst", "s3://bucket/out/",
    )
    out_dir = s3 / "bucket" / "out"
    assert sorted(p.name for p in out_dir.iterdir() if p.is_dir()) == ["city=Lima", "city=Oslo",
                                                                       "city=Rome"]
    assert all(f.name.endswith(".json.gz") for f in (out_dir / "city=Oslo").iterdir()
               if not f.name.startswith((".", "_")))
    got = []
    for part in out_dir.iterdir():
        if part.is_dir():
            city = part.name.split("=", 1)[1]
            got += [{**r, "city": city} for r in read_output_json(part)]
    assert sorted(got, key=lambda r: r["id"]) == ROWS


def test_csv_without_header_names_columns_col0_and_reads_quoted_multiline(glue_context, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('1,\'a\nb\'\n2,\'c\'\n')
    dyf = glue_context.create_dynamic_frame.from_options(
        "file", {"paths": [str(path)]}, format="csv",
        format_options={"quoteChar": "'", "multiline": True})
    assert dyf.toDF().columns == ["col0", "col1"]
    assert sorted((r.col0, r.col1) for r in dyf.toDF().collect()) == [(1, "a\nb"), (2, "c")]


def test_json_parquet_orc_round_trip(glue_context, tmp_path):
    src = tmp_path / "in.json"
    src.write_text("\n".join(json.dumps(r) for r in ROWS))
    dyf = glue_context.create_dynamic_frame.from_options(
        "s3", {"paths": [f"file://{src}"]}, format="json")
    for fmt in ("parquet", "orc"):
        dst = tmp_path / fmt
        glue_context.write_dynamic_frame.from_options(
            frame=dyf, connection_type="s3", connection_options={"path": str(dst)}, format=fmt,
            format_options={"compression": "snappy"} if fmt == "parquet" else {})
        back = glue_context.create_data_frame.from_options(
            connection_type="s3", connection_options={"paths": [str(dst)]}, format=fmt)
        assert sorted(back.toJSON().map(json.loads).collect(), key=lambda r: r["id"]) == [
            {"amount": r["amount"], "city": r["city"], "id": r["id"]} for r in ROWS]
    files = [f for f in (tmp_path / "parquet").iterdir() if f.suffix == ".parquet"]
    assert files and all(".snappy." in f.name for f in files)


def test_writes_append_like_glue(glue_context, tmp_path):
    src = tmp_path / "in.json"
    src.write_text("\n".join(json.dumps(r) for r in ROWS[:5]))
    dyf = glue_context.create_dynamic_frame.from_options("file", {"paths": [str(src)]}, "json")
    for _ in range(2):
        glue_context.write_dynamic_frame.from_options(dyf, "s3", {"path": str(tmp_path / "o")},
                                                      "json")
    assert len(read_output_json(tmp_path / "o")) == 10


def test_recurse_false_reads_only_top_level_files(glue_context, tmp_path):
    write_csv(tmp_path / "in" / "a.csv", ROWS[:3])
    write_csv(tmp_path / "in" / "sub" / "b.csv", ROWS[3:5])
    opts = {"withHeader": True}
    top = glue_context.create_dynamic_frame.from_options(
        "file", {"paths": [str(tmp_path / "in")]}, "csv", opts)
    deep = glue_context.create_dynamic_frame.from_options(
        "file", {"paths": [str(tmp_path / "in")], "recurse": True}, "csv", opts)
    assert (top.count(), deep.count()) == (3, 5)


def test_missing_input_is_a_clear_error(glue_context):
    with pytest.raises(InputNotFound, match=r"s3://nobucket/none.*does not exist"):
        glue_context.create_dynamic_frame.from_options(
            "s3", {"paths": ["s3://nobucket/none/"]}, format="json")


def test_get_source_and_get_sink(glue_context, tmp_path):
    src = tmp_path / "in.json"
    src.write_text("\n".join(json.dumps(r) for r in ROWS[:4]))
    source = glue_context.getSource("file", paths=[str(src)])
    source.setFormat("json")
    frame = source.getFrame()
    sink = glue_context.getSink("s3", path=str(tmp_path / "sink"))
    sink.setFormat("csv", separator=";")
    sink.writeFrame(frame)
    lines = [line for f in (tmp_path / "sink").glob("*.csv") for line in f.read_text().splitlines()]
    assert lines[0] == "amount;city;id"
    assert sorted(lines[1:]) == sorted(f"{r['amount']};{r['city']};{r['id']}" for r in ROWS[:4])


def test_purge_s3_path_honours_retention(glue_context, tmp_path):
    folder = tmp_path / "s3" / "b" / "tmp"
    folder.mkdir(parents=True)
    old, new = folder / "old.txt", folder / "new.txt"
    old.write_text("o")
    new.write_text("n")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    glue_context.purge_s3_path("s3://b/tmp/")
    assert (old.exists(), new.exists()) == (False, True)
    glue_context.purge_s3_path("s3://b/tmp/", {"retentionPeriod": 0})
    assert not new.exists()


def test_logger_writes_to_stderr(glue_context, capsys):
    glue_context.get_logger().info("hello from glue")
    assert "hello from glue" in capsys.readouterr().err


def test_exclusions_skip_matching_files(glue_context, tmp_path):
    folder = tmp_path / "s3" / "b" / "in"
    folder.mkdir(parents=True)
    (folder / "keep.json").write_text(json.dumps({"id": 1}))
    (folder / "skip.tmp.json").write_text(json.dumps({"id": 2}))
    (folder / "old").mkdir()
    (folder / "old" / "x.json").write_text(json.dumps({"id": 3}))
    dyf = glue_context.create_dynamic_frame.from_options(
        "s3", {"paths": ["s3://b/in/"], "recurse": True,
               "exclusions": json.dumps(["**.tmp.json", "s3://b/in/old/**"])}, "json")
    assert [r.id for r in dyf.toDF().collect()] == [1]


def test_json_path_makes_array_elements_records(glue_context, tmp_path):
    pages = [{"page": 1, "data": {"items": [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]}},
             {"page": 2, "data": {"items": [{"id": 3, "v": "c"}]}}]
    (tmp_path / "api.json").write_text("\n".join(json.dumps(p) for p in pages))
    dyf = glue_context.create_dynamic_frame.from_options(
        "file", {"paths": [str(tmp_path / "api.json")]}, format="json",
        format_options={"jsonPath": "$.data.items[*]"})
    expected = [(i["id"], i["v"]) for p in pages for i in p["data"]["items"]]
    assert sorted((r.id, r.v) for r in dyf.toDF().collect()) == expected
    assert dyf.toDF().columns == ["id", "v"]
    with pytest.raises(ValueError, match="jsonPath"):
        glue_context.create_dynamic_frame.from_options(
            "file", {"paths": [str(tmp_path / "api.json")]}, format="json",
            format_options={"jsonPath": "$..id"})
