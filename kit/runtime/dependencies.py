"""A job's Python and JVM dependencies, applied to a local run the way Glue applies them.

Glue reads five special arguments (AWS Glue developer guide, "Using Python libraries with AWS
Glue" and "Job parameters used by AWS Glue"): ``--additional-python-modules`` (comma-separated
pip requirements, and S3 paths to wheels, zips of wheels or, with
``--python-modules-installer-option -r``, one requirements file), ``--python-modules-installer-option``
(extra pip options such as ``--upgrade``), ``--extra-py-files`` (on the Python path; applied by
:mod:`kit.runtime.glueargs`), ``--extra-jars`` (jar files on Spark's classpath) and
``--user-jars-first`` (those jars before Spark's own). They come from the job's settings
(``[tool.kit.job.JOB] arguments``) and from the run's argv; argv wins, as a job run's arguments
override the job's default arguments on Glue.

Glue pip-installs the modules into the job's Python before the script starts, so they override
the packages Glue provides (``pyarrow==X`` upgrades Glue's pyarrow). kit never installs into its
own environment: the modules go into an *overlay*, a venv created once per requirement set
(``~/.cache/kit/deps/<key>/``, ``KIT_DEPS_DIR`` to move it) whose Python sees kit's environment
and the Glue version's runtime through a ``.pth`` file. pip therefore resolves against what kit
already has (installing only what is missing or asked to change, never a second copy of boto3's
dependencies as ``pip install --target`` would) and installs upgrades into the overlay without
touching kit's copy ("not uninstalling ..., outside environment"). The run puts the overlay's
site-packages on the Python path after the job's own files and before kit's environment.

The key is a hash of the requirement set (wheel and requirements-file contents included), the
installer options, the Glue version, the local Python and kit's environment. An overlay is built
in a temporary folder and renamed into place with its ``overlay.json`` marker, so an interrupted
build is never used; a cached overlay is used without calling pip at all (offline works).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import DependencyError

MODULES = "additional-python-modules"
INSTALLER_OPTION = "python-modules-installer-option"
EXTRA_PY_FILES = "extra-py-files"
EXTRA_JARS = "extra-jars"
USER_JARS_FIRST = "user-jars-first"
ARGUMENTS = (MODULES, INSTALLER_OPTION, EXTRA_PY_FILES, EXTRA_JARS, USER_JARS_FIRST)

MARKER = "overlay.json"
OFFLINE_ENV = "KIT_DEPS_OFFLINE"
DIR_ENV = "KIT_DEPS_DIR"
# pip options that choose where to install: kit decides that (the overlay), so they are refused
_LOCATION_OPTIONS = ("-t", "--target", "--prefix", "--root", "--user", "--home")
_REQUIREMENT_FLAGS = ("-r", "--requirement")
_SHOWN = ("Collecting", "Downloading", "Using cached", "Processing", "Building wheel",
          "Created wheel", "Installing collected", "Successfully", "Requirement already")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Request:
    """What a run asks for, as Glue's arguments say it (raw values; None when not given)."""

    modules: str | None = None
    installer_option: str | None = None
    extra_py_files: str | None = None
    extra_jars: str | None = None
    user_jars_first: str | None = None


@dataclass(frozen=True)
class OverlayPlan:
    """A resolved requirement set: the pip command's arguments and the overlay's cache key."""

    key: str
    pip_args: tuple[str, ...]  # options then requirements (local paths), as pip receives them
    description: dict[str, Any]  # what the key was made of (written to the marker)
    wheel_zips: tuple[Path, ...] = ()  # zips of wheels, unpacked into the build folder


@dataclass
class Applied:
    """What a run gets: folders for the Python path (in order) and Spark settings."""

    python_path: list[str] = field(default_factory=list)
    spark_conf: dict[str, str] = field(default_factory=dict)
    overlay: Path | None = None


# --- where the arguments come from -----------------------------------------------------------


