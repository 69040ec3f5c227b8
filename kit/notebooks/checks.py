"""Export refusal rules: reasons to refuse an export, one rule per function, all in ``RULES``.

(Distinct from ``kit check``, project hygiene in ``kit.hygiene``, and from staleness, whether
``build/`` matches what export would write, in ``kit.notebooks.export``.)

Each rule takes the notebook and returns a list of problems (empty when the rule passes). The
message of a problem names the notebook cell so the user knows where to look.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from nbformat import NotebookNode

from kit.notebooks.magics import is_cell_magic, strip_magics
from kit.notebooks.tags import DEV_TAG, JOB_TAG, cell_role, cell_tags, tag_problems


@dataclass(frozen=True)
class Problem:
    cell: int | None
    message: str

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.message}" if self.cell else self.message


Rule = Callable[[NotebookNode], list[Problem]]

_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\b")
_SECRET_KEY = re.compile(
    r"(?i)(?:aws_?)?secret(?:_?access)?_?key\s*[\"']?\s*[:=]\s*[\"'][A-Za-z0-9/+=]{40}[\"']"
)
_BARE_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{30,}[A-Za-z0-9/+=]{10}(?![A-Za-z0-9/+=])")
_PASSWORD = re.compile(r"(?i)\b(?:password|passwd|pwd)\s*[=:]\s*[\"'][^\"'\s]+[\"']")


def no_credentials(nb: NotebookNode) -> list[Problem]:
    """Refuse anything that looks like an AWS key pair or a literal password, in any cell."""
    problems = []
    for number, cell in enumerate(nb.cells, start=1):
        source = cell.get("source", "")
        if _ACCESS_KEY_ID.search(source):
            what = "an AWS access key id"
        elif _SECRET_KEY.search(source) or (
            _BARE_SECRET.search(source) and re.search(r"(?i)secret", source)
        ):
            what = "an AWS secret access key"
        elif _PASSWORD.search(source):
            what = "a literal password"
        else:
            continue
        problems.append(
            Problem(
                number,
                f"contains what looks like {what}; remove it and read secrets at run time "
                "(AWS Secrets Manager, a Glue connection or job arguments)",
            )
        )
    return problems


def tags_are_valid(nb: NotebookNode, allowed: frozenset[str] = frozenset()) -> list[Problem]:
    """Tags decide what ships, silently: refuse near misses, malformed values and unknown tags."""
    return [
        Problem(number, message)
        for number, cell in enumerate(nb.cells, start=1)
        for message in tag_problems(cell, allowed)
    ]


def has_job_cells(nb: NotebookNode) -> list[Problem]:
    if any(cell_role(c) == "job" for c in nb.cells):
        return []
    return [
        Problem(
            None,
            f'no cells tagged "{JOB_TAG}"; tag the cells that belong in the Glue job '
            '(in JupyterLab: property inspector > Cell Tags; in the .py twin: # %% tags=["job"])',
        )
    ]


def no_conflicting_tags(nb: NotebookNode) -> list[Problem]:
    return [
        Problem(n, f'tagged both "{JOB_TAG}" and "{DEV_TAG}"; keep one')
        for n, c in enumerate(nb.cells, start=1)
        if c.get("cell_type") == "code" and {JOB_TAG, DEV_TAG} <= set(cell_tags(c))
    ]


def job_cells_compile(nb: NotebookNode) -> list[Problem]:
    """Each shipped cell must be valid Python once magics are removed."""
    problems = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell_role(cell) != "job" or is_cell_magic(cell.source):
            continue
        try:
            parse_cell(cell.source)
        except SyntaxError as exc:
            problems.append(Problem(number, f"does not compile: {exc.msg} (line {exc.lineno} of the cell)"))
    return problems


def no_dev_only_names(nb: NotebookNode) -> list[Problem]:
    """A shipped cell must not rely on a name that only exploration cells define."""
    job_defined: set[str] = set()
    dev_defined: dict[str, tuple[int, str]] = {}
    job_used: list[tuple[int, set[str]]] = []
    for number, cell in enumerate(nb.cells, start=1):
        role = cell_role(cell)
        if role == "text" or is_cell_magic(cell.source):
            continue
        try:
            tree = parse_cell(cell.source)
        except SyntaxError:
            continue
        defined, used = _names(tree)
        if role == "job":
            job_defined |= defined
            job_used.append((number, used))
        else:
            for name in defined:
                dev_defined.setdefault(name, (number, "a dev" if cell_tags(cell) else "an untagged"))
    problems = []
    known = job_defined | set(dir(builtins)) | {"__file__", "__name__", "spark", "sc"}
    for number, used in job_used:
        missing = sorted(n for n in used - known if n in dev_defined)
        for name in missing:
            problems.append(
                Problem(
                    number,
                    f"uses `{name}`, which only {dev_defined[name][1]} cell defines "
                    f"(cell {dev_defined[name][0]}); "
                    f'tag that cell "{JOB_TAG}" or define `{name}` in a job cell',
                )
            )
    return problems


@functools.lru_cache(maxsize=4096)
def parse_cell(source: str) -> ast.Module:
    """The cell's syntax tree once magics are removed (cached: several rules read each cell)."""
    return ast.parse(strip_magics(source)[0])


def _names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names a cell binds at any level, and names it reads that it does not bind itself."""
    defined: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store | ast.Del) else used).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
            if not isinstance(node, ast.ClassDef):
                a = node.args
                for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                    if arg is not None:
                        defined.add(arg.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                defined.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            defined.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            defined.add(node.name)
    return defined, used - defined


RULES: list[Rule] = [
    no_credentials,
    tags_are_valid,
    no_conflicting_tags,
    has_job_cells,
    job_cells_compile,
    no_dev_only_names,
]


def refusals(nb: NotebookNode, allowed_tags: frozenset[str] = frozenset()) -> list[Problem]:
    """Every reason to refuse the export that any rule finds, in rule order.

    ``allowed_tags`` is the project's allow-list of tags besides job/dev (``[tool.kit] tags``).
    """
    return [
        problem
        for rule in RULES
        for problem in (tags_are_valid(nb, allowed_tags) if rule is tags_are_valid else rule(nb))
    ]
