"""Deploy one CloudFormation stack through a change set, following its events until it settles.

The same machinery serves ``kit bootstrap`` and ``kit deploy``: create a change set, report
"no changes" when CloudFormation finds none, execute it, stream the stack's events, and on
failure name the resource that failed with CloudFormation's reason.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from kit.errors import DeployFailed

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
NO_CHANGES = ("didn't contain changes", "No updates are to be performed", "no changes")
OK_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
CANCELLED = ("Resource creation cancelled", "Resource update cancelled")


@dataclass
class StackResult:
    """How a stack deployment ended."""

    stack_name: str
    changed: bool
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


def stack_status(cfn: Any, stack_name: str) -> str | None:
    """The stack's status, or None when it does not exist."""
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise DeployFailed(f"cannot read stack {stack_name}: {_message(exc)}") from exc
    return stacks[0]["StackStatus"] if stacks else None


def stack_outputs(cfn: Any, stack_name: str) -> dict[str, str]:
    stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o.get("OutputValue", "") for o in stacks[0].get("Outputs", [])}


def deploy_stack(
    cfn: Any,
    *,
    stack_name: str,
    template_body: str,
    parameters: dict[str, str],
    tags: dict[str, str] | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    poll_seconds: float = 2.0,
    timeout_seconds: float = 3600.0,
) -> StackResult:
    """Create and execute a change set for ``stack_name``; raises ``DeployFailed`` on failure."""
    status = stack_status(cfn, stack_name)
    if status == "ROLLBACK_COMPLETE":  # a first deploy failed: nothing to keep
        cfn.delete_stack(StackName=stack_name)
        _wait(cfn, "stack_delete_complete", stack_name)
        status = None
    if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise DeployFailed(
            f"stack {stack_name} is busy ({status}); wait for it to finish and deploy again"
        )
    if status in OK_STATES and is_deployed(cfn, stack_name, template_body, parameters, tags or {}):
        return StackResult(stack_name, False, status, stack_outputs(cfn, stack_name))
    kind = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    name = f"kit-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    seen = {e["EventId"] for e in _events(cfn, stack_name)} if status else set()
    try:
        cfn.create_change_set(
            StackName=stack_name,
            ChangeSetName=name,
            ChangeSetType=kind,
            TemplateBody=template_body,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=CAPABILITIES,
            Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        )
    except ClientError as exc:
        raise DeployFailed(f"{stack_name}: change set refused: {_message(exc)}") from exc
    described = _wait_change_set(cfn, stack_name, name, poll_seconds, timeout_seconds)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        if any(text in reason for text in NO_CHANGES):
            _quietly(cfn.delete_change_set, StackName=stack_name, ChangeSetName=name)
            return StackResult(stack_name, False, status or "", stack_outputs(cfn, stack_name))
        raise DeployFailed(f"{stack_name}: change set failed: {one_line(reason)}")
    try:
        cfn.execute_change_set(StackName=stack_name, ChangeSetName=name)
    except ClientError as exc:
        kept = "nothing was deployed" if kind == "CREATE" else "the previous deployment is unchanged"
        raise DeployFailed(f"{stack_name}: CloudFormation failed: {_message(exc)}; {kept}") from exc
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_seconds
    started = False  # the stack's status means nothing until its own first event of this run
    while True:
        fresh = [e for e in reversed(_events(cfn, stack_name)) if e["EventId"] not in seen]
        for event in fresh:
            seen.add(event["EventId"])
            events.append(event)
            started = started or event.get("LogicalResourceId") == stack_name
            if on_event:
                on_event(event)
        final = stack_status(cfn, stack_name) or "DELETE_COMPLETE"
        if started and not final.endswith("_IN_PROGRESS"):
            break
        if time.monotonic() > deadline:
            raise DeployFailed(f"{stack_name} still {final} after {timeout_seconds:.0f}s; check it")
        time.sleep(poll_seconds)
    if final not in OK_STATES:
        events = with_nested_events(events, lambda stack: list(reversed(_events(cfn, stack))))
        raise DeployFailed(summarize_failure(stack_name, final, events))
    return StackResult(stack_name, True, final, stack_outputs(cfn, stack_name), events)


