"""kit export: what ships, determinism, the golden build, and every refusal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.notebooks import export as exporter
from tests.conftest import EXAMPLE, REPO, tree_digest
from tests.notebooks.nbfactory import BOOT, notebook, write_pair


def test_example_export_matches_committed_build(project: Path, cli):
    """The committed build/ folder is the golden output of exporting the example notebook."""
    golden = tree_digest(REPO / "build" / EXAMPLE)
    for twin in (f"notebooks/{EXAMPLE}.ipynb", f"jobs/{EXAMPLE}.py", EXAMPLE):
        result = cli("export", twin)
        assert result.exit_code == 0, result.output
        assert tree_digest(project / "build" / EXAMPLE) == golden


def test_export_is_byte_identical_on_rerun_and_reports_unchanged(project: Path, cli):
    (project / "build").rename(project / "old-build")
    first = cli("export", f"notebooks/{EXAMPLE}.ipynb")
    assert first.exit_code == 0
    assert f"wrote build/{EXAMPLE}/{EXAMPLE}.py" in first.output
    before = tree_digest(project / "build")
    second = cli("export", f"notebooks/{EXAMPLE}.ipynb")
    assert second.exit_code == 0
    assert "unchanged" in second.output and "wrote" not in second.output
    assert tree_digest(project / "build") == before


def test_export_keeps_job_cells_in_order_and_drops_dev_cells_and_magics(project: Path):
    nb = notebook(
        ("md", "# title"),
        (["job"], BOOT),
        (["dev"], "sample = 1\nprint(sample)"),
        ([], "untagged = 2"),
        (["job"], "%matplotlib inline\n!pip install x\ndef double(x):\n    return 2 * x"),
        (["job"], "%%configure\n{\"a\": 1}"),
        (["job"], "result = double(21)\nif job is not None:\n    job.commit()"),
    )
    write_pair(project, "ordered", nb)
    cfg = kit_config.load(project)
    result = exporter.export("ordered", cfg)
    script = exporter.script_path(cfg, "ordered").read_text()
    body = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert body == [
        "import sys",
        'JOB_ARGS = {"output_path": "out"}',
        "args = dict(JOB_ARGS)",
        "job = None",
        "def double(x):",
        "    return 2 * x",
        "result = double(21)",
        "if job is not None:",
        "    job.commit()",
    ]
    markers = [line for line in script.splitlines() if line.startswith("# --- notebook cell")]
    assert markers == [
        "# --- notebook cell 2 ---",
        "# --- notebook cell 5 ---",
        "# --- notebook cell 7 ---",
    ]
    assert result.stats == {
        "dropped_cells": 3,
        "dropped_magic_cells": 1,
        "dropped_magic_lines": 2,
    }
    namespace: dict = {}
    exec(compile(script, "script", "exec"), namespace)
    assert namespace["result"] == 42


def test_example_export_keeps_glue_bootstrap_and_commit(project: Path):
    cfg = kit_config.load(project)
    script = exporter.render(EXAMPLE, cfg).files[exporter.script_path(cfg, EXAMPLE)]
    tree = ast.parse(script)
    source = ast.unparse(tree)
    for needle in ("getResolvedOptions", "GlueContext", "job.init(", "job.commit()"):
        assert needle in source
    assert ".show(" not in source  # dev cells only


def _refusal(project: Path, cli, name: str, nb) -> tuple[object, dict, dict]:
    write_pair(project, name, nb)
    before = tree_digest(project)
    result = cli("export", f"notebooks/{name}.ipynb")
    return result, before, tree_digest(project)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([(["dev"], "x = 1")], 'no cells tagged "job"'),
        ([(["job"], BOOT), (["job"], "def f(:\n    pass")], "cell 2: does not compile"),
        ([(["job"], BOOT), (["dev"], "sample = 3"), (["job"], "y = sample + 1")], "uses `sample`"),
        ([(["job"], 'key = "AKIAIOSFODNN7EXAMPLE"')], "AWS access key id"),
        (
            [(["job"], 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"')],
            "AWS secret access key",
        ),
        ([(["dev"], 'conn = connect(password="hunter2")'), (["job"], BOOT)], "literal password"),
        ([(["job", "dev"], BOOT)], "tagged both"),
    ],
    ids=["no-job-cells", "syntax", "dev-only-name", "access-key", "secret-key", "password", "both"],
)
def test_export_refuses_with_one_line_and_touches_nothing(project: Path, cli, cells, expected):
    result, before, after = _refusal(project, cli, "bad", notebook(*cells))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("kit: error: ")
    assert "Traceback" not in result.output
    assert after == before
    assert not (project / "build" / "bad").exists()


def test_dev_only_name_refusal_names_both_cells(project: Path, cli):
    cells = [(["job"], BOOT), (["dev"], "sample = 3"), (["job"], "y = sample + 1")]
    result, _, _ = _refusal(project, cli, "devname", notebook(*cells))
    assert "cell 3: uses `sample`, which only a dev cell defines (cell 2)" in result.stderr


def test_names_bound_in_job_cells_are_not_dev_only(project: Path, cli):
    cells = [
        (["job"], BOOT),
        (["dev"], "df = 1\nfor i in range(3):\n    pass"),
        (["job"], "def f(df):\n    return [i for i in df]\ndf = [1]\nf(df)"),
    ]
    write_pair(project, "shadow", notebook(*cells))
    assert cli("export", "shadow").exit_code == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not a valid notebook (JSON error at line 1"),
        ('{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not valid nbformat"),
        ("", "not a valid notebook"),
    ],
)
def test_malformed_notebook_is_refused(project: Path, cli, content, expected):
    path = project / "notebooks" / "broken.ipynb"
    path.write_text(content, encoding="utf-8")
    before = tree_digest(project)
    result = cli("export", "notebooks/broken.ipynb")
    assert result.exit_code == 1
    assert expected in result.stderr and result.stderr.count("\n") == 1
    assert tree_digest(project) == before


def test_missing_notebook_and_unknown_job_name(project: Path, cli):
    result = cli("export", "notebooks/nope.ipynb")
    assert result.exit_code == 1 and "no such file" in result.stderr
    result = cli("export", "nope")
    assert result.exit_code == 1 and "kit new nope" in result.stderr


def test_export_refuses_to_clobber_a_file_kit_did_not_write(project: Path, cli):
    target = project / "build" / EXAMPLE / f"{EXAMPLE}.py"
    target.write_text("# my hand-written script\n", encoding="utf-8")
    result = cli("export", EXAMPLE)
    assert result.exit_code == 1 and "was not written by kit" in result.stderr
    assert target.read_text() == "# my hand-written script\n"
    assert cli("export", EXAMPLE, "--force").exit_code == 0
    assert target.read_text().startswith("# Generated by kit from notebooks/")


def test_check_flags_stale_and_missing_builds(project: Path, cli):
    assert cli("export", "--check").exit_code == 0
    nb_path = project / "jobs" / f"{EXAMPLE}.py"
    nb_path.write_text(nb_path.read_text().replace('"min_age": "18"', '"min_age": "21"'))
    before = tree_digest(project)
    result = cli("export", "--check", f"jobs/{EXAMPLE}.py")
    assert result.exit_code == 3  # differences found (docs/cli.md)
    assert f"build/{EXAMPLE}/{EXAMPLE}.py" in result.stderr and "out of date" in result.stderr
    assert tree_digest(project) == before
    (project / "build" / EXAMPLE / "stack.yml").unlink()
    assert cli("export", "--check", EXAMPLE).exit_code == 3


def test_nbconvert_knows_the_glue_exporter(project: Path):
    from nbconvert.exporters import get_exporter

    exporter_cls = get_exporter("glue")
    script, _ = exporter_cls(source_label="x.ipynb").from_filename(
        str(project / "notebooks" / f"{EXAMPLE}.ipynb")
    )
    assert script.startswith("# Generated by kit from x.ipynb")


def test_untagged_cells_count_as_exploration(project: Path, cli):
    cells = [(["job"], BOOT), ([], "lookup = {}"), (["job"], "value = lookup.get('x')")]
    result, _, _ = _refusal(project, cli, "untagged", notebook(*cells))
    assert "cell 3: uses `lookup`, which only an untagged cell defines (cell 2)" in result.stderr
