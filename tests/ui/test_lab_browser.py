"""JupyterLab in a real browser: the example job module opens as a notebook and runs on the local
Glue kernel.

``kit lab`` starts ``jupyter lab`` (kit's project settings, on 127.0.0.1, with a token) in a
copy of the project; Debian's Chromium, driven headless by Playwright, opens
``jobs/orders_by_month.py``, runs all cells and saves. The shown table and the saved twin
notebook's outputs are checked against the result computed in plain Python. A screenshot is
kept in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import jupytext
import nbformat
import pytest

from kit.runtime.kernel import KERNEL_NAME, kernel_name, version_display_name
from tests.conftest import copy_example_project
from tests.jobs.expected_orders_by_month import expected_totals

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
JOB = "orders_by_month"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"
TABLE_ROW = re.compile(r"^\|(.+)\|$")


def _needs() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (python package) is not installed"
    if not (REPO / "jobs" / f"{JOB}.py").is_file():
        return f"the example job jobs/{JOB}.py is not in the repository"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(_needs()), reason=_needs() or "")]


@pytest.fixture(params=["5.0", "6.0"])
def glue_version(request: pytest.FixtureRequest) -> str:
    """The example job's Glue version; its runtime is built once (cached) when not kit's own."""
    if request.param != "5.0":
        from kit.runtime import runtimes

        runtimes.ensure(request.param, print)
    return request.param


@pytest.fixture
def lab_project(tmp_path: Path, glue_version: str) -> Path:
    """A copy of the project's notebooks, job modules and sample data; the job on
    ``glue_version``, its notebook on that version's kernel (as ``kit new``/``kit pull`` write)."""
    root = copy_example_project(tmp_path / "proj")
    if glue_version != "5.0":
        (root / "pyproject.toml").write_text(
            f'[tool.kit]\n\n[tool.kit.job.{JOB}]\nglue_version = "{glue_version}"\n',
            encoding="utf-8",
        )
    _pin_kernel(root, glue_version)
    return root


def _pin_kernel(root: Path, glue_version: str) -> None:
    """Give the pair the kernel of ``glue_version`` if it names another one."""
    module, notebook = root / "jobs" / f"{JOB}.py", root / "notebooks" / f"{JOB}.ipynb"
    nb = jupytext.read(module)
    if nb.metadata.get("kernelspec", {}).get("name") == kernel_name(glue_version):
        return
    nb.metadata["kernelspec"] = {"name": kernel_name(glue_version),
                                 "display_name": version_display_name(glue_version),
                                 "language": "python"}
    jupytext.write(nb, notebook, fmt="ipynb")
    time.sleep(0.01)
    jupytext.write(nb, module, fmt="py:percent")  # the text twin is the newer one


def _isolated_env(base: Path) -> dict[str, str]:
    """Jupyter's per-user folders in the temp dir: no user settings in, no workspace out."""
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_PROJECT", "PYSPARK_SUBMIT_ARGS")}
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        folder = base / key.lower()
        folder.mkdir()
        env[key] = str(folder)
    return env


KIT_LAB = (
    "from kit.cli import main\n"
    "from kit.runtime.kernel_commands import lab\n"
    "if 'lab' not in main.commands:\n"
    "    main.add_command(lab)\n"
    "main()\n"
)


