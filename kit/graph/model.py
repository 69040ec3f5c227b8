"""What the picture shows, found in the build folder: each exported job's script and stack.

The script is read with :mod:`ast` (never run): ``JOB_ARGS`` (or the build manifest
``job.json`` when it exists), ``from_catalog`` / ``getSink`` / ``setCatalogInfo`` /
``write_dynamic_frame`` calls, and Spark ``read``/``write`` calls whose path is a job argument.
Triggers are the stack's ``AWS::Glue::Trigger`` resources and its ``Schedule`` parameter.
Pipelines (``[tool.kit.pipeline.NAME]``, :mod:`kit.pipelines.model`) add what their workflow
would: a start trigger (on demand or its schedule) and, per job with upstream jobs, a conditional
trigger with an edge from each upstream job labelled with its state.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from kit.pipelines.model import Pipeline

READ, WRITE = "reads", "writes"


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # job | table | path | trigger
    label: str


@dataclass
class Project:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, kind: str, key: str, label: str) -> str:
        node_id = f"{kind}:{key}"
        self.nodes.setdefault(node_id, Node(node_id, kind, label))
        return node_id

    def jobs(self) -> list[str]:
        return sorted(n.label for n in self.nodes.values() if n.kind == "job")


@dataclass
class JobFacts:
    name: str
    arguments: dict[str, str]
    reads: list[tuple[str, str]]  # (kind, key): ("table", "db.t") or ("arg", name) or ("path", p)
    writes: list[tuple[str, str]]
    triggers: list[str]
    after: list[tuple[str, str, str]] = field(default_factory=list)  # (trigger, job, state)


def scan(build_dir: Path) -> Project:
    """The project picture from every ``build/JOB/JOB.py`` (other build folders are skipped)."""
    project = Project()
    pending: list[tuple[str, str, str]] = []
    for folder in sorted(p for p in Path(build_dir).iterdir() if p.is_dir()):
        script = folder / f"{folder.name}.py"
        if not script.is_file():
            continue
        facts = job_facts(folder.name, script, folder / "stack.yml", folder / "job.json")
        job = project.add("job", facts.name, facts.name)
        for direction, refs in ((READ, facts.reads), (WRITE, facts.writes)):
            for kind, key in refs:
                if kind == "arg":
                    value = facts.arguments.get(key, "")
                    node = project.add("path", value or key, f"{value}\n(--{key})" if value else key)
                else:
                    node = project.add(kind, key, key)
                project.edges.add((node, job, direction) if direction == READ
                                  else (job, node, direction))
        for trigger in facts.triggers:
            project.edges.add((project.add("trigger", f"{facts.name}:{trigger}", trigger), job,
                               "starts"))
        pending += [(f"trigger:{facts.name}:{t}", up, state) for t, up, state in facts.after]
    jobs = set(project.jobs())
    for trigger, upstream, state in pending:
        # a condition names a deployed job (maybe with an environment's name prefix)
        known = next((j for j in sorted(jobs, key=len, reverse=True)
                      if upstream == j or upstream.endswith(f"-{j}")), None)
        if known:
            project.edges.add((f"job:{known}", trigger, f"on {state}"))
    return project


def add_pipeline(project: Project, pipeline: Pipeline) -> None:
    """Draw ``pipeline``'s workflow: its start trigger and one conditional trigger per job with
    upstream jobs (``on STATE`` edges into it, ``starts`` out of it); jobs not exported yet
    still get their node."""
    for job in pipeline.jobs:
        project.add("job", job, job)
    when = f"schedule {pipeline.schedule}" if pipeline.schedule else "on demand"
    start = project.add("trigger", f"pipeline:{pipeline.name}:start",
                        f"pipeline {pipeline.name}\nstart ({when})")
    for job in pipeline.start_jobs():
        project.edges.add((start, f"job:{job}", "starts"))
    for job in pipeline.jobs:
        upstream = pipeline.upstream(job)
        if not upstream:
            continue
        logical = pipeline.logical.get(job, "AND")
        trigger = project.add("trigger", f"pipeline:{pipeline.name}:{job}",
                              f"pipeline {pipeline.name}\nbefore {job} ({logical})")
        project.edges.add((trigger, f"job:{job}", "starts"))
        for edge in upstream:
            project.edges.add((f"job:{edge.upstream}", trigger, f"on {edge.state}"))


def only_jobs(project: Project, jobs: set[str]) -> Project:
    """The part of ``project`` around ``jobs``: those jobs and every node with an edge to one
    of them (tables, paths, triggers); edges between what is kept."""
    keep = {f"job:{job}" for job in jobs}
    keep |= {node for src, dst, _ in project.edges for node in (src, dst)
             if (src in keep or dst in keep) and not node.startswith("job:")}
    out = Project({k: v for k, v in project.nodes.items() if k in keep})
    out.edges = {e for e in project.edges if e[0] in keep and e[1] in keep}
    return out


def job_facts(name: str, script: Path, stack: Path, manifest: Path) -> JobFacts:
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    arguments = _job_args(tree)
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            found = data.get("arguments") or data.get("job_args") or {}
            if isinstance(found, dict):
                arguments.update({str(k).lstrip("-"): str(v) for k, v in found.items()})
        except ValueError:
            pass
    reads: list[tuple[str, str]] = []
    writes: list[tuple[str, str]] = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        chain = _chain(call.func)
        if not chain:
            continue
        last = chain[-1]
        target = None
        if last == "from_catalog" or last == "setCatalogInfo":
            table = _catalog_ref(call)
            if table:
                writing = last == "setCatalogInfo" or "write_dynamic_frame" in chain
                target = writes if writing else reads
                target.append(("table", table))
            continue
        if "read" in chain or "readStream" in chain or last == "create_dynamic_frame_from_options":
            target = reads
        elif "write" in chain or "writeStream" in chain or last == "getSink" \
                or "write_dynamic_frame" in chain:
            target = writes
        if target is None:
            continue
        for ref in _arg_refs(call, set(arguments)):
            if ref not in target:
                target.append(ref)
    triggers, after = _triggers(stack)
    return JobFacts(name, arguments, reads, writes, triggers, after)


def _job_args(tree: ast.Module) -> dict[str, str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "JOB_ARGS" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return {}
            return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
    return {}


def _chain(func: ast.AST) -> list[str]:
    """``a.b(x).c.d`` -> ``['a', 'b', 'c', 'd']`` (names along the attribute/call chain)."""
    out: list[str] = []
    node = func
    while True:
        if isinstance(node, ast.Attribute):
            out.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            out.append(node.id)
            break
        else:
            break
    return out[::-1]


def _const(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _catalog_ref(call: ast.Call) -> str | None:
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    database = _const(kw.get("database") or kw.get("catalogDatabase")
                      or (call.args[0] if call.args else None))
    table = _const(kw.get("table_name") or kw.get("catalogTableName")
                   or (call.args[1] if len(call.args) > 1 else None))
    if database and table:
        return f"{database}.{table}"
    return None


def _arg_refs(call: ast.Call, known: set[str]) -> list[tuple[str, str]]:
    """Job arguments (``args["x"]``) and literal s3:// paths among the call's arguments."""
    out: list[tuple[str, str]] = []
    values = [*call.args, *(k.value for k in call.keywords)]
    for value in values:
        for node in ast.walk(value):
            if isinstance(node, ast.Subscript) and (name := _const(node.slice)) in known:
                out.append(("arg", name))
            elif (text := _const(node)) and text.startswith(("s3://", "s3a://")):
                out.append(("path", text))
    return out


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref x`` read as plain values)."""


_CfnLoader.add_multi_constructor(
    "!", lambda loader, suffix, node: (
        loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
        else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node)))


def _triggers(stack: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Trigger labels, and (trigger, upstream job, state) for conditional triggers' conditions."""
    after: list[tuple[str, str, str]] = []
    if not stack.is_file():
        return [], after
    try:
        tpl: Any = yaml.load(stack.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    except yaml.YAMLError:
        return [], after
    out = []
    schedule = ((tpl.get("Parameters") or {}).get("Schedule") or {}).get("Default")
    if isinstance(schedule, str) and schedule:
        out.append(f"schedule {schedule}")
    for name, res in (tpl.get("Resources") or {}).items():
        if isinstance(res, dict) and res.get("Type") == "AWS::Glue::Trigger":
            props = res.get("Properties") or {}
            kind = props.get("Type", "")
            if kind == "SCHEDULED" and props.get("Schedule") == {"Ref": "Schedule"}:
                continue  # the job stack's own schedule trigger: drawn as "schedule ..." above
            detail = props.get("Schedule") if isinstance(props.get("Schedule"), str) else ""
            label = f"trigger {name} {kind} {detail}".strip()
            out.append(label)
            for cond in ((props.get("Predicate") or {}).get("Conditions") or []):
                if isinstance(cond, dict) and isinstance(cond.get("JobName"), str):
                    state = cond.get("State") or cond.get("CrawlState") or "any state"
                    after.append((label, cond["JobName"], str(state)))
    return out, after
