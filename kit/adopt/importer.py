"""``kit import SCRIPT.py``: an existing Glue script becomes a kit job (notebook + job module).

The script is parsed, never run or modified. kit's bootstrap (rendered from the job template,
so it is always the current one) replaces the script's own set-up (``getResolvedOptions``,
``SparkContext``, ``GlueContext``, ``Job``, ``job.init``); a second cell binds the script's names
for those objects, so the body runs unchanged. The body is split into cells at its logical
steps: Glue Studio nodes and paragraphs of top-level statements. Every imported cell is tagged
``job``, so ``kit export`` ships the same program.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

import jupytext
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from kit.config import ProjectConfig
from kit.errors import ImportRefused, KitError
from kit.fsutil import write_atomic
from kit.notebooks.checks import refusals
from kit.notebooks.jobargs import JOB_ARGS_NAME
from kit.notebooks.pairing import PAIRING_FORMATS, TEXT_FORMAT
from kit.notebooks.tags import JOB_TAG
from kit.notebooks.template import KERNELSPEC, template_text, validate_name

RESOLVE = "getResolvedOptions"




@dataclass
class ScriptShape:
    """What the importer found in a script."""

    required: list[str] = field(default_factory=list)  # getResolvedOptions keys, no default
    optional: list[str] = field(default_factory=list)  # keys read only when given on argv
    names: dict[str, str] = field(default_factory=dict)  # bootstrap object -> script's name
    dropped: set[int] = field(default_factory=set)  # top-level statements the bootstrap replaces
    commits: set[int] = field(default_factory=set)  # top-level ``job.commit()`` statements
    glue_studio: bool = False


@dataclass
class Imported:
    name: str
    notebook: Path
    module: Path
    cells: int
    shape: ScriptShape


def default_name(script: Path) -> str:
    """A job name from the script's file name (``My-Job.py`` -> ``my_job``)."""
    name = re.sub(r"[^a-z0-9_]+", "_", script.stem.lower()).strip("_")
    return f"job_{name}" if name[:1].isdigit() else name


def import_script(script: Path, config: ProjectConfig, name: str | None = None) -> Imported:
    """Write ``notebooks/NAME.ipynb`` and ``jobs/NAME.py`` from ``script``; refuse, writing
    nothing, when the name is taken or the script cannot be read or parsed."""
    script = Path(script)
    if not script.is_file():
        raise ImportRefused(f"{script}: no such script; give the path of a Glue .py script")
    try:
        source = script.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"{script}: not UTF-8 text ({exc.reason}); nothing was written") from exc
    return import_source(source, str(script), config, name or default_name(script))


def import_source(source: str, label: str, config: ProjectConfig, name: str) -> Imported:
    """:func:`import_script` for script text already in memory (``kit pull``)."""
    try:
        validate_name(name)
    except KitError as exc:
        raise ImportRefused(f"{exc}; pass --name") from exc
    for path in (config.notebook_path(name), config.job_module_path(name)):
        if path.exists():
            raise ImportRefused(
                f"{config.relative(path)} already exists; pass another --name or delete it first"
            )
    nb, shape = build_notebook(source, name, label)
    made = write_notebook(nb, config, name)
    made.shape = shape
    return made


def write_notebook(nb: NotebookNode, config: ProjectConfig, name: str, *, force: bool = False) -> Imported:
    """Write the pair for ``nb``; an existing twin is replaced only with ``force``."""
    notebook, module = config.notebook_path(name), config.job_module_path(name)
    if not force:
        for path in (notebook, module):
            if path.exists():
                raise ImportRefused(f"{config.relative(path)} already exists; nothing was written")
    write_atomic(module, jupytext.writes(nb, fmt=TEXT_FORMAT))
    write_atomic(notebook, jupytext.writes(nb, fmt="ipynb"))
    return Imported(name, notebook, module, len(nb.cells), ScriptShape())


