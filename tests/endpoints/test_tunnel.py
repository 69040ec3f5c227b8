"""`kit endpoint connect/status/disconnect` against a local AWS (moto server) and a real sshd."""

from __future__ import annotations

import os
import signal
import time
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


@pytest.fixture(scope="module")
def livy(workdir: Path):
    """The dev endpoint's Livy, behind the tunnel: kit's endpoint without kit's access token
    (Apache Livy on a Glue dev endpoint has none), still refusing non-JSON and CSRF requests."""
    from kit.endpoints import server as livy_server

    server = livy_server.make_server(workdir, port=0, state_dir=workdir / ".kit",
                                     master="local[1]", token=None)
    thread = livy_server.start_in_thread(server)
    yield server
    livy_server.shutdown(server, thread)


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
    deadline = time.monotonic() + 30
    while recorded.alive:  # the signal is delivered asynchronously
        assert time.monotonic() < deadline, "ssh survived SIGKILL"
        time.sleep(0.05)
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


def test_livy_url_configures_sparkmagic_without_a_tunnel(kit, livy, workdir, tmp_path,
                                                         monkeypatch):
    home = tmp_path / "home"
    own = home / ".sparkmagic" / "config.json"
    own.parent.mkdir(parents=True)
    own.write_text('{"kernel_python_credentials": {"url": "http://mine:8998"}}')
    monkeypatch.setenv("HOME", str(home))
    conf = workdir / ".kit" / "sparkmagic" / "config.json"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text('{"custom_headers": {"X-Team": "data"}}', encoding="utf-8")
    result = kit("connect", "--livy-url", livy.url)
    assert result.exit_code == 0, result.output
    assert sparkmagic_conf.livy_url(conf.parent) == livy.url
    import json

    data = json.loads(conf.read_text())
    assert data["custom_headers"] == {"X-Team": "data", "X-Requested-By": "kit"}  # the user's own setting survives, plus Livy's CSRF header
    assert data["kernel_scala_credentials"]["url"] == livy.url
    assert tunnel.load(workdir / ".kit") is None
    # the user's own sparkmagic config is never touched
    assert own.read_text() == '{"kernel_python_credentials": {"url": "http://mine:8998"}}'
    assert sorted(p.name for p in home.rglob("*")) == [".sparkmagic", "config.json"]


def test_user_ssh_options_override_kits_defaults():
    # ssh keeps the first value of an option: `ssh -G` prints what it would really use
    import subprocess

    spec = tunnel.TunnelSpec(address="endpoint.example", key=None, local_port=9001,
                             options=("ServerAliveInterval=30", "ExitOnForwardFailure=no"))
    command = tunnel.ssh_command(spec)
    effective = subprocess.run([command[0], "-G", *command[1:]], capture_output=True, text=True,
                               check=True).stdout
    settings = dict(line.split(" ", 1) for line in effective.splitlines())
    assert settings["serveraliveinterval"] == "30"
    assert settings["exitonforwardfailure"] == "no"
    assert settings["batchmode"] == "yes"  # kit's default where the user said nothing
    assert settings["user"] == "glue" and settings["hostname"] == "endpoint.example"
    assert settings["localforward"] == "[127.0.0.1]:9001 [169.254.76.1]:8998"


def test_unknown_host_key_says_how_to_trust_it(kit, sshd, aws, livy, workdir, tmp_path):
    # A first connection to a dev endpoint: its host key is in no known_hosts file yet.
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    config = tmp_path / "ssh_config"
    config.write_text(
        "Host *.glue.amazonaws.com\n  HostName 127.0.0.1\n"
        f"  Port {sshd.port}\n  UserKnownHostsFile {known_hosts}\n"
        "  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n",
        encoding="utf-8",
    )
    args = ["connect", ENDPOINT, "--key", str(sshd.client_key), "--user", sshd.user,
            "--ssh-config", str(config), "--remote-host", "127.0.0.1",
            "--remote-port", str(livy.server_address[1]),
            "--endpoint-url", aws, "--region", "us-east-1"]
    refused = kit(*args, "--local-port", str(sshd_harness.free_port()))
    assert refused.exit_code == 1
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and "Host key verification failed" in lines[0]
    assert "--ssh-option StrictHostKeyChecking=accept-new" in lines[0]
    assert tunnel.load(workdir / ".kit") is None

    trusted = kit(*args, "--local-port", str(sshd_harness.free_port()),
                  "--ssh-option", "StrictHostKeyChecking=accept-new")
    assert trusted.exit_code == 0, trusted.output
    host_key = (sshd.known_hosts.read_text().split()[1:3])
    assert host_key[1] in known_hosts.read_text()  # trusted on first use, recorded for later
    assert kit("disconnect").exit_code == 0


def test_endpoint_gone_behind_a_live_tunnel_is_one_line(kit, sshd, aws, workdir, tmp_path):
    from kit.endpoints import server as livy_server

    # a Livy of its own, to stop behind the tunnel (the endpoint stopped, the tunnel still up)
    own = livy_server.make_server(tmp_path, port=0, state_dir=tmp_path / ".kit")
    thread = livy_server.start_in_thread(own)
    try:
        result = kit(*connect_args(sshd, aws, own, tmp_path, sshd_harness.free_port()))
        assert result.exit_code == 0, result.output
    finally:
        livy_server.shutdown(own, thread)
    recorded = tunnel.load(workdir / ".kit")
    status = kit("status")
    assert status.exit_code == 1
    lines = status.output.strip().splitlines()
    assert len(lines) == 1
    assert f"the tunnel to {ENDPOINT} is up but Livy at {recorded.livy_url} does not answer" \
        in lines[0]
    assert recorded.alive  # only Livy is gone; disconnect still closes the tunnel
    assert kit("disconnect").exit_code == 0 and not recorded.alive


def test_endpoint_not_ready_is_one_line(kit, aws):
    # The local AWS's own record of the endpoint, as AWS has it while it provisions.
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.glue.models import glue_backends

    record = glue_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].dev_endpoints[ENDPOINT]
    record.status = "PROVISIONING"
    try:
        result = kit("connect", ENDPOINT, "--endpoint-url", aws, "--region", "us-east-1")
    finally:
        record.status = "READY"
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"kit: error: dev endpoint '{ENDPOINT}' is PROVISIONING, not READY; "
        "wait until it is READY and retry"
    )


def test_vpc_endpoint_is_reached_at_its_private_address(kit, sshd, aws, livy, workdir, tmp_path):
    # A dev endpoint in a VPC subnet has no public address: kit uses the private one.
    glue = boto3.client("glue", endpoint_url=aws, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    glue.create_dev_endpoint(EndpointName="nb-vpc", RoleArn="arn:aws:iam::123456789012:role/g",
                             SubnetId="subnet-0abc", PublicKey="ssh-ed25519 AAAA test")
    private = glue.get_dev_endpoint(EndpointName="nb-vpc")["DevEndpoint"]["PrivateAddress"]
    config = sshd.client_config(tmp_path / "ssh_config", private)
    local_port = sshd_harness.free_port()
    result = kit("connect", "nb-vpc", "--key", str(sshd.client_key), "--user", sshd.user,
                 "--ssh-config", str(config), "--remote-host", "127.0.0.1",
                 "--remote-port", str(livy.server_address[1]), "--local-port", str(local_port),
                 "--endpoint-url", aws, "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    recorded = tunnel.load(workdir / ".kit")
    assert recorded.command[-1] == f"{sshd.user}@{private}"
    assert kit("disconnect").exit_code == 0
