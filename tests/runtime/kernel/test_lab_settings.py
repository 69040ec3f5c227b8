"""`kit lab`'s project settings: what Jupyter resolves from them, and nothing written elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.paths import jupyter_config_path, jupyter_path
from jupyterlab_server.settings_utils import _get_overrides

from kit import config as kit_config
from kit.runtime import lab as kit_lab


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "jobs").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (root / "jobs" / "demo.py").write_text("# %%\nprint(1)\n", encoding="utf-8")
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_prepare_writes_only_under_the_state_dir(project: Path) -> None:
    before = _files(project)
    setup = kit_lab.prepare(kit_config.load(project))
    after = _files(project)

    assert {k: v for k, v in after.items() if not k.startswith(".kit/")} == before
    assert setup.data_dir == project / ".kit" / "jupyter" / "data"
    assert setup.config_dir == project / ".kit" / "jupyter" / "config"


def test_jupyter_resolves_the_project_settings(project: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    setup = kit_lab.prepare(kit_config.load(project))
    base = {"JUPYTER_PATH": "/elsewhere/share/jupyter", "PATH": os.environ.get("PATH", "")}
    env = setup.env(base)
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(setup.data_dir), "/elsewhere/share/jupyter"]
    assert env["KIT_PROJECT"] == str(project)
    for key in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "KIT_PROJECT"):
        monkeypatch.setenv(key, env[key])
    assert jupyter_path()[0] == str(setup.data_dir)
    assert jupyter_config_path()[0] == str(setup.config_dir)

    spec = KernelSpecManager().get_kernel_spec("glue-local")
    assert Path(spec.resource_dir) == setup.data_dir / "kernels" / "glue-local"
    assert spec.display_name == "Glue 5.0 (local)"
    assert spec.env["KIT_PROJECT"] == str(project)

    # The same lookup JupyterLab's settings handler does (labconfig layers over overrides.json).
    overrides, error = _get_overrides(str(tmp_path / "no-app-settings"))
    assert not error
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"
    assert overrides["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True

    server = json.loads((setup.config_dir / "jupyter_server_config.json").read_text())
    assert server["MultiKernelManager"]["default_kernel_name"] == "glue-local"
    assert server["ServerApp"]["root_dir"] == str(project)


def test_env_does_not_repeat_kits_folder(project: Path) -> None:
    setup = kit_lab.prepare(kit_config.load(project))
    once = setup.env({})
    twice = setup.env(once)
    assert twice["JUPYTER_CONFIG_PATH"] == str(setup.config_dir)
    assert setup.command(["--no-browser"])[-3:] == ["-m", "jupyterlab", "--no-browser"]


def test_only_installed_runtimes_get_a_kernel(project: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """No runtime built in this cache: only kit's own (5.0) kernel; a kernel left from a
    runtime since removed is taken away on the next start."""
    monkeypatch.setenv("KIT_RUNTIMES_DIR", str(tmp_path / "no-runtimes"))
    stale = project / ".kit" / "jupyter" / "data" / "kernels" / "glue-local-6.0"
    stale.mkdir(parents=True)
    (stale / "kernel.json").write_text("{}", encoding="utf-8")
    setup = kit_lab.prepare(kit_config.load(project))
    assert setup.kernels == ("glue-local",)
    assert sorted(p.name for p in (setup.data_dir / "kernels").iterdir()) == ["glue-local"]


def _notebook(project: Path, job: str, kernel: str) -> None:
    meta = {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}}
    (project / "notebooks").mkdir(exist_ok=True)
    (project / "notebooks" / f"{job}.ipynb").write_text(
        json.dumps({"cells": [], "metadata": meta, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )


def test_kernel_mismatches_name_the_kernel_to_pick(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.kit]\n[tool.kit.job.moved]\nglue_version = "6.0"\n'
        '[tool.kit.job.newer]\nglue_version = "5.1"\n', encoding="utf-8")
    _notebook(project, "demo", "glue-local")  # 5.0 job on the 5.0 kernel: fine
    _notebook(project, "moved", "glue-local")  # moved to 6.0, notebook still on 5.0
    _notebook(project, "newer", "glue-local-5.1")  # 5.1, runtime not installed here
    _notebook(project, "mine", "python3")  # not a kit kernel: the user's choice
    cfg = kit_config.load(project)
    notes = kit_lab.kernel_mismatches(cfg, ("glue-local", "glue-local-6.0"))
    assert notes == [
        "note: notebooks/moved.ipynb uses kernel 'glue-local' but moved runs on Glue 6.0; "
        'pick "Glue 6.0 (local)" in the kernel menu',
        "note: newer runs on Glue 5.1, whose runtime is not installed; "
        '`kit runtime install 5.1` adds the "Glue 5.1 (local)" kernel',
    ]
