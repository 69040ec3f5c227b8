"""`make demo` on a fresh machine: kit alone is installed, no optional extra gets compiled.

A fresh venv (pip's cache reused), a copy of the repository, and a ``krb5-config`` that fails
placed first on PATH: if anything still pulled in sparkmagic (gssapi needs krb5-config to build),
the install would break, as it did on a machine without libkrb5-dev.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(
    ".git", ".venv", ".tools", ".kit", "__pycache__", "output", "test-artifacts", "*.egg-info"
)

pytestmark = pytest.mark.slow


def test_make_demo_installs_only_what_the_demo_needs(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    repo = tmp_path / "kit"
    shutil.copytree(REPO, repo, ignore=SKIP)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    krb5 = fake_bin / "krb5-config"
    krb5.write_text("#!/bin/sh\necho 'krb5-config: not installed (test)' >&2\nexit 1\n")
    krb5.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIT_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{fake_bin}{os.pathsep}{env['PATH']}"
    assert shutil.which("krb5-config", path=env["PATH"]) == str(krb5)

    base_python = getattr(sys, "_base_executable", sys.executable)
    proc = subprocess.run(
        ["make", "demo", f"PYTHON={base_python}"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=3600, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "wrote build/output/orders_by_month" in proc.stderr
    assert any((repo / "build" / "output" / "orders_by_month").rglob("*.parquet"))
    venv_python = repo / ".venv" / "bin" / "python"
    for optional in ("sparkmagic", "gssapi", "moto", "pytest"):
        found = subprocess.run(
            [str(venv_python), "-c", f"import importlib.util as u; print(u.find_spec({optional!r}))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        assert found == "None", f"make demo installed {optional}"
    # the endpoint kernels need the extra: kit says which, and how to get gssapi built
    kernels = subprocess.run(
        [str(repo / ".venv" / "bin" / "kit"), "endpoint", "kernels", "--kernels-dir", str(tmp_path / "k")],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )
    assert kernels.returncode == 1
    assert kernels.stderr.startswith("kit: error: sparkmagic is not installed")
    assert "endpoints" in kernels.stderr and "libkrb5-dev" in kernels.stderr
    assert kernels.stderr.count("\n") == 1 and not (tmp_path / "k").exists()
