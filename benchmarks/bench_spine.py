"""Spine benchmarks: cold `kit run` of the example job, and `kit export` of 200 notebooks.

Targets: export of 200 notebooks < 2 s; cold local run < 8 s on 2 cores.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext

REPO = Path(__file__).resolve().parents[1]
KIT = [sys.executable, "-m", "kit"]


def _project(tmp: Path) -> Path:
    root = tmp / "proj"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copy(REPO / "jupytext.toml", root)
    for folder in ("notebooks", "jobs", "data", "infra"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def bench_cold_run(runs: int = 3) -> list[float]:
    """Wall time of `kit run orders_by_month`, process start to exit (new JVM each time)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        root = _project(Path(tmp))
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([*KIT, "run", "orders_by_month"], cwd=root, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - started)
    return times


def bench_export_many(count: int = 200) -> float:
    """Wall time of one `kit export --all` process over ``count`` generated notebooks."""
    with tempfile.TemporaryDirectory() as tmp:
        root = _project(Path(tmp))
        source = jupytext.read(root / "notebooks" / "orders_by_month.ipynb")
        for i in range(count):
            jupytext.write(source, root / "notebooks" / f"job_{i:03d}.ipynb")
        started = time.perf_counter()
        subprocess.run([*KIT, "export", "--all"], cwd=root, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    seconds = bench_export_many()
    print(f"kit export of 200 notebooks: {seconds:.2f} s (target < 2 s)")
    runs = bench_cold_run()
    print(
        f"cold kit run orders_by_month: median {statistics.median(runs):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in runs)} (target < 8 s)"
    )


if __name__ == "__main__":
    main()
