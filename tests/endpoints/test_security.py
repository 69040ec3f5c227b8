"""The local endpoint refuses what a web page or another local user could send it.

Each attack goes over real HTTP to a real server on 127.0.0.1, and must get a 4xx with a one-line
JSON ``msg`` while creating no session and starting no process.
"""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path

import pytest

from kit.endpoints import security
from kit.endpoints import server as livy_server

TOKEN = "s3cret-token"


def _policy(**kw) -> security.Policy:
    return security.Policy(**{"port": 8998, "token": TOKEN, "csrf": True, **kw})


GOOD = {"host": "127.0.0.1:8998", "content-type": "application/json", "x-requested-by": "kit",
        "x-kit-token": TOKEN}


@pytest.mark.parametrize("host", ["127.0.0.1:8998", "localhost:8998", "[::1]:8998",
                                  "127.0.0.2:8998", "LOCALHOST:8998",
                                  "127.0.0.1:9999", "127.0.0.1"])  # a port forward's own port
def test_loopback_hosts_pass(host):
    assert security.check("POST", {**GOOD, "host": host}, _policy()) is None


@pytest.mark.parametrize(
    ("method", "change", "status", "fragment"),
    [
        ("GET", {"host": "evil.example:8998"}, 403, "Host"),
        ("GET", {"host": ""}, 403, "Host"),
        ("GET", {"host": "127.0.0.1.evil.example:8998"}, 403, "Host"),
        ("GET", {"origin": "http://evil.example"}, 403, "cross-origin"),
        ("GET", {"origin": "null"}, 403, "cross-origin"),
        ("GET", {"x-kit-token": ""}, 401, "token"),
        ("GET", {"x-kit-token": "wrong"}, 401, "token"),
        ("POST", {"content-type": "text/plain"}, 415, "application/json"),
        ("POST", {"content-type": "application/x-www-form-urlencoded"}, 415, "application/json"),
        ("POST", {"content-type": "multipart/form-data; boundary=x"}, 415, "application/json"),
        ("DELETE", {"content-type": ""}, 415, "application/json"),
        ("POST", {"x-requested-by": ""}, 400, "CSRF"),
    ],
)
def test_check_refuses(method, change, status, fragment):
    headers = {k: v for k, v in {**GOOD, **change}.items() if v}
    refusal = security.check(method, headers, _policy())
    assert refusal is not None and refusal.status == status and fragment in refusal.msg


def test_token_may_come_as_authorization_and_options_are_optional():
    headers = {k: v for k, v in GOOD.items() if k != "x-kit-token"}
    assert security.check("GET", {**headers, "authorization": f"Bearer {TOKEN}"}, _policy()) is None
    assert security.check("GET", {**headers, "authorization": f"token {TOKEN}"}, _policy()) is None
    assert security.check("GET", {**GOOD, "origin": "http://localhost:8888"}, _policy()) is None
    no_csrf = {k: v for k, v in headers.items() if k != "x-requested-by"}
    assert security.check("POST", no_csrf, _policy(token=None, csrf=False)) is None
    assert security.check("POST", no_csrf, _policy(token=None)).status == 400


# -- over real HTTP ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("guarded")
    server = livy_server.make_server(root, port=0, state_dir=root / ".kit", token=TOKEN)
    thread = livy_server.start_in_thread(server)
    yield server
    livy_server.shutdown(server, thread)


def _send(server, method: str, path: str, body: bytes | None, headers: dict[str, str]):
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in headers.items():
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _worker_children() -> list[int]:
    """Session interpreters started by this process (a session start spawns one)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and b"kit.endpoints.worker" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _headers(server, **change: str) -> dict[str, str]:
    port = server.url.rsplit(":", 1)[1]
    base = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json",
            "X-Requested-By": "kit", "X-Kit-Token": TOKEN}
    base.update({k.replace("_", "-"): v for k, v in change.items()})
    return {k: v for k, v in base.items() if v}


CODE = json.dumps({"code": "import os; os.system('touch /tmp/pwned')"}).encode()


@pytest.mark.parametrize(
    ("method", "path", "body", "change", "status"),
    [
        # a page's cross-origin "simple" requests: no preflight, so they must be refused outright
        ("POST", "/sessions", b'{"kind": "pyspark"}',
         {"Content_Type": "text/plain", "X_Requested_By": "", "Origin": "http://evil.example"}, 403),
        ("POST", "/sessions", b'{"kind": "pyspark"}', {"Content_Type": "text/plain"}, 415),
        ("POST", "/sessions", b"kind=pyspark",
         {"Content_Type": "application/x-www-form-urlencoded"}, 415),
        ("POST", "/sessions", b"--x\r\n\r\n--x--\r\n",
         {"Content_Type": "multipart/form-data; boundary=x"}, 415),
        ("POST", "/sessions", b'{"kind": "pyspark"}', {"X_Requested_By": ""}, 400),
        # DNS rebinding: the page's own name in Host, resolved to 127.0.0.1
        ("POST", "/sessions", b'{"kind": "pyspark"}', {"Host": "evil.example:{port}"}, 403),
        ("GET", "/sessions", None, {"Host": "evil.example:{port}"}, 403),
        ("POST", "/sessions", b'{"kind": "pyspark"}', {"Origin": "http://evil.example"}, 403),
        # another local user without the token
        ("POST", "/sessions", b'{"kind": "pyspark"}', {"X_Kit_Token": ""}, 401),
        ("POST", "/sessions", b'{"kind": "pyspark"}', {"X_Kit_Token": "guess"}, 401),
        ("GET", "/sessions", None, {"X_Kit_Token": ""}, 401),
        ("POST", "/sessions/0/statements", CODE, {"Content_Type": "text/plain"}, 415),
        ("DELETE", "/sessions/0", None, {"Content_Type": ""}, 415),
        # a CORS preflight gets no CORS answer
        ("OPTIONS", "/sessions", None, {"Origin": "http://localhost:3000",
                                        "Access_Control_Request_Method": "POST"}, 405),
    ],
)
def test_attacks_are_refused_and_start_nothing(guarded, method, path, body, change, status):
    port = guarded.url.rsplit(":", 1)[1]
    change = {k: v.replace("{port}", port) for k, v in change.items()}
    got, headers, raw = _send(guarded, method, path, body, _headers(guarded, **change))
    assert got == status, raw
    assert raw.count(b"\n") == 0 and set(json.loads(raw)) == {"msg"}
    assert not any(k.lower().startswith("access-control-") for k in headers)
    assert guarded.manager.list() == []
    assert _worker_children() == []


def test_the_right_client_gets_through(guarded):
    status, _, raw = _send(guarded, "GET", "/sessions", None, _headers(guarded))
    assert status == 200 and json.loads(raw)["sessions"] == []
    # past the guard, the route itself answers (a bad kind: no Spark is started for it)
    status, _, raw = _send(guarded, "POST", "/sessions", b'{"kind": "sparkr"}', _headers(guarded))
    assert status == 400 and "sparkr" in json.loads(raw)["msg"]
    assert guarded.manager.list() == [] and _worker_children() == []
