"""Read a job's declared arguments (``JOB_ARGS = {...}``) from its notebook without running it."""

from __future__ import annotations

import ast

from nbformat import NotebookNode

from kit.notebooks.checks import parse_cell
from kit.notebooks.tags import cell_role

JOB_ARGS_NAME = "JOB_ARGS"


def declared_job_args(nb: NotebookNode) -> dict[str, str]:
    """The literal ``JOB_ARGS`` dict of the job cells (argument name → local default), or ``{}``."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell_role(cell) != "job":
            continue
        try:
            tree = parse_cell(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            target = None
            assigned: ast.expr | None = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                assigned = node.value
            elif isinstance(node, ast.AnnAssign):
                target = node.target
                assigned = node.value
            if isinstance(target, ast.Name) and target.id == JOB_ARGS_NAME and assigned:
                try:
                    value = ast.literal_eval(assigned)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    found = {str(k): str(v) for k, v in value.items()}
    return found
