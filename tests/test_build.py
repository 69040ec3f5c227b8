"""Builds: the manifest export writes, what makes a build stale, and the one-way arrows."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from kit import __version__
from kit import build as builds
from kit import config as kit_config
from kit.notebooks import export as exporter
from tests.conftest import EXAMPLE, REPO, tree_digest


def _fresh(project: Path) -> tuple[kit_config.ProjectConfig, builds.Build]:
    cfg = kit_config.load(project)
    exporter.export(EXAMPLE, cfg)
    return cfg, builds.load(cfg, EXAMPLE)


def test_the_manifest_records_arguments_settings_source_and_files(project: Path):
    cfg, build = _fresh(project)
    data = json.loads((project / "build" / EXAMPLE / "job.json").read_text(encoding="utf-8"))
    assert data["job"] == EXAMPLE and data["kit_version"] == __version__
    assert data["source"] == f"notebooks/{EXAMPLE}.ipynb"
    assert data["source_sha256"] == builds.source_digest(project / data["source"])
    assert data["arguments"] == {  # JOB_ARGS with their local defaults
        "customers_path": "data/orders_by_month/customers.csv",
        "min_age": "18",
        "orders_path": "data/orders_by_month/orders.csv",
        "output_path": "build/output/orders_by_month",
    }
    assert data["settings"]["schedule"] == "cron(0 6 * * ? *)"
    assert data["settings"]["timeout"] == 60  # resolved: defaults filled in
    assert set(data["files"]) == {f"{EXAMPLE}.py", "stack.yml"}
    assert build.arguments == data["arguments"] and build.stale_reason(cfg) is None


def test_outputs_and_metadata_of_a_notebook_do_not_make_its_build_stale(project: Path):
    cfg, build = _fresh(project)
    path = project / "notebooks" / f"{EXAMPLE}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]
            cell["execution_count"] = 7
    nb["metadata"]["kernelspec"] = {"name": "other", "display_name": "Other"}
    path.write_text(json.dumps(nb, indent=2), encoding="utf-8")
    assert build.stale_reason(cfg) is None


@pytest.mark.parametrize(
    "change, reason",
    [
        ("source", "notebooks/orders_by_month.ipynb changed since the export"),
        ("settings", "[tool.kit.job.orders_by_month] changed since the export"),
        ("script", "orders_by_month.py was changed after the export"),
        ("stack", "stack.yml is missing"),
        ("version", "exported by kit 0.0.1, this is kit "),
    ],
)
def test_what_makes_a_build_stale(project: Path, change: str, reason: str):
    cfg, _ = _fresh(project)
    folder = project / "build" / EXAMPLE
    if change == "source":
        path = project / "notebooks" / f"{EXAMPLE}.ipynb"
        path.write_text(path.read_text().replace('\\"min_age\\": \\"18\\"', '\\"min_age\\": \\"21\\"'))
    elif change == "settings":
        path = project / "pyproject.toml"
        path.write_text(path.read_text().replace("workers = 2", "workers = 4"))
    elif change == "script":
        path = folder / f"{EXAMPLE}.py"
        path.write_text(path.read_text() + "print('hotfix')\n")
    elif change == "stack":
        (folder / "stack.yml").unlink()
    else:
        path = folder / "job.json"
        path.write_text(path.read_text().replace(f'"kit_version": "{__version__}"', '"kit_version": "0.0.1"'))
    cfg = kit_config.load(project)  # the settings as they are now
    build = builds.load(cfg, EXAMPLE)
    assert (build.stale_reason(cfg) or "").startswith(reason)
    with pytest.raises(builds.StaleBuild) as err:
        build.ensure_fresh(cfg)
    assert str(err.value).startswith(
        f"build/{EXAMPLE} is stale: run kit export {EXAMPLE}, or pass --export ({reason}"
    )


def test_missing_or_foreign_builds_are_one_line(project: Path):
    cfg = kit_config.load(project)
    (project / "build" / EXAMPLE / "job.json").unlink()
    with pytest.raises(builds.BuildMissing, match=f"build/{EXAMPLE} has no job.json: run kit export"):
        builds.load(cfg, EXAMPLE)
    (project / "build" / EXAMPLE / "job.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(builds.BuildMissing, match="is not a kit build manifest"):
        builds.load(cfg, EXAMPLE)
    with pytest.raises(builds.BuildMissing, match="build/other does not exist: run kit export other"):
        builds.load(cfg, "other")


def test_export_will_not_overwrite_a_job_json_it_did_not_write(project: Path, cli):
    manifest = project / "build" / EXAMPLE / "job.json"
    manifest.write_text('{"mine": true}\n', encoding="utf-8")
    before = tree_digest(project)
    result = cli("export", EXAMPLE)
    assert result.exit_code == 1 and "job.json exists and was not written by kit" in result.stderr
    assert tree_digest(project) == before


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize(
    "modules, forbidden",
    [
        (sorted((REPO / "kit" / "infra").glob("*.py")), ("kit.notebooks",)),
        ([REPO / "kit" / f"{m}.py" for m in ("build", "jobstack", "settings")],
         ("kit.notebooks", "kit.infra")),
    ],
)
def test_arrows_go_notebooks_to_build_to_infra(modules: list[Path], forbidden: tuple[str, ...]):
    found = {
        f"{path.relative_to(REPO)}: {name}"
        for path in modules
        for name in _imports(path)
        if name.startswith(forbidden)
    }
    assert found == set()
