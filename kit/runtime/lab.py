"""``kit lab``: JupyterLab with the project's settings, without touching the user's Jupyter setup.

The settings live in the project's state folder (``.kit/jupyter``, git-ignored, rewritten on each
start) and reach Jupyter through its search paths, which take precedence over every other
folder:

- ``JUPYTER_PATH``  -> ``.kit/jupyter/data``: one kernelspec per installed Glue runtime ("Glue 5.0
  (local)", "Glue 5.1 (local)", "Glue 6.0 (local)"), pinned to this project, so ``kit lab`` works
  before (or without) ``kit kernel install``. A job's notebook names the kernel of the job's
  ``glue_version`` (``kit new`` and ``kit pull`` write it), so JupyterLab starts that one;
  :func:`kernel_mismatches` lists the notebooks that name another version's kernel;
- ``JUPYTER_CONFIG_PATH`` -> ``.kit/jupyter/config``:
  ``labconfig/default_setting_overrides.json`` (JupyterLab's layered default-settings overrides,
  the per-folder twin of ``overrides.json``; a user's own choices in the Settings Editor still
  win) opening Python files with jupytext's "Jupytext Notebook" viewer and starting the
  preferred kernel without asking (and no news prompts), and ``jupyter_server_config.json`` making the local Glue
  kernel the default for new notebooks and the project root the server's root.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.config import ProjectConfig
from kit.errors import KitError
from kit.fsutil import write_atomic
from kit.runtime import kernel as glue_kernel
from kit.runtime import runtimes

LAB_SETTINGS: dict[str, Any] = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"python": "Jupytext Notebook"},
    },
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    # No news/update prompts: kit's JupyterLab makes no calls to the internet by itself.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass(frozen=True)
class LabSetup:
    root: Path
    data_dir: Path  # goes first on JUPYTER_PATH
    config_dir: Path  # goes first on JUPYTER_CONFIG_PATH
    kernel_name: str  # the default for notebooks that name no kernel
    kernels: tuple[str, ...] = ()  # every kernel written: one per installed Glue runtime

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for ``jupyter lab``: kit's folders first on Jupyter's search paths."""
        env = dict(os.environ if base is None else base)
        for key, folder in (("JUPYTER_PATH", self.data_dir), ("JUPYTER_CONFIG_PATH", self.config_dir)):
            rest = [p for p in env.get(key, "").split(os.pathsep) if p and p != str(folder)]
            env[key] = os.pathsep.join([str(folder), *rest])
        env["KIT_PROJECT"] = str(self.root)
        return env

    def command(self, extra_args: Sequence[str] = ()) -> list[str]:
        """``jupyter lab`` from this interpreter, where kit, jupytext and the layer live."""
        return [sys.executable, "-m", "jupyterlab", *extra_args]


def prepare(config: ProjectConfig, kernel_name: str = glue_kernel.KERNEL_NAME) -> LabSetup:
    """Write the project's Jupyter folder under the state dir; returns how to start the server."""
    home = config.state_dir / "jupyter"
    data_dir, config_dir = home / "data", home / "config"
    kernels_dir = data_dir / "kernels"
    written = []
    for status in runtimes.list_runtimes():
        if not status.installed:
            continue
        version = status.runtime.glue_version
        name = glue_kernel.kernel_name(version)
        spec = glue_kernel.kernel_spec(project=config.root, glue_version=version)
        glue_kernel.write_spec_dir(kernels_dir / name, spec)
        written.append(name)
    if kernel_name not in written:  # a custom name for the default (5.0) kernel
        glue_kernel.write_spec_dir(
            kernels_dir / kernel_name, glue_kernel.kernel_spec(project=config.root)
        )
        written.append(kernel_name)
    for stale in kernels_dir.iterdir():  # a runtime removed since the last start
        if stale.is_dir() and stale.name not in written:
            shutil.rmtree(stale)
    _write_json(config_dir / "labconfig" / "default_setting_overrides.json", LAB_SETTINGS)
    server = {
        "ServerApp": {"root_dir": str(config.root)},
        "MultiKernelManager": {"default_kernel_name": kernel_name},
    }
    _write_json(config_dir / "jupyter_server_config.json", server)
    return LabSetup(config.root, data_dir, config_dir, kernel_name, tuple(written))


def kernel_mismatches(config: ProjectConfig, kernels: Sequence[str] = ()) -> list[str]:
    """One note per job notebook whose kernel is not its ``glue_version``'s (or not installed).

    Notebooks are left as they are (the user may have picked a kernel on purpose); the note
    says which kernel to pick in JupyterLab's kernel menu.
    """
    notes = []
    for job in config.job_names():
        notebook = config.notebook_path(job)
        try:
            meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
            version = runtimes.job_glue_version(config, job)
        except (OSError, ValueError, KitError):
            continue
        named = (meta.get("kernelspec") or {}).get("name")
        wanted = glue_kernel.kernel_name(version)
        if named is not None and not str(named).startswith(glue_kernel.KERNEL_NAME):
            continue  # not a kit kernel: the user's choice
        shown = config.relative(notebook)
        display = glue_kernel.version_display_name(version)
        if kernels and wanted not in kernels:
            notes.append(
                f"note: {job} runs on Glue {version}, whose runtime is not installed; "
                f"`kit runtime install {version}` adds the \"{display}\" kernel"
            )
        elif named != wanted:
            notes.append(
                f"note: {shown} uses kernel {named!r} but {job} runs on Glue {version}; "
                f"pick \"{display}\" in the kernel menu"
            )
    return notes


def start(config: ProjectConfig, extra_args: Sequence[str] = ()) -> None:
    """Replace this process with ``jupyter lab`` on the project's settings (Ctrl-C stops it)."""
    setup = prepare(config)
    for note in kernel_mismatches(config, setup.kernels):
        print(note, file=sys.stderr)
    os.chdir(setup.root)
    cmd = setup.command(extra_args)
    os.execve(cmd[0], cmd, setup.env())


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text)
