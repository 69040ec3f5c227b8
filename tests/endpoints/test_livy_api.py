"""The local endpoint over real HTTP: Livy's REST shapes, state machine, isolation, failures."""

from __future__ import annotations

import os
import signal

import pytest

from kit.runtime.spark import LOCAL_CONF

from .conftest import group_members, wait_group_gone

pytestmark = pytest.mark.slow  # starts Spark drivers, kernels and servers


@pytest.fixture(scope="module")
def session(client) -> int:
    """One pyspark session shared by the module's tests (a session start costs seconds)."""
    status, body = client.request("POST", "/sessions", {"kind": "pyspark"})
    assert status == 201
    assert body["state"] == "starting" and body["kind"] == "pyspark"
    assert client.wait_session(body["id"])["state"] == "idle"
    return body["id"]


@pytest.mark.parametrize(
    ("method", "path", "raw", "status", "fragment"),
    [
        ("POST", "/sessions", b"{not json", 400, "not valid JSON"),
        ("POST", "/sessions", b"[1, 2]", 400, "JSON object"),
        ("POST", "/sessions", b'{"kind": "sparkr"}', 400, "sparkr"),
        ("POST", "/sessions", b'{"kind": "pyspark", "conf": "x"}', 400, "conf"),
        ("POST", "/sessions", b'{"heartbeatTimeoutInSecond": "soon"}', 400, "heartbeat"),
        ("POST", "/sessions", b'{"name": 7}', 400, "'name' must be a string"),
        ("GET", "/sessions/12345", None, 404, "Session '12345' not found"),
        ("GET", "/sessions/abc", None, 400, "must be an integer"),
        ("GET", "/sessions?from=-1", None, 400, "negative"),
        ("GET", "/sessions?size=x", None, 400, "integer"),
        ("DELETE", "/sessions/777", None, 404, "not found"),
        ("POST", "/sessions/777/statements", b'{"code": "1"}', 404, "not found"),
        ("GET", "/batches", None, 404, "No route"),
        ("PUT", "/sessions", b"{}", 405, "not allowed"),
    ],
)
def test_malformed_requests_get_livy_errors(client, method, path, raw, status, fragment):
    got, body = client.request(method, path, raw=raw)
    assert got == status
    assert set(body) == {"msg"} and fragment in body["msg"]
    # the endpoint is still up and consistent after every bad request
    assert client.request("GET", "/sessions")[0] == 200


def test_session_is_listed_in_livy_shape(client, session):
    status, body = client.request("GET", "/sessions")
    assert status == 200 and set(body) == {"from", "total", "sessions"}
    listed = {s["id"]: s for s in body["sessions"]}
    assert listed[session]["state"] == "idle"
    assert listed[session]["appId"].startswith("local-")
    assert client.request("GET", f"/sessions/{session}/state") == (
        200, {"id": session, "state": "idle"}
    )


def test_statement_outputs_like_livy(client, session):
    ok = client.run(session, "x = 20\nprint('half', x)\nx * 2 + 2")
    assert ok["state"] == "available"
    # Livy's StatementOutput: the execution count is the statement's id in its session
    assert ok["output"] == {"status": "ok", "execution_count": ok["id"],
                            "data": {"text/plain": "half 20\n42"}}
    assert list(ok["output"])[:2] == ["status", "execution_count"]

    # spark and sc are predefined, as in a Livy pyspark session
    counted = client.run(session, "spark.range(7).count() + sc.parallelize([1, 2, 3]).sum()")
    assert counted["output"]["data"]["text/plain"] == str(7 + 6)

    failed = client.run(session, "def f():\n    return {}['missing']\nf()")
    assert failed["state"] == "available"
    output = failed["output"]
    assert output["status"] == "error"
    assert output["ename"] == "KeyError" and output["evalue"] == "'missing'"
    assert output["execution_count"] == failed["id"] == ok["id"] + 2
    assert any("line 2, in f" in line for line in output["traceback"])

    broken = client.run(session, "def (:")
    assert broken["output"]["ename"] == "SyntaxError"

    # state survives between statements, like a REPL
    assert client.run(session, "x")["output"]["data"]["text/plain"] == "20"


def test_sql_statement_returns_json_rows(client, session):
    client.run(session, "spark.createDataFrame([(1, 'a'), (2, 'b')], 'n int, s string')"
                        ".createOrReplaceTempView('t')")
    result = client.run(session, "SELECT n * 10 AS m, s FROM t ORDER BY n", kind="sql")
    table = result["output"]["data"]["application/json"]
    assert [f["name"] for f in table["schema"]["fields"]] == ["m", "s"]
    assert table["data"] == [[10, "a"], [20, "b"]]


