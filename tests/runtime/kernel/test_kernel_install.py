"""`kit kernel install/list/uninstall`: specs Jupyter can resolve, and no clobbering of others'."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from kit.errors import KernelError
from kit.runtime import kernel as glue_kernel
from kit.runtime.environment import LAYER_DIR
from kit.runtime.kernel_commands import kernel as kernel_group


@pytest.fixture
def jupyter_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Private Jupyter data folders: a user dir and a prefix that Jupyter searches first."""
    user = tmp_path / "user-data"
    prefix = tmp_path / "prefix"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(user))
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    return {"user": user, "prefix": prefix}


def _foreign_spec(folder: Path) -> str:
    folder.mkdir(parents=True)
    text = json.dumps({"argv": ["python", "-m", "x"], "display_name": "Other", "language": "python"})
    (folder / "kernel.json").write_text(text)
    return text


def test_install_into_prefix_is_what_jupyter_resolves(jupyter_dirs: dict[str, Path]) -> None:
    made = glue_kernel.install(prefix=jupyter_dirs["prefix"])

    assert made.path == jupyter_dirs["prefix"] / "share/jupyter/kernels/glue-local"
    assert not made.replaced and made.shadowed_by is None and made.visible
    spec = KernelSpecManager().get_kernel_spec("glue-local")
    assert spec.display_name == "Glue 5.0 (local)"
    assert spec.language == "python"
    assert spec.argv[0] == sys.executable
    assert spec.argv[1:] == ["-m", "kit.runtime.kernel", "-f", "{connection_file}"]
    assert spec.env["PYTHONPATH"].split(os.pathsep)[0] == str(LAYER_DIR)
    assert spec.env["SPARK_LOCAL_IP"] == "127.0.0.1"
    submit = shlex.split(spec.env["PYSPARK_SUBMIT_ARGS"])
    assert submit[:2] == ["--master", "local[*]"] and submit[-1] == "pyspark-shell"
    assert glue_kernel.is_current()


def test_user_install_goes_to_the_user_data_dir(jupyter_dirs: dict[str, Path]) -> None:
    made = glue_kernel.install("glue-local-user", user=True)
    assert made.path == jupyter_dirs["user"] / "kernels" / "glue-local-user"
    assert [k.name for k in glue_kernel.list_kernels()] == ["glue-local-user"]


def test_reinstall_replaces_only_kits_own_spec(jupyter_dirs: dict[str, Path]) -> None:
    glue_kernel.install(prefix=jupyter_dirs["prefix"])
    again = glue_kernel.install(prefix=jupyter_dirs["prefix"])
    assert again.replaced


def test_foreign_spec_of_the_same_name_is_kept(jupyter_dirs: dict[str, Path]) -> None:
    folder = jupyter_dirs["prefix"] / "share/jupyter/kernels/glue-local"
    before = _foreign_spec(folder)

    with pytest.raises(KernelError, match="--force"):
        glue_kernel.install(prefix=jupyter_dirs["prefix"])
    assert (folder / "kernel.json").read_text() == before
    with pytest.raises(KernelError, match="not written by kit"):
        glue_kernel.uninstall()
    assert (folder / "kernel.json").read_text() == before
    assert glue_kernel.list_kernels() == []

    forced = glue_kernel.install(prefix=jupyter_dirs["prefix"], force=True)
    assert forced.replaced
    assert KernelSpecManager().get_kernel_spec("glue-local").display_name == "Glue 5.0 (local)"


def test_install_reports_a_spec_that_shadows_it(jupyter_dirs: dict[str, Path]) -> None:
    shadow = jupyter_dirs["prefix"] / "share/jupyter/kernels/glue-local"
    _foreign_spec(shadow)  # JUPYTER_PATH is searched before the user's data dir
    made = glue_kernel.install(user=True)
    assert made.shadowed_by == shadow


