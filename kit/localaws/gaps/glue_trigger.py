"""Gap: moto's CloudFormation creates no ``AWS::Glue::Trigger``; create it on moto's Glue."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from kit.localaws.gaps.named_resource import NamedResource, as_bool


class GlueTrigger(NamedResource, CloudFormationModel):
    resource_type = "AWS::Glue::Trigger"

    @classmethod
    def put(cls, backend: Any, name: str, props: dict[str, Any], replace: bool) -> None:
        from moto.glue.utils import Action

        if replace:
            backend.delete_trigger(name)
        backend.create_trigger(
            name=name,
            workflow_name=props.get("WorkflowName"),
            trigger_type=props["Type"],
            schedule=props.get("Schedule"),
            predicate=None,
            actions=[Action(a) for a in props.get("Actions", [])],
            description=props.get("Description"),
            start_on_creation=as_bool(props.get("StartOnCreation", False)),
            tags={},
            event_batching_condition=None,
        )

    @classmethod
    def remove(cls, backend: Any, name: str) -> None:
        backend.delete_trigger(name)
