"""``kit import``: Glue scripts become a notebook + job module; the script is never modified."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.adopt import importer
from kit.notebooks.export import render
from kit.notebooks.reader import read_notebook
from kit.notebooks.tags import cell_role
from tests.conftest import tree_digest

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> Path:
    root = tmp_path / "team"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    assert cli("init").exit_code == 0
    return root


def _import(proj: Path, cli, script: str, *extra: str) -> Path:
    copy = proj / script
    copy.write_bytes((CORPUS / script).read_bytes())
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    result = cli("import", script, *extra)
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before  # the original is unchanged
    return copy


def test_glue_studio_script_becomes_job_cells_one_per_node(proj: Path, cli):
    _import(proj, cli, "studio_applymapping.py")
    nb = read_notebook(proj / "jobs" / "studio_applymapping.py")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(cell_role(c) == "job" for c in code)
    sources = [c.source for c in code]
    assert "JOB_ARGS = {}" in sources[0] and "RUN_MODE" in sources[0]  # kit's bootstrap
    assert "REQUIRED_ARGS = ['input_path', 'output_path']" in sources[1]
    assert "glueContext = glue_context" in sources[1]
    nodes = [s for s in sources if s.startswith("# Script generated for node")]
    assert len(nodes) == 3  # Amazon S3, Change Schema, Amazon S3: one cell each
    assert sources[-1] == "if job is not None:\n    job.commit()"
    body = "\n".join(sources[2:])
    for setup in ("Job(glueContext)", "job.init(", "SparkContext()", "GlueContext(sc)"):
        assert setup not in body  # the bootstrap does the set-up
    assert (proj / "notebooks" / "studio_applymapping.ipynb").is_file()


def test_import_exports_a_script_that_compiles(proj: Path, cli):
    _import(proj, cli, "studio_sql_getsink.py")
    rendered = render("studio_sql_getsink", kit_config.load(proj))
    script = next(text for path, text in rendered.files.items() if path.suffix == ".py")
    tree = ast.parse(script)
    assert "def sparkSqlQuery" in script and "getSink(" in script
    assert rendered.job_args == {}  # no local default invented
    assert any(isinstance(n, ast.If) for n in tree.body)  # the guarded job.commit()


def test_hand_written_script_names_and_optional_arguments(proj: Path, cli):
    _import(proj, cli, "handwritten_optional_args.py", "--name", "big_orders")
    nb = read_notebook(proj / "jobs" / "big_orders.py")
    names = nb.cells[2].source
    assert "params = args" in names and "glue_ctx = glue_context" in names
    assert "session = spark" in names and "etl_job = job" in names
    assert "REQUIRED_ARGS = ['input_path', 'output_path']" in names
    assert "Optional arguments the script reads itself when given: --min_amount" in names
    body = "\n".join(c.source for c in nb.cells[3:])
    assert 'if "--min_amount" in sys.argv:' in body  # kept as the script wrote it
    assert "def big_orders(df, threshold):" in body
    assert body.rstrip().endswith("if etl_job is not None:\n    etl_job.commit()")


def test_legacy_generated_script_splits_at_type_comments(proj: Path, cli):
    _import(proj, cli, "legacy_generated_bookmarks.py")
    nb = read_notebook(proj / "jobs" / "legacy_generated_bookmarks.py")
    starts = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "code"]
    assert starts.count("## @type: DataSource") == 1
    assert "## @type: ApplyMapping" in starts and "## @type: DataSink" in starts


def test_bad_input_is_one_line_and_writes_nothing(proj: Path, cli):
    (proj / "broken.py").write_text("args = getResolvedOptions(sys.argv, ['JOB_NAME'\n", encoding="utf-8")
    before = tree_digest(proj)
    for args, message in (
        (("broken.py",), "broken.py does not parse (line 1"),
        (("missing.py",), "missing.py: no such script"),
        (("broken.py", "--name", "Bad-Name"), "invalid job name 'Bad-Name'"),
    ):
        result = cli("import", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("kit: error: ") and result.stderr.count("\n") == 1
        assert message in result.stderr
        assert tree_digest(proj) == before


def test_an_existing_job_is_never_overwritten(proj: Path, cli):
    _import(proj, cli, "studio_applymapping.py")
    before = tree_digest(proj)
    result = cli("import", "studio_applymapping.py")
    assert result.exit_code == 1
    assert "notebooks/studio_applymapping.ipynb already exists" in result.stderr
    assert tree_digest(proj) == before


def test_bootstrap_comes_from_the_job_template():
    from kit.notebooks.template import template_text

    cell = importer.bootstrap_cell("x")
    template = template_text("x")
    # every bootstrap line but the defaults is the template's own
    assert all(line in template for line in cell.splitlines() if line != "JOB_ARGS = {}")
