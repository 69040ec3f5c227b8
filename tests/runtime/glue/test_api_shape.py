"""kit's awsglue layer against AWS's published Python interface (``awsgluedataplanepython``).

The official wheels are downloaded once (``make test`` does it, into ``.cache/awsglue-api``) and
read with ``ast``: never imported, never vendored. Every public class, method and function they
define must exist in kit's layer with the same parameter names, order and defaults, or match an
entry of the documented gap list in docs/runtime.md (the ``awsglue-api-gaps`` block).
"""

from __future__ import annotations

import ast
import fnmatch
import importlib
import inspect
import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

from kit.testing.glue import add_layer_to_path

REPO = Path(__file__).resolve().parents[3]
VERSIONS = ("5.0.0", "5.1.0")
CACHE = Path(os.environ.get("KIT_AWSGLUE_API_CACHE") or REPO / ".cache" / "awsglue-api")
DOC = REPO / "docs" / "runtime.md"
_EMPTY = object()


def wheel(version: str) -> Path:
    """The cached wheel of ``awsgluedataplanepython==version``, downloaded when missing."""
    found = sorted(CACHE.glob(f"awsgluedataplanepython-{version}-*.whl"))
    if found:
        return found[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(CACHE),
         f"awsgluedataplanepython=={version}"],
        capture_output=True, text=True, check=False, timeout=300,
    )
    found = sorted(CACHE.glob(f"awsgluedataplanepython-{version}-*.whl"))
    if not found:
        pytest.skip(f"package registry unreachable, awsgluedataplanepython {version} not cached: "
                    + (done.stderr.strip().splitlines() or ["?"])[-1])
    return found[0]


def official_api(path: Path) -> dict[str, ast.arguments | None]:
    """``{qualified name: arguments}`` of the wheel's public classes (None), their methods and
    module functions (the ``scripts`` package, command-line tools, left out)."""
    api: dict[str, ast.arguments | None] = {}
    with zipfile.ZipFile(path) as whl:
        for name in whl.namelist():
            if not (name.startswith("awsglue/") and name.endswith(".py")) or "/scripts/" in name:
                continue
            module = name[:-3].replace("/", ".").removesuffix(".__init__")
            with warnings.catch_warnings():  # AWS's sources have invalid escapes in docstrings
                warnings.simplefilter("ignore")
                tree = ast.parse(whl.read(name).decode("utf-8"))
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    api[f"{module}.{node.name}"] = None
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef) and (
                            not item.name.startswith("_") or item.name in ("__init__", "__call__")
                        ):
                            api[f"{module}.{node.name}.{item.name}"] = item.args
                elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    api[f"{module}.{node.name}"] = node.args
    return api


def _literal(node: ast.expr | None) -> object:
    if node is None:
        return _EMPTY
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)
    return None if value == {} or value == [] else value  # a mutable default is kit's None


def kit_object(qualname: str) -> object | None:
    """The object kit's layer has under the same qualified name, if any."""
    add_layer_to_path()
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def difference(qualname: str, args: ast.arguments | None) -> str | None:
    """Why kit's object differs from the official one (None when it conforms)."""
    obj = kit_object(qualname)
    if obj is None:
        return "missing"
    if args is None:
        return None if inspect.isclass(obj) else "not a class"
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "no signature"
    params = list(signature.parameters.values())
    positional = args.posonlyargs + args.args
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    defaults = [None] * (len(args.posonlyargs + args.args) - len(args.defaults)) + list(args.defaults)
    defaults = defaults[len(defaults) - len(positional):]
    kit_positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    by_name = {p.name: p for p in params}
    for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        if i >= len(kit_positional) or kit_positional[i].name != arg.arg:
            return f"parameter {i + 1} is {arg.arg!r} officially"
        ours = kit_positional[i].default
        expected = _literal(default)
        if expected is not _EMPTY and (ours is inspect.Parameter.empty or ours != expected):
            return f"{arg.arg}: default {ast.unparse(default)} officially"
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg not in by_name:
            return f"keyword {arg.arg!r} missing"
        expected = _literal(default)
        if expected is not _EMPTY and by_name[arg.arg].default != expected:
            return f"{arg.arg}: default {ast.unparse(default)} officially"
    kinds = {p.kind for p in params}
    if args.vararg and inspect.Parameter.VAR_POSITIONAL not in kinds:
        return f"*{args.vararg.arg} missing"
    if args.kwarg and inspect.Parameter.VAR_KEYWORD not in kinds:
        return f"**{args.kwarg.arg} missing"
    return None


def documented_gaps() -> dict[str, str]:
    """``pattern: reason`` lines of the ``awsglue-api-gaps`` block in docs/runtime.md."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```text awsglue-api-gaps\n(.*?)```", text, re.DOTALL)
    assert block, "docs/runtime.md has no ```text awsglue-api-gaps block"
    gaps = {}
    for line in block.group(1).splitlines():
        if line.strip():
            pattern, _, reason = line.partition(": ")
            assert reason.strip(), f"gap {pattern!r} has no reason"
            gaps[pattern.strip()] = reason.strip()
    return gaps


@pytest.fixture(scope="module")
def differences() -> dict[str, str]:
    found: dict[str, str] = {}
    for version in VERSIONS:
        for qualname, args in official_api(wheel(version)).items():
            why = difference(qualname, args)
            if why is not None:
                found[qualname] = why
    return found


def test_every_difference_from_the_official_api_is_documented(differences):
    gaps = documented_gaps()
    undocumented = {q: why for q, why in differences.items()
                    if not any(fnmatch.fnmatchcase(q, p) for p in gaps)}
    assert not undocumented, "undocumented differences from awsglue: " + "; ".join(
        f"{q} ({why})" for q, why in sorted(undocumented.items()))


def test_no_stale_gap_entries(differences):
    stale = [p for p in documented_gaps() if not any(fnmatch.fnmatchcase(q, p) for q in differences)]
    assert not stale, f"documented gaps that kit has closed (remove them): {stale}"


def test_the_api_kit_claims_is_there():
    """The calls real scripts make most are conformant, not documented away."""
    api = official_api(wheel(VERSIONS[0]))
    for qualname in (
        "awsglue.context.GlueContext.create_dynamic_frame_from_options",
        "awsglue.context.GlueContext.write_dynamic_frame_from_jdbc_conf",
        "awsglue.context.GlueContext.forEachBatch",
        "awsglue.context.GlueContext.getSink",
        "awsglue.dynamicframe.DynamicFrame.resolveChoice",
        "awsglue.dynamicframe.DynamicFrameWriter.from_jdbc_conf",
        "awsglue.utils.getResolvedOptions",
    ):
        assert difference(qualname, api[qualname]) is None, qualname
