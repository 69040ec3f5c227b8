"""Livy's REST contract under bad input and load: 400/404/405 with a ``msg``, never a 5xx or a reset.

Against a real server on 127.0.0.1 (tornado), with real concurrent clients.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import TOKEN

pytestmark = pytest.mark.slow  # starts a Spark driver

CONCURRENT = 50


@pytest.fixture(scope="module")
def session(client) -> int:
    status, body = client.request("POST", "/sessions", {"kind": "pyspark"})
    assert status == 201
    assert client.wait_session(body["id"])["state"] == "idle"
    return body["id"]


def _raw(livy, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request on its own connection, with the right headers and any method."""
    host, port = livy.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        headers = {"Content-Type": "application/json", "X-Requested-By": "tests",
                   "X-Kit-Token": TOKEN}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _msg(raw: bytes) -> str:
    body = json.loads(raw)
    assert set(body) == {"msg"} and isinstance(body["msg"], str) and "\n" not in body["msg"]
    return body["msg"]


@pytest.mark.parametrize(
    ("path", "raw", "fragment"),
    [
        ("/sessions", b"", "empty"),
        ("/sessions", b"   ", "empty"),
        ("/sessions", b"null", "JSON object"),
        ("/sessions", b'"pyspark"', "JSON object"),
        ("/sessions", b"\xff\xfe", "not valid JSON"),
        ("/sessions", b'{"kind": 5}', "'kind' must be a string"),
        ("/sessions", b'{"kind": "spark"}', "not supported"),
        ("/sessions", b'{"conf": {"spark.x": {"nested": 1}}}', "'conf' values"),
        ("/sessions", b'{"proxyUser": 3}', "'proxyUser'"),
        ("/sessions", b'{"heartbeatTimeoutInSecond": true}', "heartbeat"),
        ("/sessions", b'{"driverMemory": {"a": 1}}', "driverMemory"),
        ("/sessions/{sid}/statements", b"", "empty"),
        ("/sessions/{sid}/statements", b"[]", "JSON object"),
        ("/sessions/{sid}/statements", b'{"code": 1}', "'code'"),
        ("/sessions/{sid}/statements", b'{"kind": "pyspark"}', "'code'"),
        ("/sessions/{sid}/statements", b'{"code": "1", "kind": "sparkr"}', "sparkr"),
        ("/sessions/{sid}/statements", b'{"code": "1", "kind": []}', "'kind'"),
        ("/sessions/{sid}/statements/x/cancel", b"{}", "integer"),
        ("/sessions/{sid}/statements/999/cancel", b"{}", "not found"),
    ],
)
def test_bad_bodies_get_400_with_a_msg(livy, session, path, raw, fragment):
    before = len(livy.manager.list())
    status, body = _raw(livy, "POST", path.format(sid=session), raw)
    assert status in (400, 404) and fragment in _msg(body)
    assert len(livy.manager.list()) == before  # no session was started by a refused body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/sessions"), ("PATCH", "/sessions"), ("DELETE", "/sessions"),
        ("POST", "/sessions/{sid}"), ("PUT", "/sessions/{sid}"),
        ("DELETE", "/sessions/{sid}/statements"), ("GET", "/sessions/{sid}/statements/0/cancel"),
        ("POST", "/sessions/{sid}/state"), ("POST", "/sessions/{sid}/log"),
        ("HEAD", "/sessions/{sid}/statements/0/cancel"), ("OPTIONS", "/sessions"),
        ("BREW", "/sessions"), ("TRACE", "/sessions"), ("CONNECT", "/sessions"),
    ],
)
def test_known_routes_with_other_methods_get_405_never_501(livy, session, method, path):
    status, body = _raw(livy, method, path.format(sid=session), b"{}")
    assert status == 405
    if method != "HEAD":
        assert _msg(body)


@pytest.mark.parametrize("path", ["/", "/batches", "/sessions/{sid}/nope", "/statements",
                                  "/sessions/{sid}/statements/0/output", "/sessions//statements",
                                  "/%ff%fe", "/sessions/{sid}/log/extra"])
def test_unknown_routes_get_404(livy, session, path):
    status, body = _raw(livy, "GET", path.format(sid=session))
    assert status == 404 and _msg(body)


def test_garbage_never_takes_the_server_down(livy, client, session):
    rng = random.Random(17)
    for _ in range(40):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        path = rng.choice(["/sessions", f"/sessions/{session}/statements", "/sessions/0/x"])
        status, body = _raw(livy, "POST", path, raw)
        assert 400 <= status < 500, body
    # malformed HTTP on a raw socket: an error answer or a closed connection, nothing else
    host, port = livy.url.removeprefix("http://").split(":")
    for request in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"POST /sessions HTTP/1.1\r\nContent-Length: -5\r\n\r\n", b"\x00" * 64 + b"\r\n\r\n"):
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(request)
            answer = sock.recv(4096)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer
    assert client.request("GET", "/sessions")[0] == 200
    assert client.run(session, "'still here'")["output"]["data"]["text/plain"] == "'still here'"


def test_concurrent_statements_are_all_answered_and_run_in_order(livy, client, session):
    client.run(session, "order = []")

    def post(i: int) -> tuple[int, dict]:
        status, raw = _raw(livy, "POST", f"/sessions/{session}/statements",
                           json.dumps({"code": f"order.append({i})\n{i}"}).encode())
        return status, json.loads(raw)

    def get(_: int) -> tuple[int, dict]:
        status, raw = _raw(livy, "GET", f"/sessions/{session}/statements")
        return status, json.loads(raw)

    barrier = threading.Barrier(2 * CONCURRENT)

    def at_once(job):
        def run(i):
            barrier.wait(timeout=120)
            return job(i)
        return run

    with ThreadPoolExecutor(2 * CONCURRENT) as pool:
        posts = pool.map(at_once(post), range(CONCURRENT))
        gets = pool.map(at_once(get), range(CONCURRENT))
        posts, gets = list(posts), list(gets)
    assert [status for status, _ in posts] == [201] * CONCURRENT
    assert [status for status, _ in gets] == [200] * CONCURRENT
    ids = {body["id"]: int(body["code"].split("(")[1].split(")")[0]) for _, body in posts}
    assert len(ids) == CONCURRENT  # one statement each, none dropped or merged
    assert sorted(ids) == list(range(min(ids), min(ids) + CONCURRENT))  # consecutive ids
    for statement_id in sorted(ids):
        done = client.wait_statement(session, statement_id)
        assert done["output"]["data"]["text/plain"] == str(ids[statement_id])
        assert done["output"]["execution_count"] == statement_id
    ran = client.run(session, "order")["output"]["data"]["text/plain"]
    assert json.loads(ran) == [ids[i] for i in sorted(ids)]  # run in the order queued


def test_server_answers_while_a_long_statement_runs(livy, client, session, tmp_path):
    release = tmp_path / "release"
    code = f"import os, time\nwhile not os.path.exists({str(release)!r}):\n    time.sleep(0.02)"
    status, statement = client.request("POST", f"/sessions/{session}/statements", {"code": code})
    assert status == 201
    try:
        client.wait_statement(session, statement["id"], until=("running",))
        for _ in range(20):
            assert client.request("GET", "/sessions")[0] == 200
            assert client.request("GET", f"/sessions/{session}")[1]["state"] == "busy"
        assert client.request("GET", f"/sessions/{session}/statements/{statement['id']}")[1][
            "state"] == "running"  # still running: the answers did not wait for it
    finally:
        release.touch()
    assert client.wait_statement(session, statement["id"])["state"] == "available"
