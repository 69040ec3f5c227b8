"""A Glue Studio-style script, never written for kit, run in its own process via kit's runner."""

from __future__ import annotations

import json
import textwrap

import pytest

from kit import config as kit_config
from kit.runtime import runner

GLUE_SCRIPT = textwrap.dedent('''
    import sys
    from awsglue.transforms import *
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from awsglue.context import GlueContext
    from awsglue.job import Job

    args = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "output_path"])
    sc = SparkContext()
    glueContext = GlueContext(sc)
    spark = glueContext.spark_session
    job = Job(glueContext)
    job.init(args["JOB_NAME"], args)

    S3bucket_node1 = glueContext.create_dynamic_frame.from_options(
        format_options={"multiline": False},
        connection_type="s3",
        format="json",
        connection_options={"paths": [args["input_path"]], "recurse": True},
        transformation_ctx="S3bucket_node1",
    )
    ApplyMapping_node2 = ApplyMapping.apply(
        frame=S3bucket_node1,
        mappings=[("order_id", "long", "order_id", "long"), ("qty", "long", "qty", "int"),
                  ("unit", "double", "unit", "double")],
        transformation_ctx="ApplyMapping_node2",
    )
    def add_total(rec):
        rec["total"] = rec["qty"] * rec["unit"]
        return rec
    Map_node3 = Map.apply(frame=ApplyMapping_node2, f=add_total, transformation_ctx="Map_node3")
    Filter_node4 = Filter.apply(frame=Map_node3, f=lambda r: r["total"] > 10)
    S3bucket_node5 = glueContext.write_dynamic_frame.from_options(
        frame=Filter_node4,
        connection_type="s3",
        format="json",
        connection_options={"path": args["output_path"], "partitionKeys": []},
        transformation_ctx="S3bucket_node5",
    )
    job.commit()
''')

ORDERS = [{"order_id": i, "qty": i % 4, "unit": 3.5 + i} for i in range(1, 21)]


@pytest.mark.slow
def test_glue_script_runs_unchanged_with_kit_run(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "jobs").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n\n[tool.kit]\n')
    script = root / "glue_job.py"
    script.write_text(GLUE_SCRIPT)
    s3 = tmp_path / "s3"
    (s3 / "raw" / "orders").mkdir(parents=True)
    (s3 / "raw" / "orders" / "o.json").write_text("\n".join(json.dumps(o) for o in ORDERS))
    monkeypatch.setenv("KIT_S3_ROOT", str(s3))
    monkeypatch.setenv("KIT_BOOKMARK_DIR", str(tmp_path / "bm"))
    cfg = kit_config.load(root)
    args = ["--JOB_NAME", "orders_job", "--input_path", "s3://raw/orders/",
            "--output_path", "s3://curated/orders/", "--job-bookmark-option", "job-bookmark-enable"]
    plan = runner.plan(str(script), args, cfg)
    result = runner.run(plan, cfg, master="local[2]")
    assert result.returncode == 0
    out = [json.loads(line) for f in (s3 / "curated" / "orders").glob("part-*")
           for line in f.read_text().splitlines()]
    expected = [{**o, "total": o["qty"] * o["unit"]} for o in ORDERS if o["qty"] * o["unit"] > 10]
    assert sorted(out, key=lambda r: r["order_id"]) == expected
    assert (tmp_path / "bm" / "orders_job.json").is_file()
