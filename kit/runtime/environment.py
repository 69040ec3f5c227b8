"""One owner of "a Python with the Glue layer": the layer's path, a child's environment, argv.

The runner (``kit run``), the local kernel and ``kit lab``, the local endpoint's session workers
and kit's pytest plugin all start (or are) a Python where ``import awsglue`` resolves to kit's
local layer and Spark picks up kit's settings from the environment. They all ask this module,
so the layer path, the ``PYTHONPATH`` order and separator (``os.pathsep``) and the Spark settings
are decided once. ``glue_version`` is the seam where a job's Glue version will choose its
runtime: kit's own Spark for 5.0, a cached runtime folder first on ``PYTHONPATH`` otherwise.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from kit.runtime.runtimes import DEFAULT_GLUE_VERSION, GLUE_VERSIONS  # noqa: F401
from kit.runtime.runtimes import site_dir as runtime_site_dir
from kit.runtime.runtimes import spec as runtime_spec
from kit.runtime.spark import DEFAULT_MASTER, spark_env

LAYER_DIR = Path(__file__).resolve().parent / "glue_layer"
JOB_NAME_FLAG = "--JOB_NAME"


def layer_dir(glue_version: str | None = None) -> Path:
    """The folder that makes ``import awsglue`` work for ``glue_version`` (default: 5.0)."""
    runtime_spec(glue_version)  # one layer serves every version; unknown ones are refused
    return LAYER_DIR


def layer_available(glue_version: str | None = None) -> bool:
    """True when the local ``awsglue`` layer is installed with kit."""
    return (layer_dir(glue_version) / "awsglue" / "__init__.py").is_file()


def python_path(*groups: Iterable[str | Path] | str | None) -> str:
    """A ``PYTHONPATH`` value: the given folders in order, ``os.pathsep``-joined, no duplicates.

    A plain string is split on ``os.pathsep`` (an inherited ``PYTHONPATH``).
    """
    seen: list[str] = []
    for group in groups:
        if group is None:
            continue
        items = group.split(os.pathsep) if isinstance(group, str) else [str(p) for p in group]
        for item in items:
            if item and item not in seen:
                seen.append(item)
    return os.pathsep.join(seen)


def layer_env(
    project: Path | str | None,
    master: str = DEFAULT_MASTER,
    conf: Mapping[str, str] | None = None,
    glue_version: str | None = None,
    *,
    base: Mapping[str, str] | None = None,
    extra_paths: Sequence[str | Path] = (),
) -> dict[str, str]:
    """The environment of a child Python with the Glue layer and kit's Spark settings.

    ``PYTHONPATH`` is the Glue version's runtime (none for 5.0; it must be installed, see
    :mod:`kit.runtime.runtimes`), the layer, then ``extra_paths``, then ``project``, then what
    ``base`` (the current environment by default) already had. ``project`` also becomes ``KIT_PROJECT`` unless
    set. ``base={}`` gives only kit's own keys (a kernelspec's ``env``).
    """
    env = spark_env(master, conf, base=base)
    site = runtime_site_dir(glue_version)
    if site is not None:
        env.pop("SPARK_HOME", None)  # the runtime's pyspark finds its own jars
    env["KIT_GLUE_VERSION"] = runtime_spec(glue_version).glue_version  # the layer's behaviour
    env["PYTHONPATH"] = python_path(
        [site] if site is not None else [],
        [layer_dir(glue_version)],
        extra_paths,
        [project] if project is not None else [],
        env.get("PYTHONPATH"),
    )
    if project is not None:
        env.setdefault("KIT_PROJECT", str(project))
    return env


def add_layer_to_sys_path(glue_version: str | None = None) -> bool:
    """Make ``import awsglue`` resolve to kit's layer in this process (idempotent).

    Where a real ``awsglue`` is importable (AWS's Glue image, a dev endpoint), it stays in
    charge: the layer never shadows the library it stands in for. Returns whether the layer is
    now on ``sys.path``.
    """
    layer = str(layer_dir(glue_version))
    if layer in sys.path:
        return True
    if other_awsglue() is not None:
        return False
    sys.path.insert(0, layer)
    return True


def other_awsglue() -> str | None:
    """Where an ``awsglue`` that is not kit's layer would be imported from, if any."""
    import importlib.util

    loaded = sys.modules.get("awsglue")
    origin = getattr(loaded, "__file__", None) if loaded is not None else None
    if origin is None:
        try:
            spec = importlib.util.find_spec("awsglue")
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
    if origin is None or Path(origin).resolve().is_relative_to(LAYER_DIR):
        return None
    return origin


# --- argv: what a Glue job's sys.argv looks like -------------------------------------------


def python_argv(script: Path | str, script_args: Sequence[str] = ()) -> list[str]:
    """The command that runs ``script`` with this Python and ``script_args`` as its argv."""
    return [sys.executable, str(script), *script_args]


def has_flag(argv: Sequence[str], name: str) -> bool:
    """True when ``--name`` is given (as ``--name value`` or ``--name=value``)."""
    flag = f"--{name}"
    return any(a == flag or a.startswith(flag + "=") for a in argv)


def with_job_name(argv: Sequence[str], job: str) -> list[str]:
    """``argv`` with ``--JOB_NAME job`` in front unless it already names the job, as Glue does."""
    if has_flag(argv, JOB_NAME_FLAG[2:]):
        return list(argv)
    return [JOB_NAME_FLAG, job, *argv]


def arg_value(argv: Sequence[str], name: str, default: str) -> str:
    """The value of ``--name`` in ``argv`` (the first one), else ``default``."""
    flag = f"--{name}"
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return default
