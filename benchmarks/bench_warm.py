"""`kit run --warm` against a cold `kit run`, side by side: a 10-row script and the example job.

Runs the ``kit`` command itself (what a user types) in a throwaway copy of the example project:
cold and warm runs alternate, so both see the same machine load. The first warm run (it starts
the resident driver) is reported apart; the ratio is median warm / median cold. The same 10-row
runs through the library API (``runner.run`` vs ``warm.run``, in this process) and ``kit --version``
show how much of a run is the ``kit`` command's own start-up.
Run: ``.venv/bin/python -m benchmarks warm`` (or ``benchmarks/bench_warm.py [REPEATS]``).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
KIT = shutil.which("kit", path=os.path.dirname(sys.executable)) or "kit"

TEN_ROWS = """\
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("ten_rows").getOrCreate()
rows = spark.createDataFrame([(i, f"name {i}") for i in range(10)], "id int, name string")
print(rows.where("id % 2 = 0").count())
"""


def _kit(root: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "KIT_PROJECT"}
    started = time.perf_counter()
    done = subprocess.run([KIT, *args], cwd=root, env=env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kit {' '.join(args)} failed ({done.returncode}): {done.stderr[-800:]}")
    return seconds


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Send this process's stdout (and its children's) to /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _library(root: Path, repeats: int) -> tuple[list[float], list[float]]:
    """Cold and warm runs of the 10-row script through kit's API (no CLI start-up)."""
    from kit.config import load
    from kit.runtime import runner, warm

    config = load(root)
    plan = runner.plan(str(root / "ten_rows.py"), [], config)
    cold, hot = [], []
    for _ in range(repeats):
        with _quiet():
            started = time.perf_counter()
            assert runner.run(plan, config).returncode == 0
            cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert warm.run(plan, config, stdout=io.StringIO(), stderr=io.StringIO()).returncode == 0
        hot.append(time.perf_counter() - started)
    return cold, hot


def main(repeats: int = 5) -> None:
    root = Path(tempfile.mkdtemp(prefix="kit-bench-warm-"))
    try:
        for name in ("notebooks", "jobs", "data"):
            shutil.copytree(REPO / name, root / name)
        for name in ("pyproject.toml", "jupytext.toml"):
            shutil.copy(REPO / name, root / name)
        (root / "ten_rows.py").write_text(TEN_ROWS, encoding="utf-8")
        _kit(root, "export", "orders_by_month")
        first = _kit(root, "run", "--warm", "ten_rows.py")  # starts the resident driver
        rows = []
        for target in ("ten_rows.py", "orders_by_month"):
            cold, warm = [], []
            for _ in range(repeats):
                cold.append(_kit(root, "run", target))
                warm.append(_kit(root, "run", "--warm", target))
            rows.append((target, cold, warm))
        api_cold, api_warm = _library(root, repeats)
        version = [_kit(root, "--version") for _ in range(repeats)]
        _kit(root, "run", "--warm", "--stop")
        print(f"kit run vs kit run --warm (local[*], {os.cpu_count()} cores, n={repeats} each)")
        print(f"  first warm run (starts the driver):  {first:6.2f}s")
        for target, cold, warm in rows:
            ratio = statistics.median(warm) / statistics.median(cold)
            print(f"  {target:<16} cold median {statistics.median(cold):6.2f}s"
                  f"  warm median {statistics.median(warm):6.2f}s (min {min(warm):.2f}s)"
                  f"  warm/cold {ratio:.3f}x")
        ratio = statistics.median(api_warm) / statistics.median(api_cold)
        print(f"  {'ten_rows (API)':<16} cold median {statistics.median(api_cold):6.2f}s"
              f"  warm median {statistics.median(api_warm):6.2f}s (min {min(api_warm):.2f}s)"
              f"  warm/cold {ratio:.3f}x")
        print(f"  kit --version (CLI start-up floor): median {statistics.median(version):.2f}s")
    finally:
        subprocess.run([KIT, "run", "--warm", "--stop"], cwd=root, capture_output=True,
                       check=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
