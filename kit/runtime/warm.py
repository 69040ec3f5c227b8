"""``kit run --warm``: run a Glue script in a resident Spark driver instead of a new one.

A cold ``kit run`` spends nearly all its time starting the JVM and the SparkContext. The warm run
sends the script to the warm engine (``kit.endpoints.engine``: kit's local Livy endpoint, running
in the background) as a statement of one long-lived pyspark session, whose interpreter runs it
with ``kit.endpoints.scriptrun``: fresh ``__main__``, ``sys.argv`` and imports, Spark's session
state reset afterwards. Its stdout/stderr are streamed from files while it runs; its exit status
is the run's. A run that kills or stops the driver ends that session: the next run starts a new
one (cold). Spark settings fixed at driver start (``--conf``, the master) get their own driver.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from kit.config import ProjectConfig
from kit.endpoints import engine as warm_engine
from kit.endpoints.errors import EndpointError
from kit.errors import RunError
from kit.runtime import dependencies, glueargs
from kit.runtime.runner import RunPlan, RunResult, summarize
from kit.runtime.spark import DEFAULT_MASTER, require_java

SESSION_PREFIX = "kit-run-"
IDLE_TIMEOUT = 3600  # seconds: a warm driver nobody used for an hour is stopped (heartbeat)
DEAD_STATES = ("dead", "error", "killed", "shutting_down")
POLL = 0.005
START_TIMEOUT = 300.0  # seconds for a new driver to come up (a loaded machine is slow)


def run(
    run_plan: RunPlan,
    config: ProjectConfig,
    master: str = DEFAULT_MASTER,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> RunResult:
    """Run the planned script on the warm engine (started on first use); as ``runner.run``."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    require_java()
    options = glueargs.parse(run_plan.argv, config.root)
    deps = dependencies.apply(run_plan.argv, config, run_plan.job, None, options.spark_conf)
    options.spark_conf.update(deps.spark_conf)  # jars: a driver of their own (fixed at start)
    options.python_path += deps.python_path  # the overlay goes on sys.path for this run only
    from kit.localaws.jobrun import reload_fixtures

    reload_fixtures(config)  # the warm driver's AWS is the project's local AWS (worker_env)
    started = time.perf_counter()
    engine = _engine(config, master)
    client = engine.client()
    session_id = _session(client, options.spark_conf)
    runs = warm_engine.folder(config.state_dir) / "runs"
    runs.mkdir(mode=0o700, parents=True, exist_ok=True)
    out_path, err_path = (runs / f"{uuid.uuid4().hex}.{s}" for s in ("out", "err"))
    request = {
        "script": str(run_plan.script), "argv": list(run_plan.argv), "cwd": str(config.root),
        "python_path": list(options.python_path), "stdout": str(out_path),
        "stderr": str(err_path),
    }
    try:
        statement = client.post(f"/sessions/{session_id}/statements",
                                {"code": _statement_code(request), "kind": "pyspark"})
        final, interrupted = _follow(client, session_id, statement["id"], (out_path, stdout),
                                     (err_path, stderr))
    finally:
        out_path.unlink(missing_ok=True)
        err_path.unlink(missing_ok=True)
    code, restart = _outcome(final, stderr)
    if interrupted:  # a cancel may land anywhere in the run's clean-up: start afresh next time
        code, restart = 130, True
    if restart:
        _delete(client, session_id)
    seconds = time.perf_counter() - started
    return RunResult(code, seconds, [summarize(p) for p in run_plan.outputs])


def stop(config: ProjectConfig) -> bool:
    """Stop the warm engine and its driver; False when none was running."""
    return warm_engine.stop(config.state_dir)


def session_name(spark_conf: Mapping[str, str]) -> str:
    """The warm session for these driver settings (settings fixed at start need their driver)."""
    digest = hashlib.sha256(json.dumps(dict(spark_conf), sort_keys=True).encode()).hexdigest()
    return SESSION_PREFIX + digest[:12]


