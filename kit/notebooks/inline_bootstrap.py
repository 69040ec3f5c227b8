"""Inline ``kit.bootstrap`` into exported job cells, so a Glue script needs no kit on AWS.

A job cell's ``from kit.bootstrap import start`` becomes the module's own source (between two
marker comments), once per script; the rest of the cell is unchanged. The source comes from the
installed kit, so every export of every job carries the same, current bootstrap.
"""

from __future__ import annotations

import ast
import functools
from importlib import resources
from typing import Any, TypeGuard

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode

from kit.errors import ExportRefused

MODULE = "kit.bootstrap"
BEGIN = "# --- kit.bootstrap (inlined by kit export: the Glue script needs no kit) ---"
END = "# --- end of kit.bootstrap ---"


@functools.cache
def module_source() -> str:
    """``kit/bootstrap.py`` without its docstring, ready to paste at a script's top level."""
    text = resources.files("kit").joinpath("bootstrap.py").read_text("utf-8")
    tree = ast.parse(text)
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        text = "\n".join(text.splitlines()[first.end_lineno or 1:])
    return text.strip("\n")


@functools.cache
def module_names() -> frozenset[str]:
    """Names a ``from kit.bootstrap import ...`` may take (what the module defines)."""
    tree = ast.parse(module_source())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def inline_cell(source: str, already_inlined: bool = False) -> tuple[str, bool]:
    """``source`` with its ``from kit.bootstrap import ...`` replaced by the module's source.

    Returns the new source and whether the module is now inlined (it is pasted only once per
    script; a later import only binds its aliases). Raises ``ExportRefused`` for any other way
    of importing kit.bootstrap, which the export could not make self-contained.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, already_inlined  # the export's compile step names the cell
    top = {id(node) for node in tree.body}
    imports = [node for node in ast.walk(tree) if _imports_bootstrap(node)]
    if not imports:
        return source, already_inlined
    lines = source.splitlines()
    for node in sorted(imports, key=lambda n: n.lineno, reverse=True):
        if not (isinstance(node, ast.ImportFrom) and node.module == MODULE and id(node) in top):
            raise ExportRefused(
                f"line {node.lineno}: import kit's bootstrap as a top-level "
                "`from kit.bootstrap import start`, which export inlines"
            )
        end = node.end_lineno or node.lineno
        others = [n for n in tree.body if n is not node
                  and n.lineno <= end and (n.end_lineno or n.lineno) >= node.lineno]
        if others:
            raise ExportRefused(
                f"line {node.lineno}: put `from kit.bootstrap import ...` on lines of its own"
            )
        unknown = [a.name for a in node.names if a.name not in module_names()]
        if unknown:
            raise ExportRefused(f"line {node.lineno}: kit.bootstrap has no name {unknown[0]!r}")
        aliases = [f"{a.asname} = {a.name}" for a in node.names if a.asname and a.asname != a.name]
        lines[node.lineno - 1:end] = aliases
    first = min(imports, key=lambda n: n.lineno)
    if not already_inlined:
        at = first.lineno - 1
        lines[at:at] = [BEGIN, *module_source().splitlines(), END]
    return "\n".join(lines), True


def _imports_bootstrap(node: ast.AST) -> TypeGuard[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.ImportFrom):
        if node.level == 0 and node.module == MODULE:
            return True
        return node.level == 0 and node.module == "kit" and any(
            a.name == "bootstrap" for a in node.names
        )
    if isinstance(node, ast.Import):
        return any(a.name == MODULE or a.name.startswith(MODULE + ".") for a in node.names)
    return False


class InlineBootstrapPreprocessor(Preprocessor):
    """Replace job cells' ``from kit.bootstrap import ...`` with the module's source (once)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]):
        inlined = False
        for cell in nb.cells:
            number = cell.metadata.get("kit_cell_number", "?")
            try:
                cell.source, inlined = inline_cell(cell.source, inlined)
            except ExportRefused as exc:
                label = resources.get("kit_source_label", "the notebook")
                raise ExportRefused(f"{label}: cell {number}, {exc}; nothing was written") from None
        return nb, resources


def session_preamble() -> str:
    """Python for a Glue interactive session's first cell (after its magics): registers this
    kit's ``kit.bootstrap`` so a job's unchanged ``from kit.bootstrap import start`` works there,
    where kit is not installed. Nothing is uploaded; it is the same source ``kit export`` inlines.
    """
    source = resources.files("kit").joinpath("bootstrap.py").read_text("utf-8")
    return "\n".join([
        "# kit.bootstrap for this session (kit is not installed here; printed by kit, stdlib only)",
        "import sys as _sys, types as _types",
        "if 'kit.bootstrap' not in _sys.modules:",
        "    _kit = _sys.modules.setdefault('kit', _types.ModuleType('kit'))",
        "    _kit.__path__ = getattr(_kit, '__path__', [])",
        "    _boot = _types.ModuleType('kit.bootstrap')",
        f"    exec(compile({source!r}, 'kit/bootstrap.py', 'exec'), _boot.__dict__)",
        "    _sys.modules['kit.bootstrap'] = _kit.bootstrap = _boot",
        "",
    ])


if __name__ == "__main__":  # the preamble alone, for sparkmagic on a dev endpoint, EMR or Docker
    print(session_preamble(), end="")
