"""Time of `kit deploy --all` for 20 jobs against the local AWS (moto server): first and no-op.

Creates a throwaway project with 20 jobs from kit's template, bootstraps it on a moto server on
127.0.0.1 and times the kit CLI (in a child process, as a user runs it).
Run: ``.venv/bin/python -m benchmarks deploy`` (or ``benchmarks/bench_deploy.py [JOBS]``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# the kit CLI, with the deployment commands registered even before kit/cli.py does it
KIT = [sys.executable, "-c", (
    "from kit.cli import main; from kit.infra.commands import COMMANDS; "
    "[main.add_command(c) for c in COMMANDS if c.name not in main.commands]; "
    "main(prog_name='kit')"
)]


def _kit(args: list[str], root: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run([*KIT, *args], cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"kit {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds


def main(jobs: int = 20) -> None:
    warnings.simplefilter("ignore")
    from kit import config as kit_config
    from kit import localaws
    from kit.infra.bootstrap import install_templates
    from kit.notebooks.template import create

    server = localaws.start()
    root = Path(tempfile.mkdtemp(prefix="kit-bench-deploy-"))
    try:
        (root / "pyproject.toml").write_text(
            '[project]\nname = "bench"\nversion = "0"\n\n[tool.kit]\n\n'
            "[tool.kit.environments.dev]\n"
            'arguments = { input_path = "s3://bench-data/in/{job}/", '
            'output_path = "s3://bench-data/out/{job}/" }\n',
            encoding="utf-8",
        )
        shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
        cfg = kit_config.load(root)
        for i in range(jobs):
            create(f"job_{i:02d}", cfg)
        install_templates(cfg)
        env = {
            **os.environ, "AWS_ENDPOINT_URL": server.endpoint, "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
            "PYTHONPATH": str(REPO), "KIT_PROJECT": str(root),
        }
        env.pop("AWS_PROFILE", None)
        _kit(["export", "--all"], root, env)
        import boto3

        boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                     aws_access_key_id="b", aws_secret_access_key="b").create_bucket(
            Bucket="bench-data")
        _kit(["bootstrap"], root, env)
        first = _kit(["deploy", "--all"], root, env)
        noop = _kit(["deploy", "--all"], root, env)
        print(f"kit deploy --all, {jobs} jobs, local AWS (moto server)")
        print(f"  first deploy: {first:6.1f}s  ({first / jobs:.2f}s per job)")
        print(f"  no-op deploy: {noop:6.1f}s  ({noop / jobs:.2f}s per job)")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
