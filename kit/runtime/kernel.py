"""The local Glue Jupyter kernel: "Glue 5.0 (local)", plain ipykernel with kit's awsglue layer.

The kernelspec runs this interpreter (``sys.executable``) through :func:`launch`, with the layer
on ``PYTHONPATH`` and kit's local Spark settings in its ``env``, so notebooks with plain
``from awsglue...`` imports run locally, and so do Spark's Python workers (they inherit the
environment). Specs are installed through jupyter_client's ``KernelSpecManager`` and marked as
kit's, so kit never replaces or removes a kernelspec it did not write unless told to (``force``).

Run as ``python -m kit.runtime.kernel -f CONNECTION_FILE`` (what the kernelspec does).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit import __version__
from kit.errors import KernelError, KitError
from kit.runtime.environment import LAYER_DIR, add_layer_to_sys_path, layer_env, python_path
from kit.runtime.runtimes import DEFAULT_GLUE_VERSION, python_note
from kit.runtime.runtimes import spec as runtime_spec
from kit.runtime.spark import DEFAULT_MASTER

KERNEL_NAME = "glue-local"
DISPLAY_NAME = "Glue 5.0 (local)"
MARKER = "kit"  # kernel.json metadata key that says "kit wrote this spec"
_NAME = re.compile(r"^[a-z0-9._-]+$")  # what jupyter_client accepts as a kernel name


@dataclass(frozen=True)
class InstalledKernel:
    name: str
    path: Path
    replaced: bool  # an earlier spec of the same name was replaced
    shadowed_by: Path | None  # another spec of this name that Jupyter will pick first
    visible: bool  # Jupyter's search path includes where it went


@dataclass(frozen=True)
class KitKernel:
    name: str
    display_name: str
    path: Path
    python: str


def kernel_name(glue_version: str | None = None) -> str:
    """The kernel name of a Glue version: ``glue-local`` (5.0), ``glue-local-6.0``, ..."""
    version = runtime_spec(glue_version).glue_version
    return KERNEL_NAME if version == DEFAULT_GLUE_VERSION else f"{KERNEL_NAME}-{version}"


def version_display_name(glue_version: str | None = None) -> str:
    """What Jupyter shows: "Glue 5.0 (local)", "Glue 5.1 (local)", "Glue 6.0 (local)"."""
    return f"Glue {runtime_spec(glue_version).glue_version} (local)"


def kernel_spec(
    project: Path | None = None,
    master: str = DEFAULT_MASTER,
    display_name: str | None = None,
    glue_version: str | None = None,
) -> dict[str, Any]:
    """The ``kernel.json`` content: this Python, the layer on PYTHONPATH, kit's Spark settings.

    ``project`` pins the kernel to one project root (``KIT_PROJECT``); without it the kernel
    finds the project from the notebook's folder when it starts. ``glue_version`` puts that
    version's runtime (which must be installed) first on ``PYTHONPATH``.
    """
    display_name = display_name or version_display_name(glue_version)
    env = layer_env(
        Path(project).resolve() if project is not None else None, master, base={},
        glue_version=glue_version,
    )
    return {
        "argv": [sys.executable, "-m", "kit.runtime.kernel", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "interrupt_mode": "signal",
        "env": env,
        "metadata": {
            "debugger": True,
            MARKER: {"version": __version__, "layer": str(LAYER_DIR), "python": sys.executable},
        },
    }


def write_spec_dir(folder: Path, spec: dict[str, Any]) -> Path:
    """Write ``kernel.json`` (plus ipykernel's logos when available) into ``folder``."""
    from kit.fsutil import write_atomic

    folder = Path(folder)
    write_atomic(folder / "kernel.json", json.dumps(spec, indent=1) + "\n")
    resources = _ipykernel_resources()
    if resources is not None:
        for logo in resources.glob("logo-*.*"):
            target = folder / logo.name
            if not target.exists():
                write_atomic(target, logo.read_bytes())
    return folder


def install(
    name: str | None = None,
    *,
    user: bool = False,
    prefix: str | Path | None = None,
    project: Path | None = None,
    force: bool = False,
    glue_version: str | None = None,
) -> InstalledKernel:
    """Register the local Glue kernel as ``name``; returns where it went.

    Goes to ``prefix`` (e.g. ``sys.prefix``), else the user's Jupyter data dir when ``user``,
    else ``sys.prefix`` inside a virtualenv and the user's data dir outside one. A spec of the
    same name that kit did not write is kept unless ``force``. ``name`` defaults to the Glue
    version's kernel name (:func:`kernel_name`).
    """
    from jupyter_client.kernelspec import KernelSpecManager

    name = name or kernel_name(glue_version)

    if not _NAME.match(name):
        raise KernelError(
            f"invalid kernel name {name!r}; use lower-case letters, digits, '-', '_' or '.'"
        )
    if user and prefix is not None:
        raise KernelError("give either --user or --prefix/--sys-prefix, not both")
    if prefix is None and not user:
        if _in_virtualenv():
            prefix = sys.prefix
        else:
            user = True
    ksm = KernelSpecManager()
    if user:
        destination = Path(ksm.user_kernel_dir) / name
    else:
        destination = Path(os.path.abspath(str(prefix))) / "share" / "jupyter" / "kernels" / name
    existing = destination / "kernel.json"
    replaced = existing.is_file()
    if replaced and not force and not _is_kits(existing):
        raise KernelError(
            f"a kernelspec named {name!r} that kit did not write exists at {destination}; "
            "pass --name to choose another name, or --force to replace it"
        )
    with tempfile.TemporaryDirectory(prefix="kit-kernel-") as tmp:
        source = write_spec_dir(
            Path(tmp) / name, kernel_spec(project=project, glue_version=glue_version)
        )
        try:
            installed = Path(
                ksm.install_kernel_spec(str(source), name, user=user, prefix=_opt_str(prefix))
            )
        except PermissionError as exc:
            raise KernelError(
                f"cannot write {destination}: {exc.strerror}; install with --user instead"
            ) from exc
    found = KernelSpecManager().find_kernel_specs().get(name)
    same = found is not None and Path(found).resolve() == installed.resolve()
    shadow = Path(found) if found and not same else None
    visible = same or installed.parent.resolve() in {
        Path(d).resolve() for d in KernelSpecManager().kernel_dirs
    }
    return InstalledKernel(name, installed, replaced, shadow, visible)


def list_kernels() -> list[KitKernel]:
    """Kernelspecs that kit wrote and that Jupyter can see, by name."""
    from jupyter_client.kernelspec import KernelSpecManager

    found = []
    for name, folder in sorted(KernelSpecManager().find_kernel_specs().items()):
        spec_file = Path(folder) / "kernel.json"
        spec = _read(spec_file)
        if spec is not None and _is_kits(spec_file):
            python = spec.get("argv", ["?"])[0]
            found.append(KitKernel(name, spec.get("display_name", name), Path(folder), python))
    return found


def uninstall(name: str = KERNEL_NAME, *, force: bool = False) -> Path:
    """Remove the kernelspec ``name`` that Jupyter would use; only kit's unless ``force``."""
    from jupyter_client.kernelspec import KernelSpecManager

    ksm = KernelSpecManager()
    folder = ksm.find_kernel_specs().get(name)
    if folder is None:
        raise KernelError(f"no kernelspec named {name!r}; `kit kernel list` shows kit's kernels")
    if not force and not _is_kits(Path(folder) / "kernel.json"):
        raise KernelError(
            f"the kernelspec {name!r} at {folder} was not written by kit; "
            "remove it with `jupyter kernelspec remove` or pass --force"
        )
    return Path(ksm.remove_kernel_spec(name))


def is_current(name: str = KERNEL_NAME) -> bool:
    """True when Jupyter resolves ``name`` to a kit spec identical to what kit would install now.

    For CI and nbval setup: ``if not is_current(): install()``.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    folder = KernelSpecManager().find_kernel_specs().get(name)
    spec = _read(Path(folder) / "kernel.json") if folder else None
    if spec is None:
        return False
    version = spec.get("env", {}).get("KIT_GLUE_VERSION")
    try:
        wanted = kernel_spec(
            display_name=spec.get("display_name", DISPLAY_NAME), glue_version=version
        )
    except KitError:  # an unknown version, or its runtime was removed
        return False
    project = spec.get("env", {}).get("KIT_PROJECT")
    if project:
        wanted = kernel_spec(
            project=Path(project), display_name=wanted["display_name"], glue_version=version
        )
    return spec == wanted


def launch(argv: list[str] | None = None) -> None:
    """Start ipykernel at the project root, as ``kit run`` runs jobs there.

    Job arguments default to paths relative to the project root (``data/...``), and Jupyter
    starts kernels in the notebook's folder; moving to the root makes the same cell work in the
    notebook, its job module and ``kit run``. Outside a kit project the folder is left alone.
    """
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # ipykernel adds the (new) working folder back when the shell starts
    root = project_root()
    if root is not None:
        os.chdir(root)
        os.environ["KIT_PROJECT"] = str(root)
        os.environ["PYTHONPATH"] = python_path(os.environ.get("PYTHONPATH"), [root])
        _add_job_modules(root)
    from kit.localaws.jobrun import adopt

    adopt(root)  # the notebook's AWS clients reach the same local AWS as `kit run`
    add_layer_to_sys_path()
    from ipykernel.kernelapp import launch_new_instance

    sys.argv = [sys.argv[0], *(sys.argv[1:] if argv is None else argv)]
    if python_note(os.environ.get("KIT_GLUE_VERSION")):
        # the note goes to the first cell's output (stderr), where the user sees it
        sys.argv.append(f"--IPKernelApp.exec_lines={[_NOTE_ONCE]!r}")
    launch_new_instance()


# Run in the kernel's namespace at start (IPKernelApp.exec_lines): binds no user-visible name.
_NOTE_ONCE = "__import__('kit.runtime.kernel', fromlist=['_']).note_once(get_ipython())"


def note_once(shell: Any) -> None:
    """Print the Glue-vs-local Python note once, in the output of the first cell that runs."""
    note = python_note(os.environ.get("KIT_GLUE_VERSION"))
    if not note:
        return

    def show(*_args: Any) -> None:
        shell.events.unregister("pre_run_cell", show)
        print(note, file=sys.stderr)

    shell.events.register("pre_run_cell", show)


def _add_job_modules(root: Path) -> None:
    """The project's jobs' ``--additional-python-modules`` importable in the kernel; a failure
    is one line in the kernel's log, never a kernel that does not start."""
    from kit.config import load
    from kit.errors import KitError
    from kit.runtime import dependencies

    try:
        paths = dependencies.project_paths(load(root), os.environ.get("KIT_GLUE_VERSION"))
    except KitError as exc:
        print(f"kit: the jobs' Python modules are not available: {exc}", file=sys.stderr)
        return
    dependencies.add_to_sys_path(paths)


def project_root(start: Path | None = None) -> Path | None:
    """The kit project around ``start`` (``KIT_PROJECT`` first), or None outside a kit project."""
    from kit.config import PYPROJECT, find_root
    from kit.errors import ConfigError

    try:
        root = find_root(start)
    except ConfigError:
        return None
    if os.environ.get("KIT_PROJECT"):
        return root
    pyproject = root / PYPROJECT
    text = pyproject.read_text(encoding="utf-8", errors="replace") if pyproject.is_file() else ""
    return root if "[tool.kit" in text else None


def _is_kits(spec_file: Path) -> bool:
    spec = _read(spec_file)
    return bool(spec and isinstance(spec.get("metadata"), dict) and MARKER in spec["metadata"])


def _read(spec_file: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _ipykernel_resources() -> Path | None:
    try:
        import ipykernel
    except ImportError:
        return None
    folder = Path(ipykernel.__file__).parent / "resources"
    return folder if folder.is_dir() else None


def _in_virtualenv() -> bool:
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix)


def _opt_str(value: str | Path | None) -> str | None:
    return None if value is None else str(value)


if __name__ == "__main__":
    launch()
