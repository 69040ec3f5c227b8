"""A cold `kit run`'s local AWS: started for each run vs kept for the project between runs.

A job script that only calls AWS (STS, SSM, S3 through boto3; no Spark, so the local AWS's share
of the run is what is measured) runs with the ``kit`` command in a throwaway project with a
``local/aws.toml``: ``KIT_LOCAL_AWS_IDLE=0`` starts and stops a local AWS inside every run; the
default keeps the first run's server for the next ones (``kit aws stop`` ends it). The per-run
series goes first (a kept server, once running, is found by every later run); the first kept
run (it starts the server) is reported apart; the ratio is median kept / median per-run. The
first line isolates the server's share: a fresh process starting one vs finding one.
Run: ``.venv/bin/python -m benchmarks localaws`` (or ``benchmarks/bench_localaws.py [REPEATS]``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = shutil.which("kit", path=os.path.dirname(sys.executable)) or "kit"
SCRIPT = """\
import boto3

account = boto3.client("sts").get_caller_identity()["Account"]
limit = boto3.client("ssm").get_parameter(Name="/cfg/limit")["Parameter"]["Value"]
boto3.client("s3").put_object(Bucket="bench", Key="out/done.txt", Body=account.encode())
print(account, limit)
"""
AWS_TOML = '[[buckets]]\nname = "bench"\n[ssm]\n"/cfg/limit" = "7"\n'


def _kit(root: Path, idle: str, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KIT_"))}
    env["KIT_LOCAL_AWS_IDLE"] = idle
    started = time.perf_counter()
    done = subprocess.run([KIT, *args], cwd=root, env=env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kit {' '.join(args)} failed ({done.returncode}): {done.stderr[-800:]}")
    return seconds


def _python(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def _server_share(repeats: int) -> None:
    """What a run pays for its local AWS alone, in a fresh process as a cold run is: starting
    one (importing moto included) vs finding a running one."""
    start = "from kit.localaws import start; start().stop()"
    from kit.localaws import start as start_server

    server = start_server()
    try:
        find = f"from kit.localaws import probe; assert probe({server.endpoint!r})"
        starts = [_python(start) for _ in range(repeats)]
        finds = [_python(find) for _ in range(repeats)]
    finally:
        server.stop()
    cold, found = statistics.median(starts), statistics.median(finds)
    print(f"fresh process: start a local AWS {cold:6.2f}s, find a running one {found:6.2f}s "
          f"(ratio {found / cold:.2f})")


def main(repeats: int = 5) -> None:
    _server_share(repeats)
    with tempfile.TemporaryDirectory(prefix="kit-bench-localaws-") as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
        (root / "local").mkdir()
        (root / "local" / "aws.toml").write_text(AWS_TOML, encoding="utf-8")
        (root / "aws_only.py").write_text(SCRIPT, encoding="utf-8")
        try:  # per-run first: a kept server, once running, is found by every later run
            per_run = [_kit(root, "0", "run", "aws_only.py") for _ in range(repeats)]
            first = _kit(root, "600", "run", "aws_only.py")
            kept = [_kit(root, "600", "run", "aws_only.py") for _ in range(repeats)]
        finally:
            _kit(root, "600", "aws", "stop")
    cold, warm = statistics.median(per_run), statistics.median(kept)
    print(f"kit run, local AWS started for the run : median {cold:6.2f}s  "
          f"(runs: {', '.join(f'{s:.2f}' for s in per_run)})")
    print(f"kit run, first run that keeps it       : {first:6.2f}s")
    print(f"kit run, local AWS kept for the project: median {warm:6.2f}s  "
          f"(runs: {', '.join(f'{s:.2f}' for s in kept)})")
    print(f"ratio kept / started per run: {warm / cold:.2f} (saves {cold - warm:.2f}s a run)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
