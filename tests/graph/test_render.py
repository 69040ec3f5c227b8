"""`kit graph` output: SVG laid out by Graphviz dot, a self-contained page, one-line errors."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kit.graph import model

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz is not installed (apt-get install -y graphviz)")


@needs_dot
def test_svg_and_html(graph_project: Path, cli) -> None:
    jobs = model.scan(graph_project / "build").jobs()
    result = cli("graph", "-o", "out/project.svg")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote out/project.svg: {len(jobs)} job(s)\n"
    svg = ET.parse(graph_project / "out" / "project.svg").getroot()
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"curated", "orders_by_month", "kit_example.customers"} <= texts
    classes = {g.get("class") for g in svg.iter("{http://www.w3.org/2000/svg}g")}
    assert {"node kit-job", "node kit-table", "node kit-path", "node kit-trigger"} <= classes

    page = cli("graph")
    assert page.exit_code == 0
    html = (graph_project / "build" / "graph.html").read_text()
    assert "<svg" in html and "<script" not in html and "src=" not in html
    assert ", ".join(jobs) in html


def test_missing_graphviz_is_one_line(graph_project: Path, cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("graph")
    assert result.exit_code == 1
    assert result.stderr == ("kit: error: Graphviz's dot is not installed: apt-get install -y "
                             "graphviz (Debian package graphviz)\n")
    assert not (graph_project / "build" / "graph.html").exists()


def test_bad_output_and_empty_project(graph_project: Path, cli) -> None:
    bad = cli("graph", "-o", "picture.png")
    assert bad.exit_code == 1 and bad.stderr == "kit: error: -o picture.png: write a .html or .svg file\n"
    shutil.rmtree(graph_project / "build")
    empty = cli("graph")
    assert empty.exit_code == 1
    assert empty.stderr == ("kit: error: no exported jobs in the build folder: run "
                            "`kit export --all` first\n")
