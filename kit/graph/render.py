"""The picture laid out by Graphviz ``dot`` (Debian's ``graphviz``) as SVG, or an HTML page."""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

from kit.errors import GraphError
from kit.fsutil import write_atomic
from kit.graph.model import Project

_STYLE = {
    "job": 'shape=box style="rounded,filled" fillcolor="#ffe8b3" fontname="Helvetica-Bold"',
    "table": 'shape=cylinder style=filled fillcolor="#d7ecff"',
    "path": 'shape=folder style=filled fillcolor="#e9f5e1"',
    "trigger": 'shape=cds style=filled fillcolor="#f3e1f5"',
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(project: Project) -> str:
    """The DOT source: one node per job, table, path and trigger; edges read -> job -> write."""
    lines = ["digraph kit {", "  rankdir=LR;", '  graph [fontname="Helvetica"];',
             '  node [fontname="Helvetica" fontsize=11];', '  edge [fontname="Helvetica" fontsize=9];']
    for node in sorted(project.nodes.values(), key=lambda n: n.id):
        lines.append(f"  {_quote(node.id)} [label={_quote(node.label)} {_STYLE[node.kind]} "
                     f'class={_quote("kit-" + node.kind)} tooltip={_quote(node.kind)}];')
    for src, dst, label in sorted(project.edges):
        lines.append(f"  {_quote(src)} -> {_quote(dst)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(dot_source: str) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise GraphError("Graphviz's dot is not installed: apt-get install -y graphviz "
                         "(Debian package graphviz)")
    done = subprocess.run([dot, "-Tsvg"], input=dot_source, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise GraphError(f"dot failed: {done.stderr.strip().splitlines()[-1:]}")
    svg = done.stdout
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG is embedded


def to_html(svg: str, title: str, jobs: list[str]) -> str:
    """A self-contained page (no scripts, no external resources) embedding the SVG."""
    legend = " ".join(
        f'<span class="k {k}">{k}</span>' for k in ("job", "table", "path", "trigger"))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
.k {{ padding: 2px 8px; border-radius: 4px; margin-right: 6px; font-size: 90%; }}
.job {{ background: #ffe8b3; }} .table {{ background: #d7ecff; }}
.path {{ background: #e9f5e1; }} .trigger {{ background: #f3e1f5; }}
svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{len(jobs)} job(s): <span id="jobs">{html.escape(", ".join(jobs))}</span></p>
<p>{legend}</p>
<div id="graph">
{svg}
</div>
</body>
</html>
"""


def write(project: Project, output: Path, title: str) -> Path:
    """Write ``output`` (.svg or .html); refuses other suffixes before laying anything out."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        raise GraphError(f"-o {output}: write a .html or .svg file")
    if not project.jobs():
        raise GraphError("no exported jobs in the build folder: run `kit export --all` first")
    svg = to_svg(to_dot(project))
    write_atomic(output, svg if suffix == ".svg" else to_html(svg, title, project.jobs()),
                 durable=False)
    return output