def is_deployed(
    cfn: Any, stack_name: str, template_body: str, parameters: dict[str, str], tags: dict[str, str]
) -> bool:
    """True when the stack already runs exactly this template with these parameters and tags.

    CloudFormation cannot tell whether a nested stack would change, so on AWS a change set for a
    stack with a nested stack always holds a "Modify" of it and is never empty; like the CDK, kit
    compares what it would send with what is deployed instead. The nested template's URL is
    content-addressed, so an unchanged parent template means an unchanged nested one.
    """
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    deployed = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    if any(deployed.get(key) != value for key, value in parameters.items()):
        return False
    if {t["Key"]: t["Value"] for t in stack.get("Tags", [])} != tags:
        return False
    body = cfn.get_template(StackName=stack_name, TemplateStage="Original")["TemplateBody"]
    return _template(body) == _template(template_body)


def _template(body: Any) -> Any:
    """A template for comparison: botocore returns JSON templates parsed, YAML ones as text."""
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def with_nested_events(
    events: list[dict[str, Any]], fetch: Callable[[str], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """``events`` plus, for each nested stack that failed, its own events of this deployment.

    A parent stack only reports "Embedded stack ... was not successfully updated"; the resource
    that actually failed is in the nested stack's events (``fetch`` returns them oldest first).
    """
    if not events:
        return events
    since = events[0].get("Timestamp")
    out = list(events)
    for event in events:
        nested = event.get("PhysicalResourceId")
        if (
            event.get("ResourceType") == "AWS::CloudFormation::Stack"
            and event.get("ResourceStatus", "").endswith("_FAILED")
            and nested
            and nested != event.get("StackId")
        ):
            out += [e for e in fetch(nested) if since is None or e.get("Timestamp") >= since]
    return out


def summarize_failure(stack_name: str, final_status: str, events: list[dict[str, Any]]) -> str:
    """One line: the first resource that failed and CloudFormation's reason (events oldest first).

    A resource inside a nested stack is named in preference to the nested stack itself.
    """
    failed = [
        e for e in events
        if e.get("ResourceStatus", "").endswith("_FAILED")
        and not e.get("ResourceStatusReason", "").startswith(CANCELLED)
    ]
    leaves = [e for e in failed if e.get("ResourceType") != "AWS::CloudFormation::Stack"]
    failed = leaves or failed
    rolled_back = "ROLLBACK" in final_status
    tail = "; rolled back to the previous deployment" if rolled_back else ""
    if not failed:
        return f"{stack_name} ended {final_status}{tail}; see its events in the console"
    first = failed[0]
    reason = one_line(first.get("ResourceStatusReason", "no reason given"))
    return (
        f"{stack_name} ended {final_status}: {first.get('LogicalResourceId')} "
        f"({first.get('ResourceType')}) {first['ResourceStatus']}: {reason}{tail}"
    )


def format_event(event: dict[str, Any]) -> str:
    """A progress line for one stack event."""
    stamp: Any = event.get("Timestamp")
    when = stamp.strftime("%H:%M:%S") if hasattr(stamp, "strftime") else str(stamp or "")
    reason = event.get("ResourceStatusReason") or ""
    line = (
        f"  {when}  {event.get('ResourceStatus', ''):<28} {event.get('LogicalResourceId', '')}"
        f"  ({event.get('ResourceType', '')})"
    )
    return f"{line}  {one_line(reason)}" if reason else line


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def _events(cfn: Any, stack_name: str) -> list[dict[str, Any]]:
    """Stack events, newest first (first page is enough to catch up between polls)."""
    try:
        return list(cfn.describe_stack_events(StackName=stack_name).get("StackEvents", []))
    except ClientError:
        return []


def _wait_change_set(
    cfn: Any, stack: str, name: str, poll_seconds: float, timeout_seconds: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_seconds
    while True:
        described = cfn.describe_change_set(StackName=stack, ChangeSetName=name)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        if time.monotonic() > deadline:
            raise DeployFailed(f"change set {name} for {stack} did not settle; check the console")
        time.sleep(poll_seconds)


def _wait(cfn: Any, waiter: str, stack_name: str) -> None:
    try:
        cfn.get_waiter(waiter).wait(StackName=stack_name, WaiterConfig={"Delay": 3})
    except WaiterError as exc:
        raise DeployFailed(f"{stack_name}: {one_line(str(exc))}") from exc


def _quietly(call: Callable[..., Any], **kwargs: Any) -> None:
    try:
        call(**kwargs)
    except ClientError:
        pass


def _message(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return one_line(error.get("Message") or str(exc))