def test_uninstall_removes_kits_spec(jupyter_dirs: dict[str, Path]) -> None:
    glue_kernel.install(prefix=jupyter_dirs["prefix"])
    removed = glue_kernel.uninstall()
    assert not removed.exists()
    with pytest.raises(NoSuchKernel):
        KernelSpecManager().get_kernel_spec("glue-local")
    with pytest.raises(KernelError, match="no kernelspec"):
        glue_kernel.uninstall()


def test_is_current_detects_a_stale_spec(jupyter_dirs: dict[str, Path]) -> None:
    made = glue_kernel.install(prefix=jupyter_dirs["prefix"])
    spec_file = made.path / "kernel.json"
    spec = json.loads(spec_file.read_text())
    spec["argv"][0] = "/old/venv/bin/python"
    spec_file.write_text(json.dumps(spec))
    assert not glue_kernel.is_current()


def test_cli_install_list_uninstall(jupyter_dirs: dict[str, Path]) -> None:
    runner = CliRunner()
    prefix = str(jupyter_dirs["prefix"])

    installed = runner.invoke(kernel_group, ["install", "--prefix", prefix])
    assert installed.exit_code == 0, installed.output
    assert "installed kernel 'glue-local' (Glue 5.0 (local))" in installed.output

    listed = runner.invoke(kernel_group, ["list"])
    assert listed.exit_code == 0
    assert listed.output.split("\t")[:2] == ["glue-local", "Glue 5.0 (local)"]

    removed = runner.invoke(kernel_group, ["uninstall"])
    assert removed.exit_code == 0 and "removed kernel 'glue-local'" in removed.output
    assert "no kit kernels installed" in runner.invoke(kernel_group, ["list"]).output


def test_cli_refuses_foreign_spec_with_one_line(jupyter_dirs: dict[str, Path]) -> None:
    from kit.cli import main

    _foreign_spec(jupyter_dirs["user"] / "kernels" / "glue-local")
    main.add_command(kernel_group)  # registered by the lead in kit/cli.py; idempotent here
    result = CliRunner().invoke(main, ["kernel", "install", "--user"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("kit: error: ")


def test_project_root_only_for_kit_projects(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    kit_project = tmp_path / "kitproj"
    (kit_project / "notebooks").mkdir(parents=True)
    (kit_project / "pyproject.toml").write_text("[tool.kit]\n")
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    (other / "pyproject.toml").write_text("[project]\nname = 'x'\n")

    assert glue_kernel.project_root(kit_project / "notebooks") == kit_project
    assert glue_kernel.project_root(other / "sub") is None


def test_invalid_name_and_conflicting_targets_are_refused(jupyter_dirs: dict[str, Path]) -> None:
    with pytest.raises(KernelError, match="invalid kernel name"):
        glue_kernel.install("Glue Local", prefix=jupyter_dirs["prefix"])
    with pytest.raises(KernelError, match="not both"):
        glue_kernel.install(user=True, prefix=jupyter_dirs["prefix"])
    assert not (jupyter_dirs["prefix"] / "share").exists()
    assert not jupyter_dirs["user"].exists()


def test_install_outside_jupyters_search_path_says_so(jupyter_dirs: dict[str, Path],
                                                      tmp_path: Path) -> None:
    made = glue_kernel.install(prefix=tmp_path / "unsearched")
    assert (made.path / "kernel.json").is_file()
    assert not made.visible
    result = CliRunner().invoke(kernel_group, ["install", "--prefix", str(tmp_path / "other")])
    assert result.exit_code == 0
    assert "add " in result.output and "to JUPYTER_PATH" in result.output


def test_default_target_is_this_virtualenv(jupyter_dirs: dict[str, Path], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / "venv"
    monkeypatch.setattr(sys, "prefix", str(venv))
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    made = glue_kernel.install()
    assert made.path == venv / "share" / "jupyter" / "kernels" / "glue-local"

    monkeypatch.setattr(sys, "base_prefix", str(venv))  # not a virtualenv: the user's data dir
    made = glue_kernel.install()
    assert made.path == jupyter_dirs["user"] / "kernels" / "glue-local"
