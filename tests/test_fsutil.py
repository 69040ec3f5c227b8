"""Writes never leave half a file or half a set of files; refusals name the path and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import WriteRefused
from kit.fsutil import check_writable, write_all_or_nothing, write_atomic


def test_write_all_or_nothing_removes_what_it_created_when_one_write_fails(tmp_path: Path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    existing = tmp_path / "existing.txt"
    existing.write_text("old")
    files = {
        tmp_path / "first.txt": "1",
        existing: "new",
        tmp_path / "blocker" / "second.txt": "2",
    }
    with pytest.raises(WriteRefused, match="blocker is a file, not a folder"):
        write_all_or_nothing(files)
    assert not (tmp_path / "first.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "existing.txt"]
    assert existing.read_text() == "old"


def test_check_writable_refuses_a_folder_and_a_file_parent(tmp_path: Path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(WriteRefused, match="it is a folder"):
        check_writable(tmp_path / "folder")
    (tmp_path / "f").write_text("x")
    with pytest.raises(WriteRefused, match="is a file, not a folder"):
        check_writable(tmp_path / "f" / "deeper" / "x.py")
    check_writable(tmp_path / "new" / "deeper" / "x.py")  # creatable: fine
    assert not (tmp_path / "new").exists()  # checking writes nothing


def test_write_atomic_into_a_folder_path_is_refused_and_keeps_it(tmp_path: Path):
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(WriteRefused, match="it is a folder"):
        write_atomic(target, "x")
    assert target.is_dir() and not list(tmp_path.glob(".target.*"))
