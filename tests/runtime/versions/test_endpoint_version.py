"""The local Livy endpoint: a session's conf picks its Glue version (real server, real Spark)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_session_on_glue_6_0(glue_runtimes, client) -> None:
    conf = {"spark.kit.glue_version": "6.0"}
    status, body = client.request("POST", "/sessions", {"kind": "pyspark", "conf": conf})
    assert status == 201, body
    try:
        assert client.wait_session(body["id"])["state"] == "idle"
        result = client.run(
            body["id"],
            "import os\nfrom awsglue.context import GlueContext\n"
            "GlueContext(sc).spark_session.range(3).count(), spark.version, "
            "os.environ['KIT_GLUE_VERSION']",
        )
        assert result["output"]["data"]["text/plain"] == "(3, '4.1.1', '6.0')"
        # Glue 6.0 runs Python 3.13, not the local one: said once in the session's log
        _, log = client.request("GET", f"/sessions/{body['id']}/log?from=0&size=1000")
        notes = [line for line in log["log"] if line.startswith("note: Glue 6.0 runs Python")]
        assert len(notes) == 1, log
    finally:
        client.request("DELETE", f"/sessions/{body['id']}")


def test_unknown_version_kills_the_session_with_one_line(client) -> None:
    conf = {"spark.kit.glue_version": "4.0"}
    status, body = client.request("POST", "/sessions", {"kind": "pyspark", "conf": conf})
    assert status == 201, body
    try:
        assert client.wait_session(body["id"])["state"] == "dead"
        _, log = client.request("GET", f"/sessions/{body['id']}/log")
        assert any("unknown Glue version '4.0'" in line for line in log["log"]), log
    finally:
        client.request("DELETE", f"/sessions/{body['id']}")
