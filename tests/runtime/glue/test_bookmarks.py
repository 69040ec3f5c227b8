"""Job bookmarks over two runs of the same Glue script, as Glue documents them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kit.runtime import bookmarks
from kit.runtime.commands import bookmark as bookmark_cli

SCRIPT = """
import sys
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "src"])
glueContext = GlueContext(SparkContext.getOrCreate())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
frame = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": [args["src"]]}, format="json",
    transformation_ctx="orders_source")
seen = sorted(r["id"] for r in frame.toDF().collect()) if frame.toDF().columns else []
if "--fail" in sys.argv:
    raise RuntimeError("job failed before commit")
job.commit()
"""


def add_file(tmp_path, name, ids):
    folder = tmp_path / "s3" / "lake" / "orders"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(json.dumps({"id": i}) for i in ids))


def run(run_script, option, *extra):
    argv = ["--JOB_NAME", "orders", "--src", "s3://lake/orders/", *extra]
    if option:
        argv += ["--job-bookmark-option", option]
    return run_script(SCRIPT, *argv)["seen"]


def test_enable_reads_only_the_new_file_on_the_second_run(run_script, tmp_path):
    add_file(tmp_path, "a.json", [1, 2])
    assert run(run_script, "job-bookmark-enable") == [1, 2]
    add_file(tmp_path, "b.json", [3])
    assert run(run_script, "job-bookmark-enable") == [3]
    assert run(run_script, "job-bookmark-enable") == []
    state = bookmarks.load_state("orders")
    assert state["run"] == 3
    assert sorted(p.rsplit("/", 1)[-1] for p in state["contexts"]["orders_source"]["files"]) == [
        "a.json", "b.json"]


def test_pause_reads_since_last_commit_without_updating(run_script, tmp_path):
    add_file(tmp_path, "a.json", [1])
    run(run_script, "job-bookmark-enable")
    add_file(tmp_path, "b.json", [2])
    assert run(run_script, "job-bookmark-pause") == [2]
    assert run(run_script, "job-bookmark-pause") == [2]
    assert bookmarks.load_state("orders")["run"] == 1


def test_disable_is_the_default_and_reads_everything(run_script, tmp_path):
    add_file(tmp_path, "a.json", [1])
    run(run_script, "job-bookmark-enable")
    add_file(tmp_path, "b.json", [2])
    assert run(run_script, None) == [1, 2]
    assert run(run_script, "job-bookmark-disable") == [1, 2]
    assert bookmarks.load_state("orders")["run"] == 1


def test_a_failed_run_does_not_advance_the_bookmark(run_script, tmp_path):
    add_file(tmp_path, "a.json", [1])
    try:
        run(run_script, "job-bookmark-enable", "--fail")
    except RuntimeError:
        pass
    assert run(run_script, "job-bookmark-enable") == [1]


def test_modified_file_is_read_again(run_script, tmp_path):
    add_file(tmp_path, "a.json", [1])
    run(run_script, "job-bookmark-enable")
    add_file(tmp_path, "a.json", [1, 5])
    assert run(run_script, "job-bookmark-enable") == [1, 5]


def test_reset_command_forgets_the_job(run_script, tmp_path):
    add_file(tmp_path, "a.json", [1])
    run(run_script, "job-bookmark-enable")
    result = CliRunner().invoke(bookmark_cli, ["reset", "orders"])
    assert result.exit_code == 0 and "reset the bookmark of orders" in result.output
    assert run(run_script, "job-bookmark-enable") == [1]
    again = CliRunner().invoke(bookmark_cli, ["reset", "nosuchjob"])
    assert again.exit_code == 0 and "nothing to reset" in again.output
