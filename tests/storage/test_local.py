"""LocalStore: the same layout on a local disk; `agent.store` still imports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from storage_helpers import ResultFactory, make_settings

from agent.errors import FatalStoreError
from agent.storage import LocalStore, ObjectInfo, open_store

INFO = ObjectInfo("application/json")


def test_the_old_import_path_still_works(tmp_path: Path, make_result: ResultFactory) -> None:
    from agent.store import RESULT_FILE, atomic_write
    from agent.store import LocalStore as Legacy

    assert Legacy is LocalStore
    result = make_result("failed")
    run_dir = Legacy(tmp_path).write(result)
    assert run_dir == tmp_path / result.partition()
    assert sorted(p.name for p in run_dir.iterdir()) == sorted([*result.blobs, RESULT_FILE])
    atomic_write(tmp_path / "x" / "y.txt", b"ok")
    assert (tmp_path / "x" / "y.txt").read_bytes() == b"ok"


def test_put_get_list(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    assert store.get("a/b.json") is None
    store.put("a/b.json", b"1", INFO)
    store.put("a/c/d.json", b"2", INFO)
    store.put("e.json", b"3", INFO)
    assert store.get("a/b.json") == b"1"
    assert store.list("a/") == ["a/b.json", "a/c/d.json"]
    assert store.list("") == ["a/b.json", "a/c/d.json", "e.json"]
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "root").rglob("*"))


@pytest.mark.parametrize("key", ["../escape.json", "/abs.json", "a//b.json", "a/./b.json", ""])
def test_keys_cannot_leave_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="invalid object key"):
        LocalStore(tmp_path).put(key, b"x", INFO)


def test_check_writable_leaves_nothing_behind(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "new" / "root")
    store.check_writable("ignored")
    assert list((tmp_path / "new" / "root").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only directory")
def test_a_read_only_root_is_fatal_auth(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(FatalStoreError) as info:
            LocalStore(tmp_path).check_writable("ignored")
        assert info.value.reason == "auth"
    finally:
        tmp_path.chmod(0o700)


def test_a_file_in_the_way_is_fatal(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("not a directory")
    with pytest.raises(FatalStoreError, match="blocker"):
        LocalStore(tmp_path / "blocker").put("a.json", b"{}", INFO)


@pytest.mark.parametrize("uri", ["results", "./out/dir", "file:///tmp/synth-results"])
def test_paths_and_file_uris_open_a_local_store(uri: str, tmp_path: Path) -> None:
    store = open_store(uri, make_settings(tmp_path))
    assert isinstance(store, LocalStore)
    assert store.root == Path(uri.removeprefix("file://"))
