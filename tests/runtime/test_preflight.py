"""kit run: user errors are one line before Spark starts; the script's own errors pass through."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.errors import PreflightError
from kit.runtime import preflight
from tests.conftest import EXAMPLE
from tests.conftest import tree_digest as project_digest


def tree_digest(root: Path) -> dict[str, str]:
    """The project's files and hashes, kit's state folder (.kit/: sync records) aside."""
    return {k: v for k, v in project_digest(root).items() if not k.startswith(".kit/")}



def refused(result) -> str:
    lines = result.stderr.splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("kit: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--master", "bogus://x", EXAMPLE], "kit run supports local"),
        (["--master", "yarn", EXAMPLE], "kit run supports local"),
        (["--master", "spark://127.0.0.1:99999", EXAMPLE], "port from 1 to 65535"),
        (["--master", "spark://", EXAMPLE], "expected spark://HOST:PORT"),
        ([EXAMPLE, "--output_path"], "--output_path needs a value"),
        ([EXAMPLE, "--min_age", "--output_path", "x"], "--min_age needs a value"),
        ([EXAMPLE, "--job-bookmark-option", "on"], "job-bookmark-enable, job-bookmark-disable"),
        ([EXAMPLE, "--enable-spark-ui", "yes"], "use one of: true, false"),
        ([EXAMPLE, "--conf", "novalue"], "expected key=value"),
        ([EXAMPLE, "--orders_path", "data/nope.csv"], "input --orders_path data/nope.csv not found"),
    ],
)
def test_user_errors_are_one_line_before_anything_starts(project: Path, cli, args, expected):
    before = tree_digest(project)
    line = refused(cli("run", *args))
    assert expected in line, line
    assert tree_digest(project) == before


def test_missing_sample_input_named_by_a_default(project: Path, cli):
    sample = next((project / "data").rglob("*.csv"))
    sample.unlink()
    assert "not found" in refused(cli("run", EXAMPLE)) and sample.name in refused(cli("run", EXAMPLE))


def test_corrupt_bookmark_state_is_one_line_with_the_fix(project: Path, cli):
    state = project / ".kit" / "bookmarks" / f"{EXAMPLE}.json"
    state.parent.mkdir(parents=True)
    for content in ("{not json", json.dumps([1, 2]), json.dumps({"run": 1, "contexts": {"c": 3}})):
        state.write_text(content)
        line = refused(cli("run", EXAMPLE, "--job-bookmark-option", "job-bookmark-enable"))
        assert f"bookmark state {state}" in line and f"kit bookmark reset {EXAMPLE}" in line
    # with bookmarks disabled (Glue's default) the state is not read
    with pytest.raises(PreflightError, match="not found"):
        preflight.check_job(EXAMPLE, ["--orders_path", "nope.csv"], {"orders_path": "data/x.csv"},
                            kit_config.load(project))


def test_unreachable_spark_master_fails_within_the_bounded_wait(project: Path, cli, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(preflight.ENV_MASTER_WAIT, "0.5")
    started = time.monotonic()
    line = refused(cli("run", "--master", f"spark://127.0.0.1:{port}", EXAMPLE))
    assert f"Spark master spark://127.0.0.1:{port} does not answer" in line
    assert time.monotonic() - started < 30  # bounded, not Spark's endless retry


def test_reachable_master_and_local_masters_pass():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        preflight.check_master(f"spark://127.0.0.1:{server.getsockname()[1]}", wait=2)
    for master in ("local", "local[2]", "local[*]", "local[4,2]", "local-cluster[2,1,1024]"):
        preflight.check_master(master)


def test_declared_arguments_come_from_the_exported_script(project: Path):
    script = project / "build" / EXAMPLE / f"{EXAMPLE}.py"
    declared = preflight.script_job_args(script)
    assert "output_path" in declared and "min_age" in declared


def test_only_sample_inputs_are_checked(project: Path):
    cfg = kit_config.load(project)
    assert preflight.is_sample_input("orders_path", "data/orders_by_month/orders.csv", cfg)
    assert not preflight.is_sample_input("target_path", "data/new/out.csv", cfg)
    assert not preflight.is_sample_input("lookup_path", "elsewhere/x.csv", cfg)
    assert not preflight.is_sample_input("source_path", "s3://bucket/x.csv", cfg)
    # outputs and paths outside data/ may not exist yet: no error
    preflight.check_job(EXAMPLE, [], {"result_path": "data/none/x.csv", "lookup": "x/y.csv"}, cfg)
