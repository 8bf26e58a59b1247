"""Atomic writes: the target holds the old content or the new one, never a part."""
import os

import pytest

from extractors.atomic import write_atomic


def test_write_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "sub" / "state.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two", durable=False)
    assert target.read_bytes() == b"two"
    assert sorted(os.listdir(target.parent)) == ["state.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "register.json.gz"
    write_atomic(target, b"old register")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new register")
    monkeypatch.undo()
    assert target.read_bytes() == b"old register"
    assert sorted(os.listdir(tmp_path)) == ["register.json.gz"]
