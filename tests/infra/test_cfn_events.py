"""The rollback path, on recorded CloudFormation events (moto never fails or rolls back)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kit.infra.cfn import format_event, summarize_failure, with_nested_events

FIXTURES = Path(__file__).parent / "fixtures"


def _recorded(which: str) -> list[dict]:
    data = json.loads((FIXTURES / "update_rollback_events.json").read_text())
    events = data[which]["StackEvents"]
    for event in events:
        event["Timestamp"] = dt.datetime.fromisoformat(event["Timestamp"].replace("Z", "+00:00"))
    return list(reversed(events))  # kit follows events oldest first


def _events() -> list[dict]:
    """The parent's events and, as kit fetches them on failure, the nested stack's."""
    nested_id = next(e["PhysicalResourceId"] for e in _recorded("parent") if e["ResourceStatus"] == "UPDATE_FAILED")
    fetched = []

    def fetch(stack: str) -> list[dict]:
        fetched.append(stack)
        return _recorded("nested") if stack == nested_id else []

    events = with_nested_events(_recorded("parent"), fetch)
    assert fetched == [nested_id]
    return events


def test_nested_events_of_this_deployment_only():
    events = _events()
    assert "n0" not in {e["EventId"] for e in events}  # yesterday's nested event is left out
    assert len(events) == 10


def test_rollback_names_the_first_failing_resource_and_its_reason():
    message = summarize_failure("kit-dev-sales", "UPDATE_ROLLBACK_COMPLETE", _events())
    assert message == (
        "kit-dev-sales ended UPDATE_ROLLBACK_COMPLETE: Job (AWS::Glue::Job) UPDATE_FAILED: "
        'Resource handler returned message: "Worker type G.8X is not supported for Glue version '
        '5.0 in this region (Service: Glue, Status Code: 400, Request ID: 5d1c)" '
        "(RequestToken: 9f2e, HandlerErrorCode: InvalidRequest); "
        "rolled back to the previous deployment"
    )
    assert "\n" not in message


def test_without_nested_events_the_nested_stack_is_named():
    message = summarize_failure("kit-dev-sales", "UPDATE_ROLLBACK_COMPLETE", _recorded("parent"))
    assert message.startswith(
        "kit-dev-sales ended UPDATE_ROLLBACK_COMPLETE: Job (AWS::CloudFormation::Stack) UPDATE_FAILED: "
        "Embedded stack"
    )


def test_failure_without_resource_events():
    assert summarize_failure("s", "ROLLBACK_COMPLETE", []) == (
        "s ended ROLLBACK_COMPLETE; rolled back to the previous deployment; "
        "see its events in the console"
    )


def test_progress_lines_are_one_line_each():
    lines = [format_event(e) for e in _recorded("parent")]
    assert len(lines) == 8 and all("\n" not in line for line in lines)
    assert lines[0] == (
        "  10:03:38  UPDATE_IN_PROGRESS           kit-dev-sales  (AWS::CloudFormation::Stack)"
        "  User Initiated"
    )
