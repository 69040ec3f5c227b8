"""``kit export``: notebook → Glue script + deployment stack + manifest in the job's build folder.

The library API behind the CLI. It reads the notebook (or its .py twin), refuses with one line
when the notebook cannot become a safe Glue script, renders the files in memory, compiles the
script, and only then writes, atomically. It never touches the notebook or its pair.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from kit import build
from kit.config import ProjectConfig
from kit.errors import ExportRefused, NotebookError, StaleExport
from kit.fsutil import write_atomic
from kit.jobstack import STACK_MARKER
from kit.names import validate_job_name
from kit.notebooks.checks import refusals
from kit.notebooks.exporter import GENERATED_MARKER, GlueScriptExporter
from kit.notebooks.jobargs import declared_job_args
from kit.notebooks.reader import read_notebook
from kit.notebooks.tags import allowed_tags

STACK_FILE = build.STACK_FILE
_CELL_MARK = re.compile(r"^# --- notebook cell (\d+) ---$")


@dataclass
class ExportResult:
    """What an export produced (or would produce, for ``check``)."""

    job: str
    source: Path
    files: dict[Path, str]
    job_args: dict[str, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)


def resolve_source(target: str | Path, config: ProjectConfig) -> tuple[str, Path]:
    """(job name, file to read) for a notebook path, a job module path or a bare job name."""
    path = Path(target)
    if path.suffix in {".ipynb", ".py"}:
        if not path.is_absolute():
            path = (Path.cwd() / path).resolve()
        return path.stem, path
    name = str(target)
    for candidate in (config.notebook_path(name), config.job_module_path(name)):
        if candidate.is_file():
            return name, candidate
    raise NotebookError(
        f"no notebook or job module named {name!r} (looked for {config.relative(config.notebook_path(name))} "
        f"and {config.relative(config.job_module_path(name))}); run `kit new {name}` to create one"
    )


def script_path(config: ProjectConfig, job: str) -> Path:
    return config.job_build_dir(job) / f"{job}.py"


def render(target: str | Path, config: ProjectConfig) -> ExportResult:
    """Everything export would write for ``target``, in memory; raises ``ExportRefused``."""
    job, source = resolve_source(target, config)
    validate_job_name(job)  # one name rule wherever a build is made (export, run, deploy, ...)
    nb = read_notebook(source)
    # Either twin of a pair exports byte-identically: the header always names the notebook.
    twin = config.notebook_path(job)
    label = config.relative(twin if source in (twin, config.job_module_path(job)) else source)
    problems = refusals(nb, allowed_tags(config.raw))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ExportRefused(f"{label}: {problems[0]}{more}; nothing was written")
    script, resources = _exporter().from_notebook_node(nb, {"kit_source_label": label})
    _compile(script, label)
    job_args = declared_job_args(nb)
    # the manifest names the notebook when the job has one, whichever twin was read
    hashed = twin if source == config.job_module_path(job) and twin.is_file() else source
    files = build.render_files(
        config=config,
        job=job,
        source_label=label,
        source=hashed,
        script=script,
        declared=job_args,
    )
    return ExportResult(
        job=job, source=source, files=files, job_args=job_args, stats=dict(resources.get("kit", {}))
    )


def export(
    target: str | Path, config: ProjectConfig, *, force: bool = False,
    rendered: ExportResult | None = None,
) -> ExportResult:
    """Render (unless ``rendered`` already is) and write the build files; files already up to
    date are left untouched."""
    result = rendered or render(target, config)
    for path, content in result.files.items():
        if path.exists():
            current = path.read_text(encoding="utf-8", errors="replace")
            if current == content:
                result.unchanged.append(path)
                continue
            if not force and not _is_generated(current):
                raise ExportRefused(
                    f"{config.relative(path)} exists and was not written by kit; "
                    "move it away or pass --force to replace it"
                )
    for path, content in result.files.items():
        if path not in result.unchanged:
            write_atomic(path, content, durable=False)  # regenerable from the notebook
            result.written.append(path)
    return result


def check(target: str | Path, config: ProjectConfig) -> ExportResult:
    """Raise ``StaleExport`` when the build folder differs from what export would write now."""
    result = render(target, config)
    stale = [
        config.relative(p)
        for p, content in result.files.items()
        if not p.is_file() or p.read_text(encoding="utf-8", errors="replace") != content
    ]
    if stale:
        raise StaleExport(
            f"{', '.join(stale)} out of date with {config.relative(result.source)}; "
            f"run `kit export {config.relative(result.source)}`"
        )
    result.unchanged = list(result.files)
    return result


@functools.cache
def _exporter() -> GlueScriptExporter:
    """One exporter per process: building nbconvert's traitlets machinery is the slow part."""
    return GlueScriptExporter()


