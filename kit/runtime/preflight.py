"""What ``kit run`` checks before it starts a JVM, so user errors are one line, not a Spark trace.

Everything kit can know up front is checked here: the master URL (and that a ``spark://`` master
answers, within a bounded wait instead of Spark's endless retry), Glue's reserved arguments and
their allowed values, declared job arguments given without a value, the local inputs a job's
defaults name, and the local job bookmark's state. Errors inside the user's own script are not
touched: they still reach the user with their traceback and exit status, as on Glue.
"""

from __future__ import annotations

import ast
import os
import re
import socket
import time
from pathlib import Path

from kit.config import ProjectConfig
from kit.errors import BookmarkError, PreflightError
from kit.runtime import bookmarks, glueargs

ENV_MASTER_WAIT = "KIT_MASTER_WAIT"
DEFAULT_MASTER_WAIT = 5.0
_LOCAL = re.compile(r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?")
_LOCAL_CLUSTER = re.compile(r"local-cluster\[[1-9]\d*,\s*[1-9]\d*,\s*[1-9]\d*\]")
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})")
_OUTPUT_WORDS = {"output", "out", "target", "dest", "destination", "sink", "temp", "tmp",
                 "staging", "checkpoint", "result", "results", "export"}
_LOOKS_LIKE_PATH = re.compile(r"[/\\]|\.(csv|json|jsonl|parquet|orc|avro|txt|xml|gz|zip)$", re.I)


def is_job_target(target: str, config: ProjectConfig) -> bool:
    """True when ``kit run TARGET`` names a job or a twin of a pair (exported, then run)."""
    path = Path(target)
    if path.suffix == "" and "/" not in target:
        return True
    return path.suffix == ".ipynb" or (
        path.suffix == ".py" and Path(os.path.abspath(target)).parent == config.jobs_dir
    )


def master_endpoints(master: str) -> list[tuple[str, int]]:
    """The (host, port) pairs of a ``spark://`` master; [] for local masters; one-line errors."""
    if _LOCAL.fullmatch(master) or _LOCAL_CLUSTER.fullmatch(master):
        return []
    if not master.startswith("spark://"):
        scheme = master.split("://", 1)[0] + "://" if "://" in master else master
        raise PreflightError(
            f"--master {master!r}: kit run supports local, local[N], local[*] and "
            f"spark://HOST:PORT, not {scheme!r}; e.g. --master local[*]"
        )
    found = []
    for item in master[len("spark://"):].split(","):
        match = _HOST_PORT.fullmatch(item.strip())
        if not match or not 0 < int(match.group(2)) < 65536:
            raise PreflightError(
                f"--master {master!r}: expected spark://HOST:PORT with a port from 1 to 65535, "
                "e.g. spark://127.0.0.1:7077"
            )
        found.append((match.group(1).strip("[]"), int(match.group(2))))
    return found


def check_master(master: str, wait: float | None = None) -> None:
    """Refuse an unsupported master URL, or a ``spark://`` master that does not answer in time."""
    endpoints = master_endpoints(master)
    if not endpoints:
        return
    if wait is None:
        try:
            wait = float(os.environ.get(ENV_MASTER_WAIT, DEFAULT_MASTER_WAIT))
        except ValueError:
            wait = DEFAULT_MASTER_WAIT
    deadline = time.monotonic() + max(wait, 0.1)
    reason = "no answer"
    while True:
        for host, port in endpoints:  # any one master of a standby list is enough
            try:
                with socket.create_connection((host, port), timeout=max(0.1, min(1.0, wait))):
                    return
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    raise PreflightError(
        f"Spark master {master} does not answer ({reason.lower()}) after {wait:g}s; "
        f"start it (sbin/start-master.sh) or run on --master local[*]"
    )


def script_job_args(script: Path) -> dict[str, str]:
    """The literal ``JOB_ARGS`` dict a kit Glue script declares (name → local default), or {}."""
    try:
        tree = ast.parse(Path(script).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, expr = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, expr = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "JOB_ARGS":
            try:
                value = ast.literal_eval(expr)
            except ValueError:
                return {}
            if isinstance(value, dict):
                return {str(k): str(v) for k, v in value.items()}
    return {}


def check_arguments(argv: list[str], declared: dict[str, str]) -> None:
    """Declared (and reserved) arguments given without a value, and reserved values Glue refuses."""
    names = {*declared, "JOB_NAME", *glueargs.RESERVED_VALUES}
    for i, arg in enumerate(argv):
        if not arg.startswith("--") or "=" in arg:
            continue
        name = arg[2:]
        following = argv[i + 1] if i + 1 < len(argv) else None
        if name in names and (following is None or following.startswith("--")):
            example = declared.get(name) or "VALUE"
            raise PreflightError(
                f"--{name} needs a value (e.g. --{name} {example}); "
                "Glue passes every job argument as --NAME VALUE"
            )
    glueargs.check_reserved(argv)


def effective(argv: list[str], name: str, default: str) -> str:
    """The value ``--name`` gets: the last one given on the command line, else the default."""
    values = glueargs.values(argv, name)
    return values[-1] if values else default


def is_sample_input(name: str, default: str, config: ProjectConfig) -> bool:
    """True for a declared argument whose default names a local input in the project's sample
    data folder (``data/``), and whose name does not say it is written to."""
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    if words & _OUTPUT_WORDS or "://" in default or not _LOOKS_LIKE_PATH.search(default):
        return False
    local = Path(default) if Path(default).is_absolute() else config.root / default
    try:
        local.resolve().relative_to(config.data_dir)
    except ValueError:
        return False
    return True


def check_inputs(argv: list[str], declared: dict[str, str], config: ProjectConfig) -> None:
    """The sample inputs a job's declared defaults name must exist before Spark tries to read them."""
    for name, default in declared.items():
        if not is_sample_input(name, default, config):
            continue
        value = effective(argv, name, default)
        if "://" in value:
            continue
        local = Path(value) if Path(value).is_absolute() else config.root / value
        if not local.exists():
            raise PreflightError(
                f"input --{name} {value} not found (looked at {local}); restore the sample data "
                f"or pass --{name} PATH"
            )


def check_bookmark(argv: list[str], job_name: str | None, config: ProjectConfig) -> None:
    """With bookmarks on, the job's local state must be readable (``kit bookmark reset`` fixes it)."""
    option = effective(argv, "job-bookmark-option", bookmarks.DISABLE)
    if option == bookmarks.DISABLE or not job_name:
        return
    folder = None if os.environ.get(bookmarks.ENV_DIR) else config.state_dir / "bookmarks"
    try:
        bookmarks.load_state(job_name, folder)
    except BookmarkError as exc:
        raise PreflightError(str(exc)) from exc


def check_job(job: str, argv: list[str], declared: dict[str, str], config: ProjectConfig) -> None:
    """Every check that needs the job's declared arguments, before anything is written or started."""
    check_arguments(argv, declared)
    glueargs.parse(argv, config.root)
    check_inputs(argv, declared, config)
    check_bookmark(argv, effective(argv, "JOB_NAME", job), config)


def check_plan(script: Path, argv: list[str], job: str | None, config: ProjectConfig,
               master: str) -> None:
    """The runner's hook: all of the above for the script about to run."""
    check_master(master)
    declared = script_job_args(script)
    name = effective(argv, "JOB_NAME", job or "")
    check_job(name, argv, declared, config)