def build_notebook(source: str, name: str, label: str) -> tuple[NotebookNode, ScriptShape]:
    """The job notebook for a script's text (pure: reads and writes nothing)."""
    try:
        tree = ast.parse(source, filename=label)
    except SyntaxError as exc:
        raise ImportRefused(
            f"{label} does not parse (line {exc.lineno}: {exc.msg}); nothing was written"
        ) from exc
    if not tree.body:
        raise ImportRefused(f"{label} has no statements; nothing to import")
    shape = analyse(tree)
    lines = source.splitlines()
    cells = [
        new_markdown_cell(_intro(name, label, shape)),
        _job_cell(bootstrap_cell(name)),
        _job_cell(names_cell(shape)),
    ]
    cells += [_job_cell(text) for text in body_cells(tree, lines, shape)]
    nb = jupytext.reads("", fmt=TEXT_FORMAT)
    nb.cells = cells
    nb.metadata["jupytext"] = {"formats": PAIRING_FORMATS}
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    problems = refusals(nb)
    if problems:
        raise ImportRefused(f"{label}: {problems[0]}; nothing was written")
    return nb, shape


# --- what the script does ---------------------------------------------------------------------


def analyse(tree: ast.Module) -> ScriptShape:
    """Find the script's arguments and the set-up statements kit's bootstrap replaces."""
    shape = ScriptShape()
    top_level_calls: set[int] = set()
    for index, stmt in enumerate(tree.body):
        target, value = _assignment(stmt)
        if value is not None and _is_call(value, RESOLVE):
            top_level_calls.add(id(value))
            shape.required += [k for k in _keys(value) if k not in shape.required]
            shape.names.setdefault("args", target)
            shape.dropped.add(index)
        elif value is not None and (_is_call(value, "SparkContext") or _is_call(value, "getOrCreate", "SparkContext")):
            shape.names.setdefault("sc", target)
            shape.dropped.add(index)
        elif value is not None and _is_call(value, "GlueContext"):
            shape.names.setdefault("glue_context", target)
            shape.dropped.add(index)
        elif value is not None and _is_attribute(value, "spark_session"):
            shape.names.setdefault("spark", target)
            shape.dropped.add(index)
        elif value is not None and _is_call(value, "Job"):
            shape.names.setdefault("job", target)
            shape.dropped.add(index)
        elif _is_method_call(stmt, shape.names.get("job"), "init"):
            shape.dropped.add(index)
        elif _is_method_call(stmt, shape.names.get("job"), "commit"):
            shape.commits.add(index)
    # getResolvedOptions anywhere else: guarded by `if "--k" in sys.argv` means optional
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            guarded = {m for m in re.findall(r"--([A-Za-z0-9_.-]+)", ast.unparse(node.test))}
            for inner in ast.walk(node):
                if _is_call(inner, RESOLVE) and id(inner) not in top_level_calls:
                    top_level_calls.add(id(inner))
                    for key in _keys(inner):
                        bucket = shape.optional if key in guarded else shape.required
                        if key not in shape.required + shape.optional:
                            bucket.append(key)
    for node in ast.walk(tree):
        if _is_call(node, RESOLVE) and id(node) not in top_level_calls:
            shape.required += [k for k in _keys(node) if k not in shape.required + shape.optional]
    shape.required = [k for k in shape.required if k != "JOB_NAME"]
    shape.optional = [k for k in shape.optional if k != "JOB_NAME"]
    return shape


def _assignment(stmt: ast.stmt) -> tuple[str, ast.expr | None]:
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return stmt.targets[0].id, stmt.value
    return "", None


