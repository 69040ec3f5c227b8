"""The example pipeline `sales` end to end: raw -> trusted (through the catalog) -> curated,
three Spark jobs on kit's runtime, one workflow run of kit's local AWS."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kit import config as kit_config
from kit.pipelines.run import run_pipeline
from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    for name in ("pyproject.toml", "jupytext.toml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("notebooks", "jobs", "data", "catalog", "infra"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    for name in ("KIT_PROJECT", "AWS_ENDPOINT_URL", "KIT_S3_ROOT"):
        monkeypatch.delenv(name, raising=False)
    return root


def test_the_example_pipeline_runs_end_to_end(example: Path) -> None:
    lines: list[str] = []
    result = run_pipeline(kit_config.load(example), "sales", capture=True, echo=lines.append)
    assert result.ok, "\n".join([*lines, *(o.output[-3000:] for o in result.outcomes)])
    assert [o.job for o in result.outcomes] == ["raw_orders", "trusted_orders", "curated_sales"]
    # the declared default, then what each job put (trusted read raw's count to compute its own)
    assert result.properties == {"source": "daily-export", "raw_rows": "12", "trusted_rows": "6",
                                 "rejected_rows": "6", "curated_days": "3"}
    curated = pq.read_table(example / "build" / "output" / "curated_sales").to_pylist()
    assert sorted((r["order_date"], r["orders"], r["revenue"]) for r in curated) == [
        (dt.date(2024, 3, 1), 2, Decimal("37.50")),
        (dt.date(2024, 3, 2), 1, Decimal("40.00")),
        (dt.date(2024, 3, 3), 1, Decimal("19.99")),
    ]
    # raw landed at the catalog table's location (the s3:// object root), tagged by the workflow
    raw = pq.read_table(example / ".kit" / "s3" / "kit-example-dev-data" / "lake" / "raw_orders")
    assert raw.num_rows == 12 and set(raw.column("source").to_pylist()) == {"daily-export"}
