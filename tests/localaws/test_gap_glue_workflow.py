"""The AWS::Glue::Workflow gap and conditional triggers, through CloudFormation over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.localaws.test_gaps import job, template


def workflow(name: str = "wf", **props) -> dict:
    return {"Type": "AWS::Glue::Workflow", "Properties": {"Name": name, **props}}


def trigger(name: str, kind: str, *, actions: list[str], predicate: dict | None = None,
            **props) -> dict:
    body = {"Name": name, "Type": kind, "WorkflowName": {"Ref": "Wf"},
            "Actions": [{"JobName": a} for a in actions], **props}
    if predicate:
        body["Predicate"] = predicate
    return {"Type": "AWS::Glue::Trigger", "Properties": body}


def condition(job_name: str, state: str = "SUCCEEDED") -> dict:
    return {"JobName": job_name, "State": state, "LogicalOperator": "EQUALS"}


def stack(after_b: dict, run_properties: dict | None = None) -> str:
    return template({
        "A": job("a"), "B": job("b"), "C": job("c"),
        "Wf": workflow(DefaultRunProperties=run_properties or {"day": "mon"},
                       Description="raw to curated"),
        "Start": trigger("wf-start", "ON_DEMAND", actions=["a"]),
        "AfterB": trigger("wf-after-b", "CONDITIONAL", actions=["b"], predicate=after_b,
                          StartOnCreation=True),
        "AfterC": trigger("wf-after-c", "CONDITIONAL", actions=["c"], StartOnCreation=True,
                          predicate={"Logical": "ANY", "Conditions": [
                              condition("b", s) for s in ("SUCCEEDED", "FAILED")]}),
    })


def test_workflow_with_conditional_triggers_shows_its_graph(aws):
    cfn, glue = aws("cloudformation"), aws("glue")
    cfn.create_stack(StackName="s", TemplateBody=stack({"Conditions": [condition("a")]}))

    found = glue.get_workflow(Name="wf", IncludeGraph=True)["Workflow"]
    assert (found["DefaultRunProperties"], found["Description"]) == ({"day": "mon"}, "raw to curated")
    names = {n["UniqueId"]: (n["Type"], n["Name"]) for n in found["Graph"]["Nodes"]}
    edges = {(names[e["SourceId"]][1], names[e["DestinationId"]][1]) for e in found["Graph"]["Edges"]}
    assert sorted(names.values()) == [
        ("JOB", "a"), ("JOB", "b"), ("JOB", "c"),
        ("TRIGGER", "wf-after-b"), ("TRIGGER", "wf-after-c"), ("TRIGGER", "wf-start"),
    ]
    assert edges == {("wf-start", "a"), ("a", "wf-after-b"), ("wf-after-b", "b"),
                     ("b", "wf-after-c"), ("wf-after-c", "c")}
    after_b = glue.get_trigger(Name="wf-after-b")["Trigger"]
    # one condition: Logical defaults to AND, as Glue does
    assert after_b["Predicate"] == {"Logical": "AND", "Conditions": [condition("a")]}
    assert (after_b["WorkflowName"], after_b["State"]) == ("wf", "ACTIVATED")
    assert glue.get_trigger(Name="wf-start")["Trigger"]["State"] == "CREATED"
    assert "Graph" not in glue.get_workflow(Name="wf")["Workflow"]


def test_workflow_and_trigger_update_in_place_then_delete(aws):
    cfn, glue = aws("cloudformation"), aws("glue")
    cfn.create_stack(StackName="s", TemplateBody=stack({"Conditions": [condition("a")]}))
    run_id = glue.start_workflow_run(Name="wf")["RunId"]

    cfn.update_stack(StackName="s", TemplateBody=stack(
        {"Conditions": [condition("a", "FAILED")]}, run_properties={"day": "tue"}))
    assert glue.get_trigger(Name="wf-after-b")["Trigger"]["Predicate"]["Conditions"] == [
        condition("a", "FAILED")]
    found = glue.get_workflow(Name="wf")["Workflow"]
    assert found["DefaultRunProperties"] == {"day": "tue"}
    assert found["LastRun"]["WorkflowRunId"] == run_id  # updated in place: its runs are kept

    cfn.delete_stack(StackName="s")
    assert glue.list_workflows()["Workflows"] == []
    assert glue.get_triggers()["Triggers"] == []


@pytest.mark.parametrize("bad, reason", [
    ({"Conditions": [condition("a", "ERROR")]}, "Invalid job state ERROR"),
    ({"Conditions": [condition("a"), condition("c")]}, "Logical is required"),
])
def test_trigger_predicates_glue_refuses_fail_the_stack(aws, bad, reason):
    with pytest.raises(ClientError, match=reason):
        aws("cloudformation").create_stack(StackName="s", TemplateBody=stack(bad))


def test_trigger_in_an_unknown_workflow_and_on_demand_start_on_creation_refused(aws):
    cfn = aws("cloudformation")
    lone = {"Type": "AWS::Glue::Trigger", "Properties": {
        "Name": "t", "Type": "ON_DEMAND", "WorkflowName": "nope", "Actions": [{"JobName": "a"}]}}
    with pytest.raises(ClientError, match="Workflow nope not found"):
        cfn.create_stack(StackName="s", TemplateBody=template({"A": job("a"), "T": lone}))
    eager = {"Type": "AWS::Glue::Trigger", "Properties": {
        "Name": "t2", "Type": "ON_DEMAND", "StartOnCreation": True, "Actions": [{"JobName": "b"}]}}
    with pytest.raises(ClientError, match="not supported for ON_DEMAND"):
        cfn.create_stack(StackName="t", TemplateBody=template({"B": job("b"), "T": eager}))
