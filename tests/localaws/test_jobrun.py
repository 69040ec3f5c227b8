"""A job's boto3 and Spark share one local AWS during ``kit run``; nothing leaves the machine."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest

SCRIPT = Path(__file__).parent / "scripts" / "archive_orders.py"
SECRET = "s3cr3t-pa55word-do-not-print"
API_KEY = "api-key-value-never-printed"
AWS_TOML = """\
[[buckets]]
name = "acme-data"
upload = { "in/orders/" = "sample/" }

[ssm]
"/orders/min_amount" = "50"
"/orders/api_key" = { type = "SecureString", secret = "ORDERS_API_KEY" }

[secrets]
"orders/db" = { secret = "ORDERS_DB" }

[sns]
topics = ["orders-done"]

[sqs]
queues = ["orders-done-watch"]
subscriptions = [{ topic = "orders-done", queue = "orders-done-watch" }]
"""


class Trap:
    """A proxy that answers nothing and records every connection: any request meant for the
    internet (HTTP(S)_PROXY points here, loopback excepted) is recorded."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.seen: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.seen.append(conn.recv(4096))


@pytest.fixture
def job_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "sample").mkdir(parents=True)
    (root / "local").mkdir()
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (root / "local" / "aws.toml").write_text(AWS_TOML, encoding="utf-8")
    (root / "sample" / "jan.csv").write_text("id,amount\n1,10\n2,60\n", encoding="utf-8")
    (root / "sample" / "feb.csv").write_text("id,amount\n3,70\n4,80\n5,5\n", encoding="utf-8")
    shutil.copy(SCRIPT, root / "archive_orders.py")
    return root


NETGUARD = Path(__file__).parent / "netguard"


