"""getResolvedOptions follows Glue's argument rules."""

from __future__ import annotations

import pytest

from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.utils import GlueArgumentError, getResolvedOptions  # noqa: E402


def test_resolves_requested_options_and_glue_defaults():
    argv = ["script.py", "--JOB_NAME", "demo", "--input_path", "s3://b/in", "--extra", "x",
            "--TempDir", "s3://tmp/"]
    args = getResolvedOptions(argv, ["JOB_NAME", "input_path"])
    assert args["JOB_NAME"] == "demo"
    assert args["input_path"] == "s3://b/in"
    assert args["job_bookmark_option"] == "job-bookmark-disable"
    assert args["TempDir"] == "s3://tmp/" and args["RedshiftTempDir"] == "s3://tmp/"
    assert "extra" not in args


def test_missing_required_option_raises_glue_argument_error():
    with pytest.raises(GlueArgumentError, match="output_path"):
        getResolvedOptions(["script.py", "--JOB_NAME", "demo"], ["JOB_NAME", "output_path"])


def test_reserved_arguments_are_accepted_but_cannot_be_requested():
    argv = ["s.py", "--JOB_NAME", "j", "--JOB_ID", "id1", "--JOB_RUN_ID", "jr_1",
            "--job-bookmark-option", "job-bookmark-enable"]
    args = getResolvedOptions(argv, ["JOB_NAME"])
    assert args["job_bookmark_option"] == "job-bookmark-enable"
    assert args["JOB_RUN_ID"] == "jr_1"
    with pytest.raises(RuntimeError, match="reserved"):
        getResolvedOptions(argv, ["job-bookmark-option"])
    with pytest.raises(RuntimeError, match="reserved"):
        getResolvedOptions(argv, ["JOB_RUN_ID"])


def test_invalid_bookmark_option_is_an_argument_error():
    with pytest.raises(GlueArgumentError):
        getResolvedOptions(["s.py", "--job-bookmark-option", "sometimes"], [])


def test_legacy_continuation_option_maps_to_bookmark_option():
    args = getResolvedOptions(["s.py", "--continuation-option", "continuation-readonly"], [])
    assert args["job_bookmark_option"] == "job-bookmark-pause"


def test_equals_form_is_accepted():
    args = getResolvedOptions(["s.py", "--JOB_NAME=demo", "--day=2024-01-02"], ["JOB_NAME", "day"])
    assert (args["JOB_NAME"], args["day"]) == ("demo", "2024-01-02")