def _is_call(node: ast.AST, name: str, owner: str | None = None) -> TypeGuard[ast.Call]:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if owner is not None:
        return (
            isinstance(func, ast.Attribute)
            and func.attr == name
            and isinstance(func.value, ast.Name)
            and func.value.id == owner
        )
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _is_attribute(node: ast.AST, attr: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == attr


def _is_method_call(stmt: ast.stmt, owner: str | None, method: str) -> bool:
    return bool(owner) and isinstance(stmt, ast.Expr) and _is_call(stmt.value, method, owner)


def _keys(call: ast.Call) -> list[str]:
    """The literal option names of ``getResolvedOptions(argv, [...])`` (lists may be added)."""
    if len(call.args) < 2:
        return []
    found: list[str] = []

    def collect(node: ast.AST) -> None:
        if isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    found.append(element.value)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            collect(node.left)
            collect(node.right)

    collect(call.args[1])
    return list(dict.fromkeys(found))


# --- the cells ---------------------------------------------------------------------------------


def bootstrap_cell(name: str) -> str:
    """The job template's bootstrap cell (the job cell declaring ``JOB_ARGS``), with no defaults.

    An imported script's arguments have no local defaults: kit does not invent any.
    """
    template = jupytext.reads(template_text(name), fmt=TEXT_FORMAT)
    for cell in template.cells:
        if cell.cell_type != "code" or JOB_TAG not in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        for stmt in tree.body:
            target, value = _assignment(stmt)
            if target == JOB_ARGS_NAME and value is not None:
                lines = cell.source.splitlines()
                start, end = stmt.lineno - 1, stmt.end_lineno or stmt.lineno
                return "\n".join([*lines[:start], f"{JOB_ARGS_NAME} = {{}}", *lines[end:]])
    raise ImportRefused("kit's job template has no bootstrap cell declaring JOB_ARGS; reinstall kit")


def names_cell(shape: ScriptShape) -> str:
    """Bind the script's own names to the bootstrap's objects; require what the script required."""
    lines = ["# Imported script's set-up: its names for what the bootstrap cell created."]
    if shape.required:
        lines += [
            "# Arguments the script requires (no local default): pass --NAME VALUE to kit run,",
            "# or set them in the job's DefaultArguments. Like Glue, a run without one fails.",
            f"REQUIRED_ARGS = {shape.required!r}",
            'if RUN_MODE == "glue_job":',
            "    from awsglue.utils import getResolvedOptions",
            "",
            "    args.update(getResolvedOptions(sys.argv, REQUIRED_ARGS))",
        ]
    if shape.optional:
        lines.append(
            "# Optional arguments the script reads itself when given: "
            + ", ".join(f"--{k}" for k in shape.optional)
        )
    names = shape.names
    binding = {
        "args": "args",
        "sc": "spark.sparkContext if spark is not None else None",
        "glue_context": "glue_context",
        "spark": "spark",
        "job": "job",
    }
    for role, value in binding.items():
        own = names.get(role)
        if own and own != value:
            lines.append(f"{own} = {value}")
    return "\n".join(lines)


def body_cells(tree: ast.Module, lines: list[str], shape: ScriptShape) -> list[str]:
    """The script's statements as cells: a new cell at each paragraph (a blank line between
    top-level statements) and at each Glue Studio node comment; set-up statements left out."""
    cells: list[list[str]] = []
    current: list[str] = []
    previous_end = 0
    job_name = shape.names.get("job", "job")
    for index, stmt in enumerate(tree.body):
        first = stmt.lineno
        if (isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and stmt.decorator_list):
            first = min(d.lineno for d in stmt.decorator_list)
        gap = lines[previous_end:first - 1]
        if index == 0:  # shebang, encoding and header comments stay with the first statement
            gap = [line for line in gap if not line.startswith("#!")]
        if current and (any(not line.strip() for line in gap) or _starts_node(gap)):
            cells.append(current)
            current = []
        comments = _trim_blank(gap)
        end = stmt.end_lineno or stmt.lineno
        if index in shape.dropped:
            current += comments
        elif index in shape.commits:
            current += [*comments, f"if {job_name} is not None:", f"    {job_name}.commit()"]
        else:
            current += [*comments, *lines[first - 1:end]]
        previous_end = end
    tail = _trim_blank(lines[previous_end:])
    current += tail
    cells.append(current)
    texts = ["\n".join(_trim_blank(cell)) for cell in cells]
    return [text for text in texts if _has_code(text)]


_NODE_COMMENT = re.compile(r"^\s*(# Script generated for node |## @type:)")


def _starts_node(gap: list[str]) -> bool:
    return any(_NODE_COMMENT.match(line) for line in gap)


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def _job_cell(source: str) -> NotebookNode:
    return new_code_cell(source, metadata={"tags": [JOB_TAG]})


def _intro(name: str, label: str, shape: ScriptShape) -> str:
    required = ", ".join(f"`--{k}`" for k in shape.required) or "none"
    return (
        f"# {name}\n\n"
        f"Imported by `kit import` from `{label}` (the script itself is unchanged). Every cell is "
        "tagged `job`: `kit export` ships them in order. The first cell is kit's bootstrap; the "
        "second binds the script's own names to what it created.\n\n"
        f"Required arguments (no local default): {required}."
    )