def _isolated_network() -> list[str] | None:
    """A command prefix running a program in its own network namespace with only loopback
    (nothing can leave the machine, whatever the language), or None where that is refused."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return None
    prefix = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "netns"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


def _kit_run(root: Path, trap: Trap, extra_env: dict[str, str],
             prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KIT_"))}
    env["KIT_LOCAL_AWS_IDLE"] = "0"  # the run starts its own local AWS and stops it
    env.update({
        # credentials a user may have exported: a local run must ignore them
        "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY00", "AWS_SECRET_ACCESS_KEY": "real-secret",
        "AWS_REGION": "eu-west-1",
        "HTTP_PROXY": trap.url, "HTTPS_PROXY": trap.url, "NO_PROXY": "localhost,127.0.0.1",
        "ORDERS_DB": json.dumps({"username": "etl", "password": SECRET}),
        "ORDERS_API_KEY": API_KEY, **extra_env,
    })
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "kit", "run", "archive_orders.py", "--JOB_NAME", "archive",
         "--bucket", "acme-data", "--input_prefix", "in/orders/",
         "--archive_prefix", "archive/orders/", "--output_prefix", "out/big/"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )


@pytest.mark.slow
def test_the_issue_script_runs_unchanged_against_a_running_local_aws(job_project: Path):
    root_s3 = job_project / ".kit" / "s3"
    # `kit aws local` in the project, as a user starts it: it records its endpoint for kit run
    server = subprocess.Popen(
        [sys.executable, "-m", "kit", "aws", "local", "--port", "0"], cwd=job_project,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    trap = Trap()
    try:
        endpoint = server.stdout.readline().strip().split("=", 1)[1]  # type: ignore[union-attr]
        assert json.loads((job_project / ".kit" / "local-aws.json").read_text())["endpoint"] == endpoint
        proc = _kit_run(job_project, trap, {})
        assert proc.returncode == 0, proc.stderr[-3000:]
        # the user's own keys were meant for elsewhere: ignored, and kit says so
        assert "credentials in this environment are ignored" in proc.stderr
        assert SECRET not in proc.stdout + proc.stderr and API_KEY not in proc.stdout + proc.stderr

        def client(service: str):
            return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                                aws_access_key_id="t", aws_secret_access_key="t")

        s3 = client("s3")
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="acme-data")["Contents"])
        assert [k for k in keys if not k.startswith("out/")] == [
            "archive/orders/feb.csv", "archive/orders/jan.csv", "run/summary.json"]
        summary = s3.get_object(Bucket="acme-data", Key="run/summary.json")["Body"].read()
        assert json.loads(summary) == {"rows": 3}
        assert any(k.startswith("out/big/part-") and k.endswith(".parquet") for k in keys)
        assert not (root_s3 / "acme-data" / "in").exists()  # moved, on disk too

        sqs = client("sqs")
        url = sqs.get_queue_url(QueueName="orders-done-watch")["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        body = json.loads(json.loads(messages[0]["Body"])["Message"])
        assert body == {"rows": 3, "inputs": 2, "parquet": body["parquet"], "db_user": "etl",
                        "api_key_length": len(API_KEY)}
        assert body["parquet"] >= 1
        assert trap.seen == []  # no request left the machine
    finally:
        trap.sock.close()
        server.terminate()
        server.communicate(timeout=120)
    assert server.returncode == 0
    assert not (job_project / ".kit" / "local-aws.json").exists()


@pytest.mark.slow
def test_kit_run_starts_a_local_aws_on_demand_and_nothing_leaves_the_machine(
    job_project: Path, tmp_path: Path
):
    """The issue's test: the script runs unchanged, in a network namespace with loopback only
    when the system allows one, every Python process of the run under an audit hook that
    records any connection or lookup outside the machine."""
    net_log = tmp_path / "net.log"
    net_log.touch()
    guard = {"PYTHONPATH": os.pathsep.join(filter(None, [str(NETGUARD), os.environ.get("PYTHONPATH")])),
             "KIT_TEST_NET_LOG": str(net_log)}
    # the guard is live: a Python process given the same environment cannot leave unrecorded
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 443), 5)"],
        env={**os.environ, **guard}, capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and net_log.read_text().split()[1:] == ["connect", "192.0.2.1:443"]
    net_log.write_text("")
    trap = Trap()
    try:
        proc = _kit_run(job_project, trap, guard, _isolated_network())
    finally:
        trap.sock.close()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "use kit's local AWS at http://localhost:" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr and API_KEY not in proc.stdout + proc.stderr
    assert net_log.read_text() == ""  # no process of the run tried to leave the machine
    assert trap.seen == []
    data = job_project / ".kit" / "s3" / "acme-data"
    assert sorted(p.name for p in (data / "archive" / "orders").iterdir()) == ["feb.csv", "jan.csv"]
    assert not (data / "in").exists()
    parts = sorted((data / "out" / "big").glob("part-*.parquet"))
    assert parts

    # what Spark wrote is what boto3 lists: a local AWS on the same object root after the run
    from kit import localaws

    server = localaws.start(s3_root=job_project / ".kit" / "s3")
    try:
        s3 = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="t", aws_secret_access_key="t")
        listed = s3.list_objects_v2(Bucket="acme-data", Prefix="out/big/")["Contents"]
        by_key = {o["Key"]: o for o in listed}
        for part in parts:
            entry = by_key[f"out/big/{part.name}"]
            assert entry["Size"] == part.stat().st_size
            assert entry["ETag"] == f'"{hashlib.md5(part.read_bytes()).hexdigest()}"'
            assert abs(entry["LastModified"].timestamp() - part.stat().st_mtime) < 1.0
        assert "out/big/_SUCCESS" in by_key
        assert not any(k.endswith(".crc") for k in by_key)  # Hadoop's side files are not objects
        top = s3.list_objects_v2(Bucket="acme-data", Delimiter="/")
        assert sorted(p["Prefix"] for p in top["CommonPrefixes"]) == ["archive/", "out/", "run/"]
        assert "Contents" not in top
        paged = s3.get_paginator("list_objects_v2").paginate(
            Bucket="acme-data", Prefix="archive/", PaginationConfig={"PageSize": 1})
        assert [o["Key"] for page in paged for o in page["Contents"]] == [
            "archive/orders/feb.csv", "archive/orders/jan.csv"]
    finally:
        server.stop()
