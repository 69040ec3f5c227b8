"""sparkmagic's PySpark kernel, driven by nbclient, against kit's local endpoint."""

from __future__ import annotations

from decimal import Decimal

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from .conftest import REPO, run_notebook, sparkmagic_home, text_of, wait_no_sessions
from .expected import monthly_totals, parse_show

pytestmark = pytest.mark.slow  # starts Spark drivers, kernels and servers

EXAMPLE = REPO / "notebooks" / "orders_by_month.ipynb"


@pytest.fixture(scope="module")
def kernel_env(livy, tmp_path_factory) -> dict[str, str]:
    return sparkmagic_home(tmp_path_factory.mktemp("sparkmagic"), livy.url)


def test_example_notebook_runs_unchanged_through_sparkmagic(livy, kernel_env, workdir):
    nb = nbformat.read(workdir / "notebooks" / EXAMPLE.name, as_version=4)
    cells = len(nb.cells)
    # a probe after the notebook's own cells: what the bootstrap decided on this endpoint
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os\nprint(RUN_MODE, type(glue_context).__module__, os.getcwd())"))
    run_notebook(nb, kernel_env, workdir / "notebooks")
    probe = "".join(o["text"] for o in nb.cells[cells].outputs
                    if o["output_type"] == "stream").split()
    assert probe == ["endpoint", "awsglue.context", str(workdir)]  # Glue mode, project root

    code = [c for c in nb.cells[:cells] if c.cell_type == "code"]
    first = text_of(code[0])
    assert "SparkSession available as 'spark'" in first
    shown = next(c for c in code if "totals.show(" in c.source)
    rows = parse_show(text_of(shown))
    expected = monthly_totals(workdir / "data" / "orders_by_month")
    assert len(rows) == min(12, len(expected)) > 0
    assert [(m, c, int(o), int(n), Decimal(r)) for m, c, o, n, r in rows] == expected[:12]
    # the job cell wrote the Parquet output into the endpoint's project, partitioned by month
    output = workdir / "build" / "output" / "orders_by_month"
    months = sorted(p.name for p in output.glob("month=*"))
    assert months == sorted({f"month={m}" for m, *_ in expected})
    # kernel shutdown deleted the session: nothing is left running on the endpoint
    assert wait_no_sessions(livy) == []


def test_failing_cell_is_an_error_and_sql_magic_works(livy, kernel_env, workdir):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            '%%configure -f\n{"conf": {"spark.sql.shuffle.partitions": "3"}}'),
        nbformat.v4.new_code_cell("spark.conf.get('spark.sql.shuffle.partitions')"),
        nbformat.v4.new_code_cell(
            "spark.createDataFrame([(1, 'FR'), (2, 'DE'), (3, 'FR')], 'id int, c string')"
            ".createOrReplaceTempView('people')"
        ),
        nbformat.v4.new_code_cell("%%sql -o counts\nSELECT c, count(*) AS n FROM people "
                                  "GROUP BY c ORDER BY c"),
        nbformat.v4.new_code_cell("%%local\nprint(counts.to_dict('records'))"),
        nbformat.v4.new_code_cell("%%logs"),
        nbformat.v4.new_code_cell("def broken():\n    raise ValueError('bad input row')\nbroken()"),
        nbformat.v4.new_code_cell("print('never runs')"),
    ]
    with pytest.raises(CellExecutionError) as failure:
        run_notebook(nb, kernel_env, workdir)
    assert "bad input row" in str(failure.value)
    assert "'3'" in text_of(nb.cells[1])  # %%configure reached the session's Spark
    assert "[{'c': 'DE', 'n': 1}, {'c': 'FR', 'n': 2}]" in text_of(nb.cells[4])
    assert "ready, Spark" in text_of(nb.cells[5])
    assert nb.cells[7].get("outputs", []) == []
    assert wait_no_sessions(livy) == []