def test_glue_layer_is_importable(client, session):
    result = client.run(
        session,
        "from awsglue.context import GlueContext\n"
        "gc = GlueContext(sc)\n"
        "gc.spark_session.range(3).count()",
    )
    assert result["output"] == {"status": "ok", "execution_count": result["id"],
                                "data": {"text/plain": "3"}}


def test_session_is_busy_while_a_statement_runs(client, session, tmp_path):
    release = tmp_path / "release"
    code = (
        "import os, time\n"
        f"while not os.path.exists({str(release)!r}):\n"
        "    time.sleep(0.02)\n"
        "'released'"
    )
    status, statement = client.request("POST", f"/sessions/{session}/statements", {"code": code})
    assert status == 201
    client.wait_statement(session, statement["id"], until=("running",))
    assert client.request("GET", f"/sessions/{session}")[1]["state"] == "busy"
    # a second statement waits behind the running one
    status, queued = client.request("POST", f"/sessions/{session}/statements", {"code": "'next'"})
    assert client.request(
        "GET", f"/sessions/{session}/statements/{queued['id']}")[1]["state"] == "waiting"
    release.touch()
    done = client.wait_statement(session, statement["id"])
    assert done["output"]["data"]["text/plain"] == "'released'"
    assert client.wait_statement(session, queued["id"])["output"]["data"]["text/plain"] == "'next'"
    assert client.wait_session(session)["state"] == "idle"
    status, listing = client.request("GET", f"/sessions/{session}/statements")
    assert listing["total_statements"] == len(listing["statements"]) >= 2
    ids = [s["id"] for s in listing["statements"]]
    assert ids == list(range(len(ids)))
    page = client.request("GET", f"/sessions/{session}/statements?from=1&size=1")[1]
    assert page["total_statements"] == len(ids) and [s["id"] for s in page["statements"]] == [1]


@pytest.mark.parametrize(
    "code",
    [
        "import time\nwhile True:\n    time.sleep(0.05)",
        # a Spark job that never ends: the cancel must reach the JVM too
        "import time\nsc.parallelize([1], 1).map(lambda x: time.sleep(3600)).count()",
    ],
    ids=["python-loop", "spark-job"],
)
def test_cancel_interrupts_a_running_statement(client, session, code):
    status, statement = client.request("POST", f"/sessions/{session}/statements", {"code": code})
    client.wait_statement(session, statement["id"], until=("running",))
    status, body = client.request(
        "POST", f"/sessions/{session}/statements/{statement['id']}/cancel", {})
    assert (status, body) == (200, {"msg": "canceled"})
    done = client.wait_statement(session, statement["id"])
    assert done["state"] == "cancelled", done
    assert client.wait_session(session)["state"] == "idle"
    assert client.run(session, "'alive'")["output"]["data"]["text/plain"] == "'alive'"


def test_session_log_holds_the_driver_output_paged_like_livy(client, session, workdir):
    client.run(session, "import sys\nfor i in range(120):\n"
                        "    print(f'to the log {i}', file=sys.stderr, flush=True)")
    on_disk = (workdir / ".kit" / "endpoint" / "logs" / f"session-{session}.log").read_text()
    lines = on_disk.splitlines()
    assert len(lines) > 120
    status, first = client.request("GET", f"/sessions/{session}/log?from=0")
    assert status == 200 and set(first) == {"id", "from", "total", "log"}
    # sparkmagic's %%logs asks from=0: Livy answers the first 100 lines (size defaults to 100)
    assert first["from"] == 0 and first["total"] == len(lines) and first["log"] == lines[:100]
    assert any("ready, Spark 3.5" in line for line in first["log"])
    # no ``from``: the last 100 lines
    tail = client.request("GET", f"/sessions/{session}/log")[1]
    assert tail["from"] == len(lines) - 100 and tail["log"] == lines[-100:]
    assert tail["log"][-1] == "to the log 119"
    # a negative size is every line; from/size page through the log
    assert client.request("GET", f"/sessions/{session}/log?size=-1")[1]["log"] == lines
    page = client.request("GET", f"/sessions/{session}/log?from=3&size=2")[1]
    assert (page["from"], page["log"]) == (3, lines[3:5])
    # the session itself carries only the last 10 lines, as Livy's session view does
    assert client.request("GET", f"/sessions/{session}")[1]["log"] == lines[-10:]


