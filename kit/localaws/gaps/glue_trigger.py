"""Gap: moto's CloudFormation creates no ``AWS::Glue::Trigger``; create it on moto's Glue.

Conditional triggers keep their ``Predicate`` (``Logical`` may be left out with one condition,
as Glue allows), and the rules Glue applies on CreateTrigger that kit relies on are checked: a
``WorkflowName`` must name an existing workflow, ``StartOnCreation`` is refused for ON_DEMAND
triggers, and a condition may only wait for a job state a trigger can listen for.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from kit.localaws.gaps.named_resource import NamedResource, as_bool, cfn_error

LISTENABLE_STATES = ("SUCCEEDED", "STOPPED", "FAILED", "TIMEOUT")
"""The job states a trigger condition can wait for (Glue's ``Condition.State``)."""


class GlueTrigger(NamedResource, CloudFormationModel):
    resource_type = "AWS::Glue::Trigger"

    @classmethod
    def put(cls, backend: Any, name: str, props: dict[str, Any], replace: bool) -> None:
        from moto.core.exceptions import JsonRESTError
        from moto.glue.utils import Action

        workflow = props.get("WorkflowName")
        if workflow and workflow not in backend.workflows:
            raise cfn_error(f"Workflow {workflow} not found (Service: Glue; EntityNotFoundException)")
        start = as_bool(props.get("StartOnCreation", False))
        if start and props["Type"] == "ON_DEMAND":
            raise cfn_error("StartOnCreation is not supported for ON_DEMAND triggers (Service: Glue)")
        try:
            predicate = _predicate(props.get("Predicate"))
            actions = [Action(a) for a in props.get("Actions", [])]
        except JsonRESTError as exc:
            raise cfn_error(f"{exc.message} (Service: Glue)") from exc
        if replace:
            backend.delete_trigger(name)
        backend.create_trigger(
            name=name,
            workflow_name=workflow,
            trigger_type=props["Type"],
            schedule=props.get("Schedule"),
            predicate=predicate,
            actions=actions,
            description=props.get("Description"),
            start_on_creation=start,
            tags={},
            event_batching_condition=None,
        )

    @classmethod
    def remove(cls, backend: Any, name: str) -> None:
        backend.delete_trigger(name)


def _predicate(value: dict[str, Any] | None) -> Any:
    from moto.glue.utils import Predicate

    if not value:
        return None
    conditions = list(value.get("Conditions") or [])
    for condition in conditions:
        state = condition.get("State")
        if condition.get("JobName") and state not in LISTENABLE_STATES:
            raise cfn_error(
                f"Invalid job state {state} in a trigger condition: a trigger can listen for "
                f"{', '.join(LISTENABLE_STATES)} (Service: Glue)"
            )
    logical = value.get("Logical")
    if not logical:
        if len(conditions) > 1:
            raise cfn_error("Predicate.Logical is required with more than one condition (Service: Glue)")
        logical = "AND"
    return Predicate({"Logical": logical, "Conditions": conditions})