def _engine(config: ProjectConfig, master: str) -> warm_engine.Engine:
    engine = warm_engine.find(config.state_dir)
    if engine is not None and engine.master != master:
        warm_engine.stop(config.state_dir)  # another master: a driver for this one
        engine = None
    if engine is None:
        engine = warm_engine.start(config.root, config.state_dir, master)
    return engine


def _session(client: Any, spark_conf: Mapping[str, str]) -> int:
    """The id of an idle-or-busy warm session with these settings, started if needed."""
    name = session_name(spark_conf)
    mine = None
    for session in client.get("/sessions?size=1000")["sessions"]:
        if session["name"] == name and session["state"] not in DEAD_STATES:
            mine = session
        elif (session["name"] or "").startswith(SESSION_PREFIX):
            _delete(client, session["id"])  # one warm driver at a time: they cost memory
    if mine is None:
        mine = client.post("/sessions", {
            "kind": "pyspark", "name": name, "conf": dict(spark_conf),
            "heartbeatTimeoutInSecond": IDLE_TIMEOUT,
        })
    deadline = time.monotonic() + START_TIMEOUT
    while mine["state"] == "starting":
        if time.monotonic() > deadline:
            _delete(client, mine["id"])
            raise RunError(f"the warm Spark driver did not start within {START_TIMEOUT:.0f}s; "
                           "see .kit/warm/logs/")
        time.sleep(0.05)
        mine = client.get(f"/sessions/{mine['id']}")
    if mine["state"] in DEAD_STATES:
        log = "\n".join(mine.get("log") or [])
        _delete(client, mine["id"])
        raise RunError(f"the warm Spark driver did not start: {log.strip()[-500:] or 'no log'}")
    return int(mine["id"])


def _statement_code(request: dict[str, Any]) -> str:
    return (
        "import json as _kit_json, kit.endpoints.scriptrun as _kit_scriptrun\n"
        f"_kit_run = _kit_scriptrun.run(_kit_json.loads({json.dumps(request)!r}))\n"
        "%json _kit_run"
    )


def _follow(client: Any, session_id: int, statement_id: int,
            *streams: tuple[Path, TextIO]) -> tuple[dict[str, Any], bool]:
    """Copy the run's output as it comes until the statement ends; Ctrl+C cancels it.

    Returns the final statement and whether it was interrupted.
    """
    offsets = [0] * len(streams)
    path = f"/sessions/{session_id}/statements/{statement_id}"
    cancelled = False
    while True:
        try:
            statement = client.get(path)
            done = statement["state"] in ("available", "error", "cancelled")
            _copy(streams, offsets)
            if done:
                return statement, cancelled
            time.sleep(POLL)
        except KeyboardInterrupt:
            if cancelled:
                raise
            cancelled = True
            client.post(path + "/cancel", {})


def _copy(streams: tuple[tuple[Path, TextIO], ...], offsets: list[int]) -> None:
    for i, (path, target) in enumerate(streams):
        try:
            with open(path, "rb") as source:
                source.seek(offsets[i])
                data = source.read()
        except FileNotFoundError:
            continue
        if data:
            offsets[i] += len(data)
            target.write(data.decode("utf-8", errors="replace"))
            target.flush()


def _outcome(statement: dict[str, Any], stderr: TextIO) -> tuple[int, bool]:
    """(exit status, whether the session must be replaced) of a finished run statement."""
    output = statement.get("output") or {}
    if statement["state"] == "cancelled":
        return 130, False
    if output.get("status") == "ok":
        result = output.get("data", {}).get("application/json") or {}
        return int(result.get("exit", 1)), bool(result.get("restart"))
    # the driver died under the script (os._exit, a crash, the OOM killer): next run is cold
    print(f"kit: the warm Spark driver ended during the run ({output.get('evalue', 'unknown')}); "
          "the next run starts a new one", file=stderr)
    return 1, True


def _delete(client: Any, session_id: int) -> None:
    try:
        client.delete(f"/sessions/{session_id}")
    except EndpointError:
        pass  # already gone

