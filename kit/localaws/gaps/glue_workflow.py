"""Gap: moto's CloudFormation creates no ``AWS::Glue::Workflow``, and ``GetWorkflow`` ignores
``IncludeGraph``.

The resource is created, updated in place (its runs kept, as Glue's UpdateWorkflow does) and
deleted on moto's Glue backend. ``GetWorkflow``/``BatchGetWorkflows`` with ``IncludeGraph`` return
the static graph Glue documents: one node per trigger of the workflow and per job a trigger
starts or watches, an edge trigger -> job per action and job -> trigger per condition.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow

from kit.localaws.gaps.named_resource import NamedResource, as_int, cfn_error


class GlueWorkflow(NamedResource, CloudFormationModel):
    resource_type = "AWS::Glue::Workflow"

    @classmethod
    def put(cls, backend: Any, name: str, props: dict[str, Any], replace: bool) -> None:
        existing = backend.workflows.get(name)
        if existing is not None and not replace:
            raise cfn_error(f"Workflow {name} already exists (Service: Glue; AlreadyExistsException)")
        run_properties = {str(k): str(v) for k, v in (props.get("DefaultRunProperties") or {}).items()}
        if existing is None:
            backend.create_workflow(
                name, run_properties or None, props.get("Description"),
                as_int(props.get("MaxConcurrentRuns")), dict(props.get("Tags") or {}),
            )
            return
        # UpdateWorkflow replaces these attributes (moto's keeps a value that is now absent)
        existing.default_run_properties = run_properties or None
        existing.description = props.get("Description")
        existing.max_concurrent_runs = as_int(props.get("MaxConcurrentRuns"))
        existing.last_modified_on = utcnow()

    @classmethod
    def remove(cls, backend: Any, name: str) -> None:
        backend.delete_workflow(name)


def graph(backend: Any, workflow: str) -> dict[str, list[dict[str, Any]]]:
    """The workflow's static graph (``WorkflowGraph``): triggers and jobs, and their edges."""
    triggers = sorted(
        (t for t in backend.triggers.values() if t.workflow_name == workflow), key=lambda t: t.name
    )
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    edges: list[dict[str, str]] = []

    def node(kind: str, name: str, details: dict[str, Any]) -> str:
        key = (kind, name)
        if key not in nodes:
            digest = hashlib.sha256(f"{workflow}/{kind}/{name}".encode()).hexdigest()[:32]
            nodes[key] = {"Type": kind, "Name": name, "UniqueId": f"wnode_{digest}", **details}
        return str(nodes[key]["UniqueId"])

    for trigger in triggers:
        tid = node("TRIGGER", trigger.name, {"TriggerDetails": {"Trigger": trigger.as_dict()}})
        for action in trigger.actions:
            if action.job_name:
                edges.append({"SourceId": tid,
                              "DestinationId": node("JOB", action.job_name, {"JobDetails": {}})})
        for condition in trigger.predicate.conditions if trigger.predicate else []:
            if condition.job_name:
                edges.append({"SourceId": node("JOB", condition.job_name, {"JobDetails": {}}),
                              "DestinationId": tid})
    return {"Nodes": list(nodes.values()), "Edges": edges}


def install() -> None:
    """Answer ``IncludeGraph`` in GetWorkflow and BatchGetWorkflows."""
    from moto.glue.responses import GlueResponse

    original_get = GlueResponse.get_workflow
    original_batch = GlueResponse.batch_get_workflows

    def get_workflow(self: Any) -> Any:
        result = original_get(self)
        if self._get_param("IncludeGraph"):
            found = result.result["Workflow"]  # type: ignore[index]
            found["Graph"] = graph(self.glue_backend, found["Name"])
        return result

    def batch_get_workflows(self: Any) -> Any:
        result = original_batch(self)
        if self._get_param("IncludeGraph"):
            for found in result.result["Workflows"]:  # type: ignore[index]
                found["Graph"] = graph(self.glue_backend, found["Name"])
        return result

    GlueResponse.get_workflow = get_workflow  # type: ignore[method-assign]
    GlueResponse.batch_get_workflows = batch_get_workflows  # type: ignore[method-assign]
