"""One name rule for jobs: Python module, Glue job name and CloudFormation stack name limits."""

from __future__ import annotations

import pytest

from kit.errors import JobNameError
from kit.names import MAX_LENGTH, is_job_name, stack_name, validate_job_name


@pytest.mark.parametrize("name", ["orders_by_month", "a", "job2", "x" * MAX_LENGTH])
def test_valid_names(name):
    assert validate_job_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "Orders", "1job", "with-dash", "my job", "class", "output", "kit", "x" * (MAX_LENGTH + 1),
     "é", "a.b", "a/b", "tab\tname", "nul\x00"],
)
def test_invalid_names_are_one_line(name):
    assert not is_job_name(name)
    with pytest.raises(JobNameError) as err:
        validate_job_name(name)
    assert "\n" not in str(err.value) and "\x00" not in str(err.value)


def test_stack_names_fit_cloudformation():
    assert stack_name("dev", "orders_by_month") == "kit-dev-orders-by-month"
    longest = stack_name("e" * (128 - len("kit--") - MAX_LENGTH), "x" * MAX_LENGTH)
    assert len(longest) == 128
    with pytest.raises(JobNameError, match="128 characters"):
        stack_name("e" * 100, "x" * MAX_LENGTH)