@pytest.fixture
def lab_server(lab_project: Path, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """``kit lab`` (it becomes ``jupyter lab``) on 127.0.0.1, a free port and a fresh token."""
    token = secrets.token_hex(16)
    log = tmp_path / "jupyter-lab.log"
    args = ["--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", KIT_LAB, "lab", *args], cwd=lab_project,
            env=_isolated_env(tmp_path), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = _wait_for_server(proc, log, token)
        yield base, token, lab_project
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_server(proc: subprocess.Popen, log: Path, token: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
        if found:
            base = f"http://127.0.0.1:{found.group(1)}"
            try:
                _api(base, token, "/api/status")
                return base
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.2)
    pytest.fail(f"jupyter lab did not start in 60 s:\n{log.read_text()[-3000:]}")


def _api(base: str, token: str, path: str) -> dict:
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _table_rows(text: str) -> list[list[str]]:
    """Cells of a ``DataFrame.show()`` table, header first."""
    return [
        [c.strip() for c in m.group(1).split("|")]
        for line in text.splitlines()
        if (m := TABLE_ROW.match(line.strip()))
    ]


def _expected_rows(data: Path, limit: int) -> list[list[str]]:
    cent = Decimal("0.01")
    return [
        [month, country, str(orders), str(customers), str(revenue.quantize(cent))]
        for month, country, orders, customers, revenue in expected_totals(data=data)[:limit]
    ]


def test_job_module_opens_as_notebook_and_runs_on_local_kernel(lab_server, glue_version) -> None:
    """On Glue 5.0 (kit's own Spark) and 6.0 (Spark 4.1 runtime): the same table, and the
    notebook runs on its job's version's kernel."""
    from playwright.sync_api import expect, sync_playwright

    base, token, project = lab_server
    specs = _api(base, token, "/api/kernelspecs")
    assert specs["default"] == KERNEL_NAME
    assert kernel_name(glue_version) in specs["kernelspecs"]  # one per installed runtime
    display = version_display_name(glue_version)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"jupyterlab_{JOB}_{glue_version}.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/lab/tree/jobs/{JOB}.py?reset&token={token}")
            panel = page.locator(".jp-NotebookPanel").first
            # Opened with jupytext's notebook viewer (not the text editor), on the Glue kernel.
            expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=60_000)
            kernel_label = panel.locator(".jp-Toolbar-kernelName")
            expect(kernel_label).to_have_text(display, timeout=60_000)
            expect(panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")) \
                .to_have_count(1, timeout=60_000)

            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
            count = prompts.count()
            assert count >= 4
            page.wait_for_function(
                """([n]) => {
                    const p = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
                    return p.length === n && p.every(e => /\\[\\d+\\]/.test(e.textContent));
                }""",
                arg=[count], timeout=120_000,
            )
            outputs = panel.locator(".jp-OutputArea-output").all_text_contents()
            running = [k["name"] for k in _api(base, token, "/api/kernels")]
            shown = next((t for t in outputs if "|  month|country|" in t), "")
            page.keyboard.press("Control+s")
            expect(page.locator(".lm-TabBar-tab.jp-mod-dirty")).to_have_count(0, timeout=30_000)
            panel.locator(".jp-OutputArea-output").last.scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
        finally:
            browser.close()

    assert shot.stat().st_size > 10_000
    assert running == [kernel_name(glue_version)]
    rows = _table_rows(shown)
    assert rows[0] == ["month", "country", "orders", "customers", "revenue"]
    assert rows[1:] == _expected_rows(project / "data" / JOB, len(rows) - 1)
    assert len(rows) == 13  # totals.show(12)

    # Saving went through jupytext: the paired .ipynb now holds the run's outputs.
    saved = _wait_for_outputs(project / "notebooks" / f"{JOB}.ipynb")
    code = [c for c in saved.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    streams = "".join(o.get("text", "") for o in code[-2].outputs if o.output_type == "stream")
    assert _table_rows(streams) == rows
    stderr = "".join(o.get("text", "") for c in code for o in c.outputs
                     if o.output_type == "stream" and o.get("name") == "stderr")
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    noted = f"note: Glue 6.0 runs Python 3.13; this local run uses Python {local}"
    assert (stderr.count(noted) == 1) == (glue_version == "6.0" and local != "3.13")


def _wait_for_outputs(path: Path) -> nbformat.NotebookNode:
    deadline = time.monotonic() + 30
    while True:
        nb = nbformat.read(path, as_version=4)
        if any(c.get("outputs") for c in nb.cells) or time.monotonic() > deadline:
            return nb
        time.sleep(0.2)
