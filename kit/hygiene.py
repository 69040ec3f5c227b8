"""``kit check``: project hygiene, the pre-commit checks without git hooks.

Pairs in sync (and no pair edited on both sides since the last sync), no outputs in notebooks,
export refusal rules pass (tags, credentials, ...) and build folders fresh. Findings are
differences, not failures: ``kit check`` exits 3 when it has any (docs/cli.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from kit.config import ProjectConfig
from kit.errors import KitError, PairingError, SyncConflict
from kit.notebooks import export as exporter
from kit.notebooks.pairing import all_status, changed_twin, inside_project
from kit.notebooks.reader import read_notebook


@dataclass(frozen=True)
class Finding:
    job: str
    message: str

    def __str__(self) -> str:
        return f"{self.job}: {self.message}"


def findings(config: ProjectConfig) -> list[Finding]:
    """Every hygiene finding in the project; empty when all is well."""
    found: list[Finding] = []
    for pair in all_status(config):
        rel_nb, rel_mod = config.relative(pair.notebook), config.relative(pair.module)
        try:
            for twin in (pair.notebook, pair.module):
                if twin.exists():
                    inside_project(twin, config)
        except PairingError as exc:
            found.append(Finding(pair.name, str(exc)))
            continue
        if pair.state == "out of sync":
            try:
                changed_twin(pair.name, config)
            except SyncConflict as exc:
                found.append(Finding(pair.name, str(exc)))
                continue
        if not pair.ok:
            fix = {
                "out of sync": f"run `kit sync {rel_nb}`",
                "missing module": f"run `kit sync {rel_nb}` to create {rel_mod}",
                "missing notebook": f"run `kit sync {rel_mod}` to create {rel_nb}",
            }[pair.state]
            found.append(Finding(pair.name, f"notebook and job module {pair.state}; {fix}"))
        if pair.notebook.is_file():
            nb = read_notebook(pair.notebook)
            with_outputs = [
                i
                for i, c in enumerate(nb.cells, start=1)
                if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))
            ]
            if with_outputs:
                found.append(
                    Finding(
                        pair.name,
                        f"{rel_nb} has outputs in cell(s) {', '.join(map(str, with_outputs))}; "
                        f"run `nbstripout {rel_nb}`",
                    )
                )
        if pair.ok:
            try:
                exporter.check(pair.notebook, config)
            except KitError as exc:
                found.append(Finding(pair.name, str(exc)))
    return found
