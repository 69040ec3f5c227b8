"""The listening rules of kit's local AWS, over real HTTP."""

from __future__ import annotations

import socket
import sys

import pytest
import requests

from kit import localaws
from kit.errors import LocalAwsError
from kit.loopback import is_loopback_netloc

SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/sts/aws4_request, "
                           "SignedHeaders=host, Signature=00"}
CALLER = "Action=GetCallerIdentity&Version=2011-06-15"


def test_binds_loopback_only_and_answers_signed_calls(server, aws):
    assert server._server.server_address[0] == "127.0.0.1"
    assert aws("sts").get_caller_identity()["Account"] == localaws.ACCOUNT_ID


def test_refuses_unsigned_requests(server, aws):
    aws("s3").create_bucket(Bucket="bkt")
    refused = requests.put(f"{server.endpoint}/bkt/k", data=b"x", timeout=10)
    assert refused.status_code == 403 and "unsigned" in refused.text
    assert aws("s3").list_objects_v2(Bucket="bkt").get("KeyCount") == 0


def test_refuses_a_foreign_host(server):
    response = requests.post(server.endpoint, data=CALLER, timeout=10,
                             headers={**SIGNED, "Host": "attacker.example:80"})
    assert response.status_code == 403 and "Host" in response.text


def test_refuses_a_cross_origin_request(server):
    response = requests.post(server.endpoint, data=CALLER, timeout=10,
                             headers={**SIGNED, "Origin": "https://attacker.example"})
    assert response.status_code == 403 and "cross-origin" in response.text
    same = requests.post(server.endpoint, data=CALLER, timeout=10,
                         headers={**SIGNED, "Origin": server.endpoint,
                                  "Content-Type": "application/x-www-form-urlencoded"})
    assert same.status_code == 200 and localaws.ACCOUNT_ID in same.text
    assert "Access-Control-Allow-Origin" not in same.headers


def test_moto_control_api_needs_the_token(server, aws):
    aws("ssm").put_parameter(Name="/kept", Value="v", Type="String")
    response = requests.post(f"{server.endpoint}/moto-api/reset", timeout=10)
    assert response.status_code == 403
    assert [p["Name"] for p in aws("ssm").describe_parameters()["Parameters"]] == ["/kept"]
    server.reset()
    assert aws("ssm").describe_parameters()["Parameters"] == []


def test_info_names_the_server(server):
    info = localaws.probe(server.endpoint)
    assert info is not None
    assert (info["account"], info["region"]) == (localaws.ACCOUNT_ID, localaws.LOCAL_REGION)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert localaws.probe(f"http://localhost:{free}") is None


def test_a_taken_port_is_one_line(server):
    with pytest.raises(LocalAwsError, match=f"port {server.port} is already in use"):
        localaws.start(server.port)


@pytest.mark.parametrize(("netloc", "ok"), [
    ("localhost:5000", True), ("bucket.localhost:5000", True), ("127.0.0.1", True),
    ("[::1]:5000", True), ("localhost.attacker.example", False), ("10.0.0.1:5000", False),
    ("", False),
])
def test_loopback_hosts(netloc, ok):
    assert is_loopback_netloc(netloc) is ok


def test_missing_moto_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "moto", None)  # as when the extra is not installed
    from click.testing import CliRunner

    from kit.cli import main

    result = CliRunner().invoke(main, ["aws", "local", "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kit: error: kit's local AWS needs moto in server mode: pip install 'kit[localaws]'"
    )


@pytest.mark.parametrize("version", ["5.3.0", "5.2.4", "4.2.14"])
def test_a_moto_outside_the_pinned_range_is_refused(monkeypatch, version):
    import moto

    from kit.localaws.moto_compat import require_moto

    monkeypatch.setattr(moto, "__version__", version)
    with pytest.raises(LocalAwsError, match=rf"written for moto>=5.2.5,<5.3, found moto {version}"):
        require_moto()


def test_the_installed_moto_is_in_range():
    from kit.localaws.moto_compat import require_moto

    assert require_moto().startswith("5.2.")