def job_arguments(config: Any, job: str | None, env: str | None = None) -> dict[str, str]:
    """The dependency arguments in ``[tool.kit.job.JOB] arguments`` (``env``'s overrides too)."""
    if not job:
        return {}
    table = config.job_settings.get(job) or {}
    args: dict[str, Any] = dict(table.get("arguments") or {})
    overrides = (table.get("environments") or {}).get(env) if env else None
    if isinstance(overrides, dict):
        args.update(overrides.get("arguments") or {})
    found = {}
    for key, value in args.items():
        name = str(key).removeprefix("--")
        if name in ARGUMENTS:
            found[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return found


def request(argv: Sequence[str], settings: Mapping[str, str] | None = None) -> Request:
    """The run's request: each argument from ``argv`` when given there, else from ``settings``."""
    from kit.runtime.glueargs import values

    chosen: dict[str, str | None] = {}
    for name in ARGUMENTS:
        given = values(list(argv), name)
        chosen[name] = given[-1] if given else (settings or {}).get(name)
    return Request(
        modules=chosen[MODULES], installer_option=chosen[INSTALLER_OPTION],
        extra_py_files=chosen[EXTRA_PY_FILES], extra_jars=chosen[EXTRA_JARS],
        user_jars_first=chosen[USER_JARS_FIRST],
    )


# --- the overlay -----------------------------------------------------------------------------


def deps_dir() -> Path:
    """Where overlays are cached (``KIT_DEPS_DIR``, else ``$XDG_CACHE_HOME/kit/deps``)."""
    override = os.environ.get(DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser().resolve() / "kit" / "deps"


def plan(req: Request, root: Path, glue_version: str | None = None,
         s3_root: Path | None = None) -> OverlayPlan | None:
    """Resolve ``--additional-python-modules`` (and its installer options) to an overlay plan.

    None when the request has no modules. S3 paths map to the local object root (``s3_root``);
    every file named must exist, every requirement must parse, else a one-line error.
    """
    from kit.runtime import runtimes

    items = [i.strip() for i in (req.modules or "").split(",") if i.strip()]
    if not items:
        if req.installer_option:
            raise DependencyError(
                f"--{INSTALLER_OPTION} is given without --{MODULES}; add the modules to install"
            )
        return None
    try:
        options = shlex.split(req.installer_option or "")
    except ValueError as exc:
        raise DependencyError(f"--{INSTALLER_OPTION} {req.installer_option!r}: {exc}") from None
    for option in options:
        if option.split("=", 1)[0] in _LOCATION_OPTIONS:
            raise DependencyError(
                f"--{INSTALLER_OPTION}: {option} is not allowed locally; kit installs the "
                "modules into its own cached overlay, never into another folder"
            )
    requirements_file = any(o in _REQUIREMENT_FLAGS for o in options)
    options = [o for o in options if o not in _REQUIREMENT_FLAGS]
    if requirements_file and len(items) != 1:
        raise DependencyError(
            f"--{INSTALLER_OPTION} -r takes one requirements file in --{MODULES}, got {len(items)}"
        )
    runtime = runtimes.spec(glue_version)
    described: list[Any] = []
    pip_items: list[str] = []
    zips: list[Path] = []
    for item in items:
        if requirements_file or _is_path(item):
            local = _local_file(item, root, s3_root, MODULES)
            described.append({"file": item, "sha256": _sha256(local)})
            if requirements_file:
                pip_items += ["-r", str(local)]
            elif local.suffix == ".zip":
                zips.append(local)
            else:
                pip_items.append(str(local))
        elif item.startswith(("http://", "https://")):
            described.append(item)  # a distribution's URL: pip fetches it (keyed by the URL)
            pip_items.append(item)
        else:
            described.append(_requirement(item))
            pip_items.append(item)
    description = {
        "modules": described,
        "installer_options": options,
        "glue_version": runtime.glue_version,
        "spark": runtime.spark,
        "python": f"{sys.implementation.name}-{platform.python_version()}-{platform.machine()}",
        "environment": sys.prefix,
    }
    digest = hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()
    return OverlayPlan(digest[:16], tuple(options + pip_items), description, tuple(zips))


def cached(overlay_plan: OverlayPlan) -> Path | None:
    """The overlay folder of ``overlay_plan`` when it is complete, else None (no pip call)."""
    folder = deps_dir() / overlay_plan.key
    return folder if _marker(folder) is not None else None


def ensure(overlay_plan: OverlayPlan, glue_version: str | None = None,
           progress: Progress | None = None, *, offline: bool | None = None) -> Path:
    """The overlay of ``overlay_plan``, built once (pip's progress goes to ``progress``).

    ``offline`` (default: ``KIT_DEPS_OFFLINE`` set) refuses to build: only a cached overlay is
    used. A failed or interrupted build leaves nothing in the cache.
    """
    folder = cached(overlay_plan)
    if folder is not None:
        return folder
    if offline is None:
        offline = bool(os.environ.get(OFFLINE_ENV))
    if offline:
        raise DependencyError(
            f"the job's Python modules are not cached ({_summary(overlay_plan)}) and "
            f"{OFFLINE_ENV} forbids installing them; run once with access to the package index"
        )
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    home = deps_dir()
    home.mkdir(parents=True, exist_ok=True)
    target = home / overlay_plan.key
    with _lock(home / f"{overlay_plan.key}.lock"):
        if _marker(target) is not None:  # built meanwhile by another run
            return target
        if target.exists():
            shutil.rmtree(target)  # an incomplete overlay from an older kit: never trusted
        build = Path(tempfile.mkdtemp(prefix=f".build-{overlay_plan.key}-", dir=home))
        try:
            started = time.perf_counter()
            say(f"installing the job's Python modules ({_summary(overlay_plan)}) into {target}")
            _create_venv(build, glue_version)
            args = list(overlay_plan.pip_args)
            for archive in overlay_plan.wheel_zips:
                args += _unpack_wheels(archive, build / "wheels" / archive.stem)
            _pip_install(build, args, say)
            shutil.rmtree(build / "wheels", ignore_errors=True)
            info = {**overlay_plan.description, "key": overlay_plan.key,
                    "built_seconds": round(time.perf_counter() - started, 1),
                    "packages": installed(build)}
            (build / MARKER).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
            os.rename(build, target)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        say(f"installed {', '.join(info['packages']) or 'nothing new'} "
            f"in {info['built_seconds']:.0f}s")
    return target


def site_packages(folder: Path) -> Path:
    """The overlay's site-packages folder (what goes on the Python path)."""
    found = sorted(folder.glob("lib/python*/site-packages"))
    if not found:
        raise DependencyError(f"{folder} is not a kit dependency overlay; remove it")
    return found[0]


def installed(folder: Path) -> list[str]:
    """``name==version`` of each distribution installed in the overlay itself."""
    found = []
    for meta in sorted(site_packages(folder).glob("*.dist-info")):
        name, _, version = meta.name[: -len(".dist-info")].partition("-")
        found.append(f"{name}=={version}")
    return found


def overlays() -> list[dict[str, Any]]:
    """Every complete overlay in the cache, with its marker's description and its folder."""
    home = deps_dir()
    if not home.is_dir():
        return []
    found = []
    for folder in sorted(home.iterdir()):
        info = _marker(folder) if folder.is_dir() and not folder.name.startswith(".") else None
        if info is not None:
            found.append({**info, "path": str(folder)})
    return found


def clear(key: str | None = None) -> list[Path]:
    """Remove one overlay (by key) or every overlay; returns the folders removed."""
    home = deps_dir()
    if not home.is_dir():
        return []
    removed = []
    for folder in sorted(home.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or key not in (None, folder.name):
            continue  # (a ".build-*" folder is a build in progress)
        with _lock(home / f"{folder.name}.lock"):
            shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


# --- jars --------------------------------------------------------------------------------------


def jar_conf(req: Request, root: Path, conf: Mapping[str, str] | None = None,
             s3_root: Path | None = None) -> dict[str, str]:
    """Spark settings for ``--extra-jars`` / ``--user-jars-first`` (merged with ``conf``'s).

    The jars go to ``spark.jars`` (Spark's class loader, which asks its parent first, so Spark's
    own classes win). With ``--user-jars-first true`` they also go first on the driver's and
    executors' class path, before Spark's jars, as Glue puts them first.
    """
    conf = dict(conf or {})
    first = (req.user_jars_first or "false").strip().lower()
    if first not in ("true", "false"):
        raise DependencyError(f"--{USER_JARS_FIRST} {req.user_jars_first!r}: use true or false")
    jars = [
        str(_local_file(item.strip(), root, s3_root, EXTRA_JARS))
        for item in (req.extra_jars or "").split(",") if item.strip()
    ]
    if not jars:
        return {}
    out = {"spark.jars": ",".join(filter(None, [conf.get("spark.jars"), *jars]))}
    if first == "true":
        for side in ("driver", "executor"):
            key = f"spark.{side}.extraClassPath"
            out[key] = os.pathsep.join(filter(None, [*jars, conf.get(key)]))
        out["spark.executor.userClassPathFirst"] = "true"
    return out


# --- what a run does ---------------------------------------------------------------------------


def apply(argv: Sequence[str], config: Any, job: str | None, glue_version: str | None = None,
          spark_conf: Mapping[str, str] | None = None, progress: Progress | None = None,
          *, env: str | None = None) -> Applied:
    """Everything a run needs for its dependencies: build (or reuse) the overlay, find the jars.

    ``spark_conf`` is what ``--conf`` already sets (``spark.jars`` there is kept). Returns the
    folders to add to the Python path after the script's own files, and the Spark settings.
    """
    root = Path(config.root)
    settings = job_arguments(config, job, env)
    req = request(argv, settings)
    applied = Applied()
    if req.extra_py_files and EXTRA_PY_FILES not in _given(argv):
        from kit.runtime import glueargs  # argv's own --extra-py-files is glueargs' to apply

        applied.python_path += glueargs.parse(
            [f"--{EXTRA_PY_FILES}", req.extra_py_files], root
        ).python_path
    s3_root = object_root(config)
    applied.overlay = overlay(req, root, glue_version, s3_root, progress)
    if applied.overlay is not None:
        applied.python_path.append(str(site_packages(applied.overlay)))
    applied.spark_conf = jar_conf(req, root, spark_conf, s3_root)
    return applied


def check(argv: Sequence[str], config: Any, job: str | None,
          glue_version: str | None = None) -> None:
    """Refuse bad dependency arguments in one line, before anything runs (nothing is built)."""
    root, s3_root = Path(config.root), object_root(config)
    req = request(argv, job_arguments(config, job))
    plan(req, root, glue_version, s3_root)
    jar_conf(req, root, None, s3_root)


def project_paths(config: Any, glue_version: str | None = None,
                  progress: Progress | None = None) -> list[str]:
    """The overlay site-packages of every job's ``--additional-python-modules`` setting.

    For the processes that serve a whole project rather than one job (the pytest plugin, the
    local kernel); each overlay is built once, like a run's.
    """
    overlays = [job_overlay(config, job, glue_version, progress)
                for job in sorted(config.job_settings)]
    return list(dict.fromkeys(str(site_packages(o)) for o in overlays if o is not None))


def add_to_sys_path(paths: Sequence[str]) -> None:
    """Put ``paths`` on ``sys.path`` just before kit's own packages (after the job's files),
    and on ``PYTHONPATH`` for the Python workers Spark starts."""
    own = sysconfig.get_paths()["purelib"]
    where = sys.path.index(own) if own in sys.path else len(sys.path)
    for path in paths:
        if path not in sys.path:
            sys.path.insert(where, path)
            where += 1
    if paths:
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.environ.get("PYTHONPATH"), *paths) if p
        )


def job_overlay(config: Any, job: str, glue_version: str | None = None,
                progress: Progress | None = None) -> Path | None:
    """The overlay of the modules ``[tool.kit.job.JOB] arguments`` ask for (None: none asked)."""
    req = request([], job_arguments(config, job))
    return overlay(req, Path(config.root), glue_version, object_root(config), progress)


def overlay(req: Request, root: Path, glue_version: str | None = None,
            s3_root: Path | None = None, progress: Progress | None = None) -> Path | None:
    """The (cached or newly built) overlay for ``req``'s modules; None when it asks for none."""
    overlay_plan = plan(req, root, glue_version, s3_root)
    return None if overlay_plan is None else ensure(overlay_plan, glue_version, progress)


def object_root(config: Any) -> Path:
    """The local object root of ``config``'s project (``KIT_S3_ROOT`` overrides)."""
    env = os.environ.get("KIT_S3_ROOT")
    return Path(env).resolve() if env else Path(config.state_dir) / "s3"


# --- helpers -------------------------------------------------------------------------------------


def _given(argv: Sequence[str]) -> set[str]:
    return {a[2:].split("=", 1)[0] for a in argv if a.startswith("--")}


def _is_path(item: str) -> bool:
    """True for a file to install (S3, ``file://`` or local path), not a requirement or URL."""
    if "@" in item or item.startswith(("http://", "https://")):
        return False  # ``name @ url`` is a requirement; a URL goes to pip as it is
    return "://" in item or "/" in item or item.endswith((".whl", ".zip", ".txt", ".tar.gz"))


def _local_file(item: str, root: Path, s3_root: Path | None, argument: str) -> Path:
    """The local file for an S3 path, ``file://`` path or local path; one line when missing."""
    from kit.runtime import s3local

    if s3local.is_s3(item) and s3_root is not None:
        local = s3_root / item.split("://", 1)[1]
    else:
        local = Path(s3local.to_local(item))
    if not local.is_absolute():
        local = root / local
    if not local.is_file():
        what = "a folder, not a file" if local.is_dir() else "not found"
        raise DependencyError(f"--{argument}: {item} is {what} (looked at {local}); fix the path")
    return local


def _requirement(item: str) -> str:
    """``item`` normalised as a pip requirement; a one-line error when it is not one."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return str(Requirement(item))
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]
        raise DependencyError(
            f"--{MODULES}: {item!r} is not a pip requirement ({reason}); "
            "write name or name==version, comma-separated"
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _summary(overlay_plan: OverlayPlan) -> str:
    names = [m["file"] if isinstance(m, dict) else m for m in overlay_plan.description["modules"]]
    return ", ".join(names)


def _create_venv(folder: Path, glue_version: str | None) -> None:
    """A pip-less venv whose Python also sees the Glue version's runtime and kit's environment."""
    from kit.runtime.runtimes import site_dir

    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(folder)
    site = site_packages(folder)
    bases = [site_dir(glue_version), Path(sysconfig.get_paths()["purelib"])]
    lines = [f"import site; site.addsitedir({str(b)!r})" for b in bases if b is not None]
    (site / "_kit_base.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _unpack_wheels(archive: Path, folder: Path) -> list[str]:
    """A zip of wheels (Glue 5.0+, ``*.gluewheels.zip``) unpacked as a local index: its
    ``requirements.txt`` is installed when it has one (AWS's recipe), else every wheel in it."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(folder)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DependencyError(f"--{MODULES}: {archive} is not a zip of wheels ({exc})") from None
    wheels = sorted(folder.rglob("*.whl"))
    if not wheels:
        raise DependencyError(f"--{MODULES}: {archive} holds no .whl file")
    links = sorted({str(w.parent) for w in wheels})
    options = [arg for link in links for arg in ("--find-links", link)]
    listed = sorted(folder.rglob("requirements.txt"))  # AWS's recipe zips it with the wheels
    if listed:
        return [*options, "-r", str(listed[0])]
    return [*options, *(str(w) for w in wheels)]


def _pip_install(folder: Path, args: Sequence[str], say: Progress) -> None:
    """pip install ``args`` into the venv at ``folder``, showing what pip downloads and builds."""
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    command = [sys.executable, "-m", "pip", "--python", str(python), "install",
               "--disable-pip-version-check", "--no-input", "--progress-bar", "off", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PIP_NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)  # pip must see the overlay's view, not the caller's path
    env.pop("PIP_TARGET", None)
    env.pop("PIP_USER", None)
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
    except OSError as exc:
        raise DependencyError(f"cannot start pip: {exc}") from None
    errors: list[str] = []
    last = ""
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.strip()
        if not line:
            continue
        last = line
        if line.startswith(_SHOWN):
            say(f"  {line.split(' (sha256', 1)[0]}")
        elif line.startswith("ERROR:"):
            errors.append(line[len("ERROR:"):].strip())
    code = proc.wait()
    if code != 0:
        reason = errors[-1] if errors else last or f"pip exited with status {code}"
        raise DependencyError(f"pip could not install the job's Python modules: {reason}")


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """One build or removal of an overlay at a time, across processes."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