def test_sessions_are_isolated_and_a_crash_kills_only_its_session(client, session):
    status, other = client.request("POST", "/sessions", {
        "kind": "pyspark", "name": "other", "driverMemory": "700m",
        "conf": {"spark.sql.shuffle.partitions": "3"},
    })
    other_id = other["id"]
    assert other_id != session
    try:
        # session names are unique, as in Livy
        assert client.request("POST", "/sessions", {"kind": "pyspark", "name": "other"}) == (
            400, {"msg": "Duplicate session name: other"})
        assert client.wait_session(other_id)["state"] == "idle"
        # the session's own Spark settings (%%configure) reach its driver, and only its driver
        settings = "spark.conf.get('spark.sql.shuffle.partitions'), sc.getConf().get(" \
                   "'spark.driver.memory')"
        mine = client.run(other_id, settings)["output"]["data"]["text/plain"]
        assert mine == "('3', '700m')"
        theirs = client.run(session, settings)["output"]["data"]["text/plain"]
        assert theirs == f"('{LOCAL_CONF['spark.sql.shuffle.partitions']}', None)"
        client.run(session, "only_here = 1")
        missing = client.run(other_id, "only_here")
        assert missing["output"]["ename"] == "NameError"

        crashed = client.run(other_id, "import os\nos._exit(3)")
        assert crashed["state"] == "error"
        assert "exited with code 3" in crashed["output"]["evalue"]
        assert client.wait_session(other_id, until=("dead",))["state"] == "dead"
        refused = client.request("POST", f"/sessions/{other_id}/statements", {"code": "1"})
        assert refused[0] == 400 and "dead" in refused[1]["msg"]
        # the first session is unaffected
        assert client.run(session, "only_here + 1")["output"]["data"]["text/plain"] == "2"
    finally:
        client.request("DELETE", f"/sessions/{other_id}")


def test_killed_interpreter_marks_the_session_dead(client, livy):
    status, body = client.request("POST", "/sessions", {"kind": "pyspark"})
    sid = body["id"]
    try:
        client.wait_session(sid)
        pid = livy.manager.get(sid).interpreter.pid
        os.kill(pid, signal.SIGKILL)
        assert client.wait_session(sid, until=("dead",))["state"] == "dead"
        log = client.request("GET", f"/sessions/{sid}/log")[1]["log"]
        assert any("killed by signal 9" in line for line in log)
    finally:
        client.request("DELETE", f"/sessions/{sid}")


def test_session_without_heartbeat_is_deleted(client, livy):
    import time

    status, body = client.request("POST", "/sessions",
                                  {"kind": "pyspark", "heartbeatTimeoutInSecond": 1})
    sid = body["id"]
    client.wait_session(sid)
    pid = livy.manager.get(sid).interpreter.pid
    # stop polling the session; only the listing (which is no heartbeat) is read from now on
    deadline = time.monotonic() + 60
    while sid in [s["id"] for s in client.request("GET", "/sessions")[1]["sessions"]]:
        assert time.monotonic() < deadline, "session never expired"
        time.sleep(0.5)
    assert client.request("GET", f"/sessions/{sid}")[0] == 404
    assert wait_group_gone(pid) == []


def test_livy_magics_json_and_matplot(client, session):
    result = client.run(session, "rows = [{'a': 1}, {'a': 2}]\nprint('two rows')\n%json rows")
    assert result["output"]["data"] == {"application/json": [{"a": 1}, {"a": 2}],
                                        "text/plain": "two rows"}
    unknown = client.run(session, "%table rows")
    assert unknown["output"]["status"] == "error" and "%table" in unknown["output"]["evalue"]
    pytest.importorskip("matplotlib")
    import base64

    plot = client.run(session, "import matplotlib\nmatplotlib.use('Agg')\n"
                               "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\n"
                               "%matplot plt")
    png = base64.b64decode(plot["output"]["data"]["image/png"])
    assert png.startswith(b"\x89PNG\r\n")


def test_spark_that_cannot_start_leaves_a_dead_session_with_the_reason(client):
    status, body = client.request("POST", "/sessions", {"kind": "pyspark", "driverMemory": "lots"})
    sid = body["id"]
    try:
        assert client.wait_session(sid, until=("dead",), timeout=60)["state"] == "dead"
        log = "\n".join(client.request("GET", f"/sessions/{sid}/log")[1]["log"])
        assert "JAVA_GATEWAY_EXITED" in log and f"session {sid} is dead" in log
    finally:
        client.request("DELETE", f"/sessions/{sid}")


def test_delete_frees_the_session_and_its_processes(client, livy, session):
    pid = livy.manager.get(session).interpreter.pid
    assert len(group_members(pid)) >= 2  # the interpreter and its Spark driver JVM
    status, body = client.request("DELETE", f"/sessions/{session}")
    assert (status, body) == (200, {"msg": "deleted"})
    assert client.request("GET", f"/sessions/{session}")[0] == 404
    assert wait_group_gone(pid) == []
    assert session not in [s["id"] for s in client.request("GET", "/sessions")[1]["sessions"]]
