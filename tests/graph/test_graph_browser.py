"""The graph page in Debian's Chromium (headless, driven by Playwright): it loads, shows every
job, and a screenshot is kept in test-artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.graph import model

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"


def _needs() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    if shutil.which("dot") is None:
        return "Graphviz is not installed (apt-get install -y graphviz)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (python package) is not installed"
    return None


@pytest.mark.skipif(_needs() is not None, reason=_needs() or "")
def test_graph_page_shows_every_job(graph_project: Path, cli) -> None:
    assert cli("graph", "-o", "graph.html").exit_code == 0
    jobs = model.scan(graph_project / "build").jobs()
    assert len(jobs) >= 2
    _check_page(graph_project / "graph.html", jobs, ARTIFACTS / "kit_graph.png")


@pytest.mark.skipif(_needs() is not None, reason=_needs() or "")
def test_pipeline_page_shows_every_job_of_the_example(pipeline_project: Path, cli) -> None:
    result = cli("graph", "--pipeline", "sales", "-o", "sales.html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("wrote sales.html: 3 job(s)")
    page = _check_page(pipeline_project / "sales.html",
                       ["raw_orders", "trusted_orders", "curated_sales"],
                       ARTIFACTS / "kit_graph_pipeline.png")
    assert "orders_by_month" not in page  # only the pipeline's jobs
    assert "on SUCCEEDED" in page and "start (on demand)" in page


def _check_page(html: Path, jobs: list[str], shot: Path) -> str:
    """Open ``html`` in Chromium: every job drawn, nothing else a job, no page error; screenshot
    kept at ``shot``. Returns the page's text."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(html.as_uri())
            expect(page.locator("#graph svg")).to_be_visible(timeout=30_000)
            for job in jobs:
                node = page.locator("#graph g.kit-job text", has_text=job)
                expect(node.first).to_be_visible()
            assert page.locator("#graph g.kit-job").count() == len(jobs)
            box = page.locator("#graph svg").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
            page.screenshot(path=str(shot), full_page=True)
            assert errors == []
            text = page.locator("body").inner_text()
        finally:
            browser.close()
    assert shot.stat().st_size > 5_000
    return text
