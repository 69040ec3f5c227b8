"""The CLI's error boundary: one `kit: error:` line, the documented exit code, nothing written."""

from __future__ import annotations

import errno
from pathlib import Path

import click
import pytest

from kit.cli import main, one_line
from kit.errors import EXIT_DIFFERENCES, EXIT_USAGE, EXIT_USER_ERROR, KitError
from kit.fsutil import refusal
from tests.conftest import EXAMPLE
from tests.conftest import tree_digest as project_digest


def tree_digest(root: Path) -> dict[str, str]:
    """The project's files and hashes, kit's state folder (.kit/: sync records) aside."""
    return {k: v for k, v in project_digest(root).items() if not k.startswith(".kit/")}



def one_error_line(result) -> str:
    """The single stderr line of a refused command (and no traceback)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kit: error: ") and lines[0].count("kit: error:") == 1, lines[0]
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["export", "--bogus"], "kit export"),
        (["nosuchcommand"], "kit"),
        (["run", "--nope", EXAMPLE], "kit run"),
        (["sync", "--keep", "both", "x.py"], "kit sync"),
        (["new"], "kit new"),
        (["export"], "kit export"),
        (["endpoint", "local", "--port", "99999"], "kit endpoint local"),
        (["endpoint", "connect", "x", "--local-port", "70000"], "kit endpoint connect"),
        (["deploy", EXAMPLE, "--endpoint-url", "not a url"], "kit deploy"),
        (["diff", EXAMPLE, "--endpoint-url", "http://127.0.0.1:99999"], "kit diff"),
    ],
)
def test_usage_errors_are_one_line_with_a_help_hint_and_exit_2(project: Path, cli, args, command):
    before = tree_digest(project)
    result = cli(*args)
    assert result.exit_code == EXIT_USAGE
    assert one_error_line(result).endswith(f"; try '{command} --help'")
    assert tree_digest(project) == before


def test_kernel_install_prefix_that_is_a_file(project: Path, cli):
    (project / "afile").write_text("x")
    result = cli("kernel", "install", "--prefix", "afile")
    assert result.exit_code == EXIT_USAGE
    assert "afile" in one_error_line(result)


def test_non_utf8_pyproject_is_one_line_naming_it(project: Path, cli):
    pyproject = project / "pyproject.toml"
    pyproject.write_bytes(pyproject.read_bytes() + b"\n# caf\xe9\n")
    for args in (["export", EXAMPLE], ["sync"], ["check"]):
        result = cli(*args)
        assert result.exit_code == EXIT_USER_ERROR
        line = one_error_line(result)
        assert "pyproject.toml is not UTF-8" in line, line


def test_export_into_a_build_path_that_is_a_file_names_it(project: Path, cli):
    build = project / "build" / EXAMPLE
    for child in build.iterdir():
        child.unlink()
    build.rmdir()
    build.write_text("not a folder")
    result = cli("export", EXAMPLE)
    assert result.exit_code == EXIT_USER_ERROR
    assert f"build/{EXAMPLE} is a file, not a folder" in one_error_line(result)
    assert build.read_text() == "not a folder"


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.EROFS, "read-only file system"), (errno.ENOSPC, "no space left on device"),
     (errno.EACCES, "permission denied")],
)
def test_refused_writes_name_the_path_and_the_reason(code, reason):
    message = str(refusal(Path("build/x/x.py"), OSError(code, "ignored", "build/x/x.py")))
    assert message.startswith("cannot write build/x/x.py: " + reason)


def test_stale_export_and_check_findings_exit_3(project: Path, cli):
    assert cli("export", "--check").exit_code == 0
    script = project / "build" / EXAMPLE / f"{EXAMPLE}.py"
    script.write_text(script.read_text() + "\n# edited\n")
    result = cli("export", "--check")
    assert result.exit_code == EXIT_DIFFERENCES
    assert result.stderr.splitlines()[-1].startswith("kit: error: 1 export(s) stale")
    result = cli("check")
    assert result.exit_code == EXIT_DIFFERENCES and "out of date" in result.stderr


@pytest.mark.parametrize("name", ["my job", "Orders", "with-dash", "x" * 65, "class"])
def test_one_name_rule_for_new_export_and_run(project: Path, cli, name):
    before = tree_digest(project)
    for command in ("new", "export", "run"):
        result = cli(command, name)
        assert result.exit_code == EXIT_USER_ERROR, (command, result.output)
        assert "job name" in one_error_line(result)
    assert tree_digest(project) == before


def test_no_double_prefix_and_one_line_for_multi_line_messages():
    assert one_line("kit: error: kit: error: bad\n  thing") == "bad thing"

    @click.command()
    def boom() -> None:
        raise KitError("kit: error: first line\nsecond line")

    group = click.Group("kit", commands={"boom": boom})
    from click.testing import CliRunner

    from kit.cli import KitGroup

    result = CliRunner().invoke(KitGroup("kit", commands=group.commands), ["boom"])
    assert result.exit_code == EXIT_USER_ERROR
    assert result.stderr == "kit: error: first line second line\n"


def test_new_with_notebooks_setting_pointing_at_a_file_writes_nothing(project: Path, cli):
    (project / "afile").write_text("x")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('notebooks = "notebooks"', 'notebooks = "afile"'))
    before = tree_digest(project)
    result = cli("new", "daily_sales")
    assert result.exit_code == EXIT_USER_ERROR
    assert "afile is a file, not a folder" in one_error_line(result)
    assert tree_digest(project) == before


def test_main_group_keeps_version_and_help(cli):
    assert cli("--version").exit_code == 0
    assert cli("run", "--help").exit_code == 0
    assert main.name == "main"
