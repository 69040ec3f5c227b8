"""Bad input loses nothing: generated bad settings, notebooks, pairs and command lines.

Every example must end with one ``kit: error:`` line on stderr (``kit check`` lists its findings
first, one ``- `` line each), the documented exit code (docs/cli.md), no traceback, and a project
tree byte-identical to before (kit's state folder aside). The normal suite runs a bounded number
of examples; ``KIT_FUZZ_EXAMPLES=2000`` (or ``python -m benchmarks fuzz``) runs it longer.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import jupytext
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import config as kit_config
from kit.cli import main
from kit.errors import EXIT_DIFFERENCES, EXIT_USAGE, EXIT_USER_ERROR
from kit.names import is_job_name
from kit.notebooks.pairing import record_in_sync
from tests.conftest import EXAMPLE, REPO, copy_example_project, tree_digest
from tests.notebooks.nbfactory import BOOT, notebook

EXAMPLES = int(os.environ.get("KIT_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 25,  # the normal suite is reproducible; long runs explore
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)
STATE = ".kit"
NAME = "fuzzed"
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example_project(tmp_path_factory.mktemp("fuzz") / "proj")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "build" / EXAMPLE, root / "build" / EXAMPLE)
    return root


@contextlib.contextmanager
def inside(root: Path) -> Iterator[None]:
    old, env = Path.cwd(), os.environ.pop("KIT_PROJECT", None)
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(old)
        if env is not None:
            os.environ["KIT_PROJECT"] = env


def digest(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(root).items() if not k.startswith(f"{STATE}/")}


def assert_refused(root: Path, args: list[str], codes: set[int]) -> None:
    """Run ``kit ARGS`` in-process; assert the bad-input invariants."""
    before = digest(root)
    with inside(root):
        result = CliRunner().invoke(main, args, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, repr(result.exception))
    assert result.exit_code in codes, (args, result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert lines and lines[-1].startswith("kit: error: "), (args, result.stderr)
    assert lines[-1].count("kit: error:") == 1, lines[-1]
    if args[0] == "check":
        assert all(line.startswith("- ") for line in lines[:-1]), result.stderr
    else:
        assert len(lines) == 1, (args, result.stderr)
    assert "Traceback" not in result.output
    assert digest(root) == before, args


# --- bad settings -----------------------------------------------------------------------------

FOLDER_KEYS = ("notebooks", "jobs", "build", "data", "state")
not_a_string = st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2),
                         st.just(""), st.just("  "))
toml_value = st.one_of(st.integers().map(str), st.booleans().map(lambda b: str(b).lower()),
                       text.map(json.dumps), st.just("[1, 2]"), st.just("{ a = 1 }"))


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value)


bad_settings = st.one_of(
    st.tuples(st.sampled_from(FOLDER_KEYS), not_a_string).map(
        lambda kv: f"[tool.kit]\n{kv[0]} = {_toml(kv[1])}\n".encode()),
    st.tuples(text.filter(lambda k: k.isidentifier() and k not in {
        *FOLDER_KEYS, "environments", "job", "tags"}), toml_value).map(
        lambda kv: f"[tool.kit]\n{kv[0]} = {kv[1]}\n".encode()),
    st.sampled_from(["job", "environments"]).flatmap(
        lambda key: toml_value.map(lambda v: f"[tool.kit]\n{key} = {v}\n".encode())),
    st.one_of(st.integers(), text, st.lists(st.integers(), min_size=1, max_size=2)).map(
        lambda v: f"[tool.kit]\ntags = {_toml(v)}\n".encode()),
    text.map(lambda t: f"[tool.kit]\n= {t}\n".encode()),  # never valid TOML
    st.binary(min_size=1, max_size=16).map(lambda b: b"[tool.kit]\n# \xff\xfe" + b + b"\n"),
)
SETTINGS_COMMANDS = [["export", EXAMPLE], ["export", "--all"], ["export", "--check"], ["sync"],
                     ["run", EXAMPLE], ["new", "daily_sales"], ["check"]]


@FUZZ
@given(content=bad_settings, command=st.sampled_from(SETTINGS_COMMANDS))
def test_bad_settings(base: Path, content: bytes, command: list[str]):
    pyproject = base / "pyproject.toml"
    good = pyproject.read_bytes()
    pyproject.write_bytes(content)
    try:
        assert_refused(base, command, {EXIT_USER_ERROR})
    finally:
        pyproject.write_bytes(good)


# --- malformed notebooks and pairs ------------------------------------------------------------

near_miss = st.sampled_from(["job", "dev"]).flatmap(
    lambda tag: st.tuples(st.lists(st.booleans(), min_size=3, max_size=3),
                          st.sampled_from(["", " ", "\t"]), st.sampled_from(["", " "]))
    .map(lambda t: t[1] + "".join(c.upper() if up else c for c, up in zip(tag, t[0],
                                                                               strict=True)) + t[2])
).filter(lambda tag: tag not in ("job", "dev"))
unknown_tag = text.filter(lambda t: t.strip() and t.strip().lower() not in ("job", "dev"))
bad_tags = st.one_of(
    near_miss.map(lambda t: ["job", t] if t.strip().lower() == "dev" else [t]),
    unknown_tag.map(lambda t: ["job", t]),
    st.one_of(text, st.integers(), st.dictionaries(text, st.integers(), max_size=1)),
    st.lists(st.one_of(st.integers(), st.none()), min_size=1, max_size=2),
)
bad_job_cell = st.one_of(
    st.just("def broken(:\n    pass"),
    st.just('KEY = "AKIAABCDEFGHIJKLMNOP"'),
    st.just('password = "hunter2"'),
    text.map(lambda t: f"x = ({json.dumps(t)}"),
)


def _nb_json(tags: object, source: str = "print('write step')") -> str:
    nb = notebook((["job"], BOOT), (["job"], source))
    data = json.loads(jupytext.writes(nb, fmt="ipynb"))
    data["cells"][1]["metadata"]["tags"] = tags
    return json.dumps(data)


malformed_notebook = st.one_of(
    bad_tags.map(_nb_json),
    bad_job_cell.map(lambda src: _nb_json(["job"], src)),
    st.just(_nb_json(["dev"])).map(lambda s: s.replace('"job"', '"dev"')),  # no job cell
    text.map(lambda t: "{" + t),  # not JSON
    st.binary(max_size=32).map(lambda b: b"\xff" + b),  # not UTF-8
    st.dictionaries(text, st.integers(), max_size=2).map(json.dumps),  # JSON, not a notebook
)


@FUZZ
@given(content=malformed_notebook, how=st.sampled_from(["name", "path", "run", "check"]))
def test_malformed_notebooks(base: Path, content: str | bytes, how: str):
    path = base / "notebooks" / f"{NAME}.ipynb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    args = {"name": ["export", NAME], "path": ["export", f"notebooks/{NAME}.ipynb"],
            "run": ["run", NAME], "check": ["check"]}[how]
    try:
        assert_refused(base, args, {EXIT_USER_ERROR, EXIT_DIFFERENCES} if how == "check"
                       else {EXIT_USER_ERROR})
    finally:
        path.unlink()
        shutil.rmtree(base / STATE, ignore_errors=True)


malformed_module = st.one_of(
    bad_tags.filter(lambda t: not (isinstance(t, list) and all(isinstance(x, str) for x in t)))
    .map(lambda t: f"# %% tags={json.dumps(t)}\nprint('write step')\n"),
    st.binary(max_size=32).map(lambda b: b"# %%\nx = '\xff" + b + b"'\n"),  # not UTF-8
)


@FUZZ
@given(content=malformed_module, how=st.sampled_from(["notebook", "module", "all"]))
def test_pairs_with_a_malformed_twin(base: Path, content: str | bytes, how: str):
    """A good notebook whose job module is malformed: sync refuses and touches neither twin."""
    ipynb = base / "notebooks" / f"{NAME}.ipynb"
    module = base / "jobs" / f"{NAME}.py"
    ipynb.write_text(_nb_json(["job"]), encoding="utf-8")
    if isinstance(content, bytes):
        module.write_bytes(content)
    else:
        module.write_text(content, encoding="utf-8")
    args = {"notebook": ["sync", f"notebooks/{NAME}.ipynb"], "module": ["sync", f"jobs/{NAME}.py"],
            "all": ["sync"]}[how]
    try:
        assert_refused(base, args, {EXIT_USER_ERROR})
    finally:
        ipynb.unlink()
        module.unlink()
        shutil.rmtree(base / STATE, ignore_errors=True)


@FUZZ
@given(nb_edit=text.filter(str.strip), py_edit=text.filter(str.strip),
       command=st.sampled_from([["sync"], ["sync", f"jobs/{EXAMPLE}.py"], ["export", EXAMPLE],
                                ["run", EXAMPLE], ["export", "--all"]]))
def test_pairs_edited_on_both_sides(base: Path, nb_edit: str, py_edit: str, command: list[str]):
    notebook_path = base / "notebooks" / f"{EXAMPLE}.ipynb"
    module = base / "jobs" / f"{EXAMPLE}.py"
    originals = {p: p.read_bytes() for p in (notebook_path, module)}
    try:
        record_in_sync(EXAMPLE, kit_config.load(base))  # as `kit sync` or `kit new` leave it
        nb = jupytext.read(notebook_path)
        nb.cells[1].source += f"\nNB_EDIT = {json.dumps(nb_edit)}"
        jupytext.write(nb, notebook_path)
        text_now = module.read_text(encoding="utf-8")
        module.write_text(text_now + f"\n\n# %%\nPY_EDIT = {json.dumps(py_edit)}\n", encoding="utf-8")
        assert_refused(base, command, {EXIT_USER_ERROR})
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
        shutil.rmtree(base / STATE, ignore_errors=True)


# --- bad command lines ------------------------------------------------------------------------

def _named_job(target: str) -> str:
    """The job name kit derives from an export target (the stem of a notebook or module path)."""
    return Path(target).stem if Path(target).suffix in {".ipynb", ".py"} else target


bad_name = text.filter(lambda n: not n.startswith("-") and not is_job_name(_named_job(n)))
not_url = text.filter(lambda u: not u.startswith(("http://", "https://")))
bad_port = st.one_of(st.integers(max_value=-1), st.integers(min_value=65536),
                     text.filter(lambda t: not re.fullmatch(r"[0-9]+", t.strip())))
bad_command_line = st.one_of(
    bad_name.map(lambda n: (["new", "--", n], EXIT_USER_ERROR)),
    bad_name.map(lambda n: (["export", "--", n], EXIT_USER_ERROR)),
    not_url.map(lambda u: ([
        "deploy", EXAMPLE, f"--endpoint-url={u}"], EXIT_USAGE)),
    not_url.map(lambda u: (["endpoint", "connect", "x", f"--endpoint-url={u}"], EXIT_USAGE)),
    bad_port.filter(lambda p: p != 0).map(
        lambda p: (["endpoint", "connect", "x", f"--local-port={p}"], EXIT_USAGE)),
    st.one_of(st.integers(max_value=-1), st.integers(min_value=65536)).map(
        lambda p: (["endpoint", "local", f"--port={p}"], EXIT_USAGE)),
    text.filter(lambda m: m and not m.startswith(("local", "spark://")) and m.strip() == m).map(
        lambda m: (["run", f"--master={m}", EXAMPLE], EXIT_USER_ERROR)),
    st.sampled_from(["new", "export", "sync", "check", "run", "deploy", "diff", "kernel"]).flatmap(
        lambda c: text.filter(lambda o: o.isalnum()).map(
            lambda o: ([c, f"--no-such-{o}"], EXIT_USAGE))),
    text.filter(lambda c: c.strip() and c.isprintable() and not c.startswith("-")).filter(
        lambda c: c not in main.list_commands(None)).map(lambda c: ([c], EXIT_USAGE)),
    st.sampled_from(["job-bookmark-option", "enable-spark-ui", "job-language"]).flatmap(
        lambda o: text.filter(lambda v: v not in ("true", "false", "python", "scala")
                              and not v.startswith("job-bookmark-") and not v.startswith("--"))
        .map(lambda v: (["run", EXAMPLE, f"--{o}", v], EXIT_USER_ERROR))),
    st.sampled_from(["customers_path", "orders_path", "output_path", "min_age"]).map(
        lambda a: (["run", EXAMPLE, f"--{a}"], EXIT_USER_ERROR)),
)


@FUZZ
@given(case=bad_command_line)
def test_bad_command_lines(base: Path, case: tuple[list[str], int]):
    args, code = case
    assert_refused(base, args, {code})
