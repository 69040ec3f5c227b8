"""GlueContext.forEachBatch over a streaming file source, with its checkpoint."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_for_each_batch_processes_new_files_once(glue_context, spark_session, tmp_path):
    inbox = tmp_path / "s3" / "events" / "in"
    inbox.mkdir(parents=True)
    (inbox / "a.json").write_text("\n".join(json.dumps({"id": i}) for i in (1, 2)))
    seen: list[tuple[int, list[int]]] = []

    def batch(df, batch_id):
        seen.append((batch_id, sorted(r.id for r in df.collect())))

    def run():
        stream = spark_session.readStream.schema("id long").json(str(inbox))
        glue_context.forEachBatch(frame=stream, batch_function=batch, options={
            "windowSize": "1 seconds", "checkpointLocation": "s3://events/checkpoint/"})

    run()
    assert seen == [(0, [1, 2])]
    (inbox / "b.json").write_text(json.dumps({"id": 3}))
    run()  # the checkpoint remembers a.json: only the new file is a batch
    assert seen == [(0, [1, 2]), (1, [3])]
    assert (tmp_path / "s3" / "events" / "checkpoint" / "offsets").is_dir()


def test_for_each_batch_needs_window_and_checkpoint(glue_context, spark_session, tmp_path):
    stream = spark_session.readStream.schema("id long").json(str(tmp_path))
    with pytest.raises(Exception, match="Missing windowSize argument"):
        glue_context.forEachBatch(stream, lambda df, i: None, {"checkpointLocation": "x"})
    with pytest.raises(Exception, match="Missing checkpointLocation argument"):
        glue_context.forEachBatch(stream, lambda df, i: None, {"windowSize": "1 seconds"})


def test_failing_batches_are_retried_then_raised(glue_context, spark_session, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text(json.dumps({"id": 1}))
    calls = []

    def failing(df, batch_id):
        calls.append(batch_id)
        raise RuntimeError("boom")

    stream = spark_session.readStream.schema("id long").json(str(tmp_path / "in"))
    with pytest.raises(Exception, match="boom"):
        glue_context.forEachBatch(stream, failing, {
            "windowSize": "1 seconds", "checkpointLocation": str(tmp_path / "cp"),
            "batchMaxRetries": "1"})
    assert calls == [0, 0]
