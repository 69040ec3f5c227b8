"""Pure helpers: s3 path mapping, catalog format detection, Glue path parsing."""

from __future__ import annotations

import pytest

from kit.errors import InputNotFound
from kit.runtime import catalog, s3local
from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue import _paths  # noqa: E402


def test_s3_uris_map_under_the_object_root(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIT_S3_ROOT", str(tmp_path / "root"))
    assert s3local.to_local("s3://b/k/x.csv") == str(tmp_path / "root" / "b" / "k" / "x.csv")
    assert s3local.to_local("s3a://b/k/") == str(tmp_path / "root" / "b" / "k") + "/"
    assert s3local.to_local("file:///tmp/x") == "/tmp/x"
    assert s3local.to_local("rel/path") == "rel/path"
    assert str(tmp_path / "root") in capsys.readouterr().err


def test_default_object_root_is_in_the_project(tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_S3_ROOT", raising=False)
    monkeypatch.setenv("KIT_PROJECT", str(tmp_path))
    assert s3local.object_root() == tmp_path / ".kit" / "s3"


def test_require_exists_names_both_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_S3_ROOT", str(tmp_path))
    with pytest.raises(InputNotFound) as err:
        s3local.require_exists(["s3://b/missing"], [s3local.to_local("s3://b/missing")])
    assert "s3://b/missing" in str(err.value) and str(tmp_path) in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("params", "serde", "input_format", "expected"), [
    ({"classification": "Parquet"}, "", "", "parquet"),
    ({}, "org.openx.data.jsonserde.JsonSerDe", "", "json"),
    ({}, "org.apache.hadoop.hive.serde2.OpenCSVSerde", "", "csv"),
    ({}, "", "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat", "orc"),
    ({}, "", "", None),
])
def test_table_format_order(params, serde, input_format, expected):
    assert catalog.table_format(params, serde, input_format) == expected


def test_glue_path_parsing():
    assert _paths.parse("a.b.c") == ["a", "b", "c"]
    assert _paths.parse("`this.old.name`") == ["this.old.name"]
    assert _paths.parse("myList[].price") == ["myList", "[]", "price"]
    assert _paths.parse("a.`b.c`.d") == ["a", "b.c", "d"]


def test_state_folder_from_the_project_config(tmp_path, monkeypatch):
    from kit.runtime import bookmarks

    (tmp_path / "pyproject.toml").write_text('[tool.kit]\nstate = "var/kit"\n')
    monkeypatch.setenv("KIT_PROJECT", str(tmp_path))
    monkeypatch.delenv("KIT_S3_ROOT", raising=False)
    monkeypatch.delenv("KIT_BOOKMARK_DIR", raising=False)
    assert s3local.object_root() == tmp_path / "var" / "kit" / "s3"
    assert bookmarks.bookmark_dir() == tmp_path / "var" / "kit" / "bookmarks"


def _imported_awsglue(extra_path: str | None) -> str:
    """Where ``awsglue`` comes from in a fresh interpreter after kit's pytest helpers load."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if extra_path:
        env["PYTHONPATH"] = extra_path
    code = "import kit.testing.glue, awsglue; print(awsglue.__file__)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_the_layer_never_shadows_a_real_awsglue(tmp_path):
    from kit.testing.glue import LAYER_DIR

    real = tmp_path / "site" / "awsglue"
    real.mkdir(parents=True)
    (real / "__init__.py").write_text("# stands for AWS's library on a Glue image\n")
    assert _imported_awsglue(str(tmp_path / "site")) == str(real / "__init__.py")
    assert _imported_awsglue(None) == str(LAYER_DIR / "awsglue" / "__init__.py")
