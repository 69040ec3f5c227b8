"""One test per gap kit closes in moto, through CloudFormation over HTTP as kit deploys."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/glue"


def job(name: str = "j1", workers: int = 2, **extra) -> dict:
    props = {
        "Name": name, "Role": ROLE, "GlueVersion": "5.0", "WorkerType": "G.1X",
        "NumberOfWorkers": workers,
        "Command": {"Name": "glueetl", "ScriptLocation": "s3://scripts/j1.py"},
        "DefaultArguments": {"--input": "s3://data/in/"}, **extra,
    }
    return {"Type": "AWS::Glue::Job", "Properties": props}


def template(resources: dict, outputs: dict | None = None, parameters: dict | None = None) -> str:
    body: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        body["Outputs"] = outputs
    if parameters:
        body["Parameters"] = parameters
    return json.dumps(body)


def test_glue_job_created_updated_in_place_renamed_and_deleted(aws):
    cfn, glue = aws("cloudformation"), aws("glue")
    cfn.create_stack(StackName="s", TemplateBody=template({"Job": job()}))
    created = glue.get_job(JobName="j1")["Job"]
    assert created["NumberOfWorkers"] == 2
    assert created["DefaultArguments"] == {"--input": "s3://data/in/"}

    cfn.update_stack(StackName="s", TemplateBody=template({"Job": job(workers=5)}))
    assert glue.get_job(JobName="j1")["Job"]["NumberOfWorkers"] == 5

    cfn.update_stack(StackName="s", TemplateBody=template({"Job": job(name="j2")}))
    assert glue.get_job(JobName="j2")["Job"]["Name"] == "j2"
    with pytest.raises(ClientError, match="EntityNotFound"):
        glue.get_job(JobName="j1")

    cfn.delete_stack(StackName="s")
    assert glue.get_jobs()["Jobs"] == []


def test_glue_job_default_arguments_as_json_string_and_connections_checked(aws):
    cfn, glue = aws("cloudformation"), aws("glue")
    as_string = job(DefaultArguments=json.dumps({"--note": 'say "hi" \\ ü'}))
    cfn.create_stack(StackName="s", TemplateBody=template({"Job": as_string}))
    assert glue.get_job(JobName="j1")["Job"]["DefaultArguments"] == {"--note": 'say "hi" \\ ü'}

    with pytest.raises(ClientError, match="Connection missing-conn not found"):
        cfn.create_stack(StackName="t", TemplateBody=template(
            {"Job": job(name="j3", Connections={"Connections": ["missing-conn"]})}))


def test_glue_trigger_created_replaced_and_deleted(aws):
    cfn, glue = aws("cloudformation"), aws("glue")

    def trigger(schedule: str) -> dict:
        return {"Type": "AWS::Glue::Trigger", "Properties": {
            "Name": "t1", "Type": "SCHEDULED", "Schedule": schedule, "StartOnCreation": "true",
            "Actions": [{"JobName": "j1"}]}}

    cfn.create_stack(StackName="s", TemplateBody=template(
        {"Job": job(), "Trigger": trigger("cron(0 6 * * ? *)")}))
    found = glue.get_trigger(Name="t1")["Trigger"]
    assert (found["Schedule"], found["Actions"][0]["JobName"]) == ("cron(0 6 * * ? *)", "j1")

    cfn.update_stack(StackName="s", TemplateBody=template(
        {"Job": job(), "Trigger": trigger("cron(0 7 * * ? *)")}))
    assert glue.get_trigger(Name="t1")["Trigger"]["Schedule"] == "cron(0 7 * * ? *)"

    cfn.delete_stack(StackName="s")
    with pytest.raises(ClientError, match="EntityNotFound"):
        glue.get_trigger(Name="t1")


NESTED = template(
    {"Job": {**job(), "Properties": {**job()["Properties"], "NumberOfWorkers": {"Ref": "Workers"},
                                      "Connections": {"Connections": {"Ref": "Connections"}}}}},
    outputs={"JobName": {"Value": {"Ref": "Job"}}},
    parameters={"Workers": {"Type": "Number"}, "Connections": {"Type": "CommaDelimitedList"}},
)


def parent(workers: int, connections: str = "c1") -> str:
    return template(
        {"Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {
            "TemplateURL": "http://localhost/templates/nested.json",
            "Parameters": {"Workers": workers, "Connections": connections}}}},
        outputs={"Job": {"Value": {"Fn::GetAtt": ["Nested", "Outputs.JobName"]}}},
    )


@pytest.fixture
def nested_setup(aws):
    s3, glue = aws("s3"), aws("glue")
    s3.create_bucket(Bucket="templates")
    s3.put_object(Bucket="templates", Key="nested.json", Body=NESTED.encode())
    glue.create_connection(ConnectionInput={
        "Name": "c1", "ConnectionType": "JDBC",
        "ConnectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/x"}})
    return aws


def _nested_id(cfn) -> str:
    resources = cfn.describe_stack_resources(StackName="p")["StackResources"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "Nested")


def test_nested_stack_updated_in_place_and_restored_when_the_update_fails(nested_setup):
    cfn, glue = nested_setup("cloudformation"), nested_setup("glue")
    cfn.create_stack(StackName="p", TemplateBody=parent(2))
    first = _nested_id(cfn)

    cfn.update_stack(StackName="p", TemplateBody=parent(4))
    assert _nested_id(cfn) == first  # the same nested stack, not a replacement
    assert glue.get_job(JobName="j1")["Job"]["NumberOfWorkers"] == 4

    with pytest.raises(ClientError, match="Connection nope not found"):
        cfn.update_stack(StackName="p", TemplateBody=parent(6, connections="nope"))
    kept = glue.get_job(JobName="j1")["Job"]
    assert kept["NumberOfWorkers"] == 4 and kept["Connections"]["Connections"] == ["c1"]


def test_stack_outputs_after_a_change_set_and_getatt_of_nested_outputs(nested_setup):
    cfn = nested_setup("cloudformation")
    cfn.create_change_set(StackName="p", ChangeSetName="c1", ChangeSetType="CREATE",
                          TemplateBody=parent(2))
    cfn.execute_change_set(StackName="p", ChangeSetName="c1")
    outputs = cfn.describe_stacks(StackName="p")["Stacks"][0]["Outputs"]
    assert {o["OutputKey"]: o["OutputValue"] for o in outputs} == {"Job": "j1"}


def test_comma_delimited_list_parameters_echoed_as_given(nested_setup):
    cfn = nested_setup("cloudformation")
    cfn.create_stack(StackName="p", TemplateBody=parent(2))
    nested = _nested_id(cfn)
    params = cfn.describe_stacks(StackName=nested)["Stacks"][0]["Parameters"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params}["Connections"] == "c1"
    glue = nested_setup("glue")
    glue.create_connection(ConnectionInput={
        "Name": "c2", "ConnectionType": "JDBC",
        "ConnectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/y"}})
    cfn.update_stack(StackName="p", TemplateBody=parent(2, connections="c1,c2"))
    params = cfn.describe_stacks(StackName=nested)["Stacks"][0]["Parameters"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params}["Connections"] == "c1,c2"


def test_s3_bucket_versioning_public_access_block_and_ownership(aws):
    cfn, s3 = aws("cloudformation"), aws("s3")
    cfn.create_stack(StackName="s", TemplateBody=template({"Bucket": {
        "Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": "scripts-bucket",
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True,
                "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}}}))
    assert s3.get_bucket_versioning(Bucket="scripts-bucket")["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket="scripts-bucket")["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rules = s3.get_bucket_ownership_controls(Bucket="scripts-bucket")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_iam_role_managed_policies_attached(aws):
    cfn, iam = aws("cloudformation"), aws("iam")
    arn = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
    cfn.create_stack(StackName="s", Capabilities=["CAPABILITY_IAM"], TemplateBody=template({
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "glue-role", "ManagedPolicyArns": [arn],
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}}}}))
    attached = iam.list_attached_role_policies(RoleName="glue-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]


def test_glue_job_runs_fail_with_a_message_when_asked(aws, server):
    cfn, glue = aws("cloudformation"), aws("glue")
    cfn.create_stack(StackName="s", TemplateBody=template({"Job": job()}))
    ok = glue.start_job_run(JobName="j1")["JobRunId"]
    assert glue.get_job_run(JobName="j1", RunId=ok)["JobRun"]["JobRunState"] == "SUCCEEDED"
    server.fail_job_runs("j1", "boom: KeyError 'x'")
    try:
        bad = glue.start_job_run(JobName="j1")["JobRunId"]
        run = glue.get_job_run(JobName="j1", RunId=bad)["JobRun"]
        assert (run["JobRunState"], run["ErrorMessage"]) == ("FAILED", "boom: KeyError 'x'")
    finally:
        server.fail_job_runs("j1", "")