def render_project_builds(
    config: ProjectConfig, jobs: list[str] | None, *, catalog: bool | None = None
) -> dict[Path, str]:
    """The builds beside the jobs', in memory: each pipeline's (``build/_pipelines/NAME/``) that
    runs one of ``jobs`` and the catalog's (``build/_catalog/``); every one when ``jobs`` is
    None (``kit export --all``). ``catalog`` defaults to ``jobs is None``, so a bad catalog
    declaration never stops one job's export.

    Raises (one line) before anything is written: a bad declaration, cycle, unknown job...
    """
    from kit.catalog import stack as catalog_stack
    from kit.pipelines import build as pipeline_build
    from kit.pipelines.model import load_pipeline, pipeline_names

    with_catalog = jobs is None if catalog is None else catalog
    files = catalog_stack.render_files(config.root, config.build_dir) if with_catalog else {}
    for name in pipeline_names(config):
        if jobs is None or set(jobs) & set(load_pipeline(config, name).jobs):
            files.update(pipeline_build.render_files(config, name))
    return files


def write_project_builds(
    files: dict[Path, str], config: ProjectConfig, *, force: bool = False
) -> ExportResult:
    """Write what :func:`render_project_builds` rendered, as :func:`export` writes a job's."""
    return export("", config, force=force, rendered=ExportResult(
        job="", source=config.build_dir, files=files))


def stale_project_builds(files: dict[Path, str], config: ProjectConfig) -> list[str]:
    """The project builds (catalog, pipelines) that differ from what export would write."""
    return [config.relative(p) for p, content in files.items()
            if not p.is_file() or p.read_text(encoding="utf-8", errors="replace") != content]


def _is_generated(text: str) -> bool:
    from kit.catalog import stack as catalog_stack
    from kit.pipelines import build as pipeline_build
    from kit.pipelines.stack import STACK_MARKER as PIPELINE_MARKER

    return (
        text.startswith(GENERATED_MARKER)
        or text.startswith(STACK_MARKER)
        or text.startswith(PIPELINE_MARKER)
        or text.startswith("# Generated by kit from catalog/")
        or build.is_manifest(text)
        or catalog_stack.is_manifest(text)
        or pipeline_build.is_manifest(text)
    )


def _compile(script: str, label: str) -> None:
    """Byte-compile the whole script as py_compile does (without writing a .pyc); on failure,
    name the notebook cell the bad line came from."""
    try:
        compile(script, label, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        lineno = getattr(exc, "lineno", None) or 0
        cell = _cell_of_line(script, lineno)
        where = f"cell {cell}" if cell else f"line {lineno}"
        msg = getattr(exc, "msg", None) or str(exc)
        raise ExportRefused(
            f"{label}: the exported script does not compile ({where}: {msg}); fix that cell"
        ) from exc


def _cell_of_line(script: str, lineno: int) -> int | None:
    cell = None
    for number, line in enumerate(script.splitlines(), start=1):
        if number > lineno:
            break
        match = _CELL_MARK.match(line)
        if match:
            cell = int(match.group(1))
    return cell
