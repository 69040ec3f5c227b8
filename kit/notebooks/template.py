"""``kit new``: a notebook and its job module from the template, plus a tiny sample input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jupytext

from kit.config import ProjectConfig
from kit.errors import JobExists
from kit.fsutil import check_writable, write_all_or_nothing
from kit.names import RESERVED, validate_job_name
from kit.notebooks.pairing import PAIRING_FORMATS, TEXT_FORMAT
from kit.runtime.runtimes import new_job_version

__all__ = ["RESERVED", "create", "validate_name"]
# kit's local Glue kernel (`kit kernel install`, or `kit lab` which installs it for the project).
KERNELSPEC = {"display_name": "Glue 5.0 (local)", "language": "python", "name": "glue-local"}


def kernelspec(glue_version: str | None = None) -> dict[str, str]:
    """The notebook metadata naming the local kernel of ``glue_version`` ("Glue 5.1 (local)")."""
    from kit.runtime.kernel import kernel_name, version_display_name

    return {"display_name": version_display_name(glue_version), "language": "python",
            "name": kernel_name(glue_version)}

SAMPLE_INPUT = "id,name,amount\n1,alpha,10.5\n2,beta,20.0\n3,gamma,7.25\n"
BOOTSTRAP_TEMPLATE = "bootstrap.py.tmpl"  # the job's bootstrap cell, calling kit.bootstrap
# The ~80-line cells earlier kits' `kit new` wrote (oldest first), for `kit upgrade-bootstrap`.
OLD_BOOTSTRAP_TEMPLATES = tuple(f"bootstrap_old/v{n}.py.tmpl" for n in range(1, 5))


@dataclass
class NewJob:
    notebook: Path
    module: Path
    sample: Path | None
    test: Path | None


def validate_name(name: str) -> None:
    """kit's one job-name rule (kit.names)."""
    validate_job_name(name)


def read_template(template: str) -> str:
    return resources.files("kit.notebooks").joinpath(f"templates/{template}").read_text("utf-8")


def job_args_block(job_args: dict[str, str]) -> str:
    """The ``JOB_ARGS = {...}`` declaration for ``job_args``, one argument per line."""
    lines = [f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)},"
             for k, v in job_args.items()]
    return "\n".join(["JOB_ARGS = {", *lines, "}"])


def bootstrap_cell(name: str, job_args: str, template: str = BOOTSTRAP_TEMPLATE) -> str:
    """A bootstrap cell's source for job ``name`` with ``job_args`` (a ``JOB_ARGS = ...`` block)."""
    return read_template(template).format(name=name, job_args=job_args)


def template_text(name: str, template: str = "job.py.tmpl") -> str:
    defaults = {"input_path": f"data/{name}/input.csv", "output_path": f"build/output/{name}"}
    bootstrap = bootstrap_cell(name, job_args_block(defaults))
    return read_template(template).format(name=name, bootstrap=bootstrap)


def create(name: str, config: ProjectConfig) -> NewJob:
    """Create ``notebooks/NAME.ipynb`` and ``jobs/NAME.py``; refuse if either already exists.

    Everything is checked and rendered first, then written all or nothing: a failed ``kit new``
    leaves no half pair behind.
    """
    validate_name(name)
    notebook, module = config.notebook_path(name), config.job_module_path(name)
    for path in (notebook, module):
        if path.exists() or path.is_symlink():
            raise JobExists(f"{config.relative(path)} already exists; pick another name or delete it first")
    nb = jupytext.reads(template_text(name), fmt=TEXT_FORMAT)
    nb.metadata["jupytext"] = {"formats": PAIRING_FORMATS}
    # the kernel of the job's Glue version (AWS's default for a job kit new pins)
    nb.metadata["kernelspec"] = kernelspec(new_job_version(config, name))
    nb.metadata["language_info"] = {"name": "python"}
    files = {module: jupytext.writes(nb, fmt=TEXT_FORMAT), notebook: jupytext.writes(nb, fmt="ipynb")}
    sample_file = config.data_dir / name / "input.csv"
    sample: Path | None = sample_file
    if sample_file.exists() or sample_file.is_symlink():
        sample = None
    else:
        files[sample_file] = SAMPLE_INPUT
    # A starting unit test, when the project has a tests/ folder and none exists for the job.
    test_file = config.root / "tests" / "jobs" / f"test_{name}.py"
    test: Path | None = test_file
    if not test_file.parent.parent.is_dir() or test_file.exists():
        test = None
    else:
        files[test_file] = template_text(name, "test_job.py.tmpl")
    for path in files:
        check_writable(path)
    write_all_or_nothing(files)
    return NewJob(notebook, module, sample, test)
