"""`kit endpoint connect/status/disconnect` against a local AWS (moto server) and a real sshd."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import boto3
import nbformat
import pytest
from click.testing import CliRunner

from kit.cli import KitGroup
from kit.endpoints import sparkmagic_conf, tunnel
from kit.endpoints.commands import endpoint

from . import sshd as sshd_harness
from .conftest import run_notebook, sparkmagic_home, text_of
from .expected import monthly_totals, parse_show

pytestmark = pytest.mark.slow  # starts Spark drivers, kernels and servers

ENDPOINT = "nb-dev"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    server = sshd_harness.start(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def aws():
    """moto in server mode on 127.0.0.1 holding one READY dev endpoint."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    glue = boto3.client("glue", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    glue.create_dev_endpoint(EndpointName=ENDPOINT, RoleArn="arn:aws:iam::123456789012:role/g",
                             SubnetId="subnet-default", PublicKey="ssh-ed25519 AAAA test")
    yield url
    server.stop()


@pytest.fixture
def kit(workdir, monkeypatch):
    """The kit CLI (with the endpoint group) run in-process on the endpoint's project."""
    monkeypatch.setenv("KIT_PROJECT", str(workdir))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    cli = KitGroup("kit")
    cli.add_command(endpoint)

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["endpoint", *args], catch_exceptions=False)

    yield invoke
    tunnel.close(workdir / ".kit")


def connect_args(sshd, aws, livy, tmp_path: Path, local_port: int, key: Path | None = None):
    # The dev endpoint's public address is <name>.glue.amazonaws.com; this ssh_config sends it to
    # the local sshd, from where Livy is 127.0.0.1:<port> (169.254.76.1:8998 on a real endpoint).
    config = sshd.client_config(tmp_path / "ssh_config", "*.glue.amazonaws.com")
    return [
        "connect", ENDPOINT, "--key", str(key or sshd.client_key), "--user", sshd.user,
        "--ssh-config", str(config), "--remote-host", "127.0.0.1",
        "--remote-port", str(livy.server_address[1]), "--local-port", str(local_port),
        "--endpoint-url", aws, "--region", "us-east-1",
    ]


def test_notebook_runs_through_the_ssh_tunnel(kit, sshd, aws, livy, workdir, tmp_path):
    local_port = sshd_harness.free_port()
    result = kit(*connect_args(sshd, aws, livy, tmp_path, local_port))
    assert result.exit_code == 0, result.output
    url = f"http://127.0.0.1:{local_port}"
    assert f"Livy answers at {url}" in result.output
    conf = workdir / ".kit" / "sparkmagic"
    assert sparkmagic_conf.livy_url(conf) == url
    recorded = tunnel.load(workdir / ".kit")
    assert recorded is not None and recorded.alive and recorded.name == ENDPOINT

    status = kit("status")
    assert status.exit_code == 0 and f"tunnel to {ENDPOINT} is up" in status.output

    # the example notebook, unchanged, through sparkmagic -> tunnel -> sshd -> local endpoint
    nb = nbformat.read(workdir / "notebooks" / "orders_by_month.ipynb", as_version=4)
    run_notebook(nb, sparkmagic_home(tmp_path / "home", url), workdir / "notebooks")
    shown = next(c for c in nb.cells if c.cell_type == "code" and "totals.show(" in c.source)
    expected = monthly_totals(workdir / "data" / "orders_by_month")
    rows = parse_show(text_of(shown))
    assert [(m, c) for m, c, *_ in rows] == [(m, c) for m, c, *_ in expected[:12]]

    closed = kit("disconnect")
    assert closed.exit_code == 0 and f"closed the tunnel to {ENDPOINT}" in closed.output
    assert not recorded.alive
    after = kit("status")
    assert after.exit_code == 1
    assert after.output.strip() == (
        "kit: error: no tunnel is open; run `kit endpoint connect NAME --key FILE`"
    )


def test_dead_tunnel_gives_one_line_error(kit, sshd, aws, livy, workdir, tmp_path):
    result = kit(*connect_args(sshd, aws, livy, tmp_path, sshd_harness.free_port()))
    assert result.exit_code == 0, result.output
    recorded = tunnel.load(workdir / ".kit")
    os.kill(recorded.pid, signal.SIGKILL)
    status = kit("status")
    assert status.exit_code == 1
    lines = status.output.strip().splitlines()
    assert len(lines) == 1 and f"the tunnel to {ENDPOINT} is dead" in lines[0]
    again = kit("disconnect")
    assert again.exit_code == 0 and tunnel.load(workdir / ".kit") is None


def test_connect_errors_are_one_line(kit, sshd, aws, livy, workdir, tmp_path):
    missing = kit("connect", "no-such-endpoint", "--endpoint-url", aws, "--region", "us-east-1")
    assert missing.exit_code == 1
    assert missing.output.strip() == (
        "kit: error: dev endpoint 'no-such-endpoint' not found in us-east-1; "
        "list them with `aws glue get-dev-endpoints` or pass --region"
    )

    stranger = sshd_harness.keygen(tmp_path / "stranger")
    refused = kit(*connect_args(sshd, aws, livy, tmp_path, sshd_harness.free_port(), stranger))
    assert refused.exit_code == 1
    assert len(refused.output.strip().splitlines()) == 1
    assert "ssh to" in refused.output and "Permission denied" in refused.output
    assert tunnel.load(workdir / ".kit") is None

    closed_port = sshd_harness.free_port()
    nobody = kit("connect", "--livy-url", f"http://127.0.0.1:{closed_port}")
    assert nobody.exit_code == 1
    assert nobody.output.startswith(f"kit: error: Livy at http://127.0.0.1:{closed_port} does not")


def test_livy_url_configures_sparkmagic_without_a_tunnel(kit, livy, workdir):
    conf = workdir / ".kit" / "sparkmagic" / "config.json"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text('{"custom_headers": {"X-Team": "data"}}', encoding="utf-8")
    result = kit("connect", "--livy-url", livy.url)
    assert result.exit_code == 0, result.output
    assert sparkmagic_conf.livy_url(conf.parent) == livy.url
    import json

    data = json.loads(conf.read_text())
    assert data["custom_headers"] == {"X-Team": "data"}  # the user's own setting survives
    assert data["kernel_scala_credentials"]["url"] == livy.url
    assert tunnel.load(workdir / ".kit") is None
