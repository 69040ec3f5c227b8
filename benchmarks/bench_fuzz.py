"""The bad-input fuzz test, run longer than the normal suite: python -m benchmarks fuzz

``KIT_FUZZ_EXAMPLES`` examples per property (default 500 here, 25 in the normal suite); prints
how many examples ran and how long they took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    examples = os.environ.get("KIT_FUZZ_EXAMPLES", "500")
    env = {**os.environ, "KIT_FUZZ_EXAMPLES": examples}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--hypothesis-show-statistics", str(ROOT / "tests" / "test_fuzz.py")],
        cwd=ROOT, env=env, check=False,
    )
    seconds = time.perf_counter() - started
    print(f"fuzz: {examples} examples per property, {seconds:.1f}s, exit {proc.returncode}")
    if proc.returncode:
        raise SystemExit(proc.returncode)
