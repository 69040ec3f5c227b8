"""``kit aws local`` as a user runs it: a real process, stopped with SIGTERM or Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import boto3
import pytest

from kit import localaws


def _start(tmp_path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "aws", "local", "--port", "0"], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline().strip()  # type: ignore[union-attr]
    assert line.startswith("export AWS_ENDPOINT_URL=http://localhost:"), line
    return proc, line.split("=", 1)[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signalled_then_frees_the_port(tmp_path, sig):
    proc, endpoint = _start(tmp_path)
    try:
        sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="k", aws_secret_access_key="s")
        assert sts.get_caller_identity()["Account"] == localaws.ACCOUNT_ID
    finally:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and err.strip().endswith("kit: local AWS stopped")
    port = int(endpoint.rsplit(":", 1)[1])
    with socket.socket() as sock:  # nobody listens there any more (TIME_WAIT may remain)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


def test_port_in_use_is_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "kit", "aws", "local", "--port", str(port)], cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"kit: error: port {port} is already in use on 127.0.0.1; pick another with --port "
        "(0 for any free port)"
    ]
