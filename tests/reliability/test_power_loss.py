"""Simulated crashes and power loss, as SQLite's crash tests do: a fault is injected at each
os.open / write / fsync / ftruncate / replace / unlink call of a workload in turn. At the fault
the process "dies" (that call does nothing, or a random part of a write lands, and every later
call fails), then, for power loss, whatever was not made durable is dropped: appended bytes
after the last fsync are cut at a random point, files created or renamed since their folder's
last fsync disappear or revert. Every acknowledged write must survive; every reader must work.
"""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest

from stancebench import logs, store
from stancebench.fsck import check_corpus
from stancebench.project import load_project
from stancebench.schema import LabelEvent
from tests.support import make_statement

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file semantics")


class Crash(BaseException):
    """The process died here."""


_REAL = {name: getattr(os, name) for name in ("open", "write", "fsync", "ftruncate", "replace", "unlink")}


def _content(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError):
        return None


class FaultyDisk:
    """Counts file-system calls, crashes at call `crash_at`, and knows what was durable."""

    def __init__(self, crash_at: int, rng: random.Random) -> None:
        self.crash_at, self.rng, self.calls, self.crashed = crash_at, rng, 0, False
        self.fd_paths: dict[int, str] = {}
        self.durable: dict[str, bytes | None] = {}  # a file's content that survives, if its name does
        # folder -> names changed since its last fsync: (path, what a power loss leaves: bytes or None)
        self.unsynced_names: dict[str, list[tuple[str, bytes | None]]] = {}

    def _step(self) -> bool:
        """True when this call is the one that crashes."""
        if self.crashed:
            raise Crash
        self.calls += 1
        if self.calls == self.crash_at:
            self.crashed = True
            return True
        return False

    def open(self, path, flags, mode=0o777, *, dir_fd=None):  # noqa: D102
        if self._step():
            raise Crash
        path = os.path.abspath(path)
        exists = os.path.lexists(path)
        fd = _REAL["open"](path, flags, mode)
        self.fd_paths[fd] = path
        if not os.path.isdir(path):
            self.durable.setdefault(path, _content(path) if exists else b"")
            if not exists:  # a new name is durable only once its folder is synced
                self.unsynced_names.setdefault(os.path.dirname(path), []).append((path, None))
        return fd

    def write(self, fd, data):  # noqa: D102
        if self._step():
            cut = self.rng.randint(0, len(data))
            if cut:
                _REAL["write"](fd, bytes(data[:cut]))  # killed inside the write: part of it lands
            raise Crash
        return _REAL["write"](fd, data)

    def fsync(self, fd):  # noqa: D102
        if self._step():
            raise Crash
        _REAL["fsync"](fd)
        path = self.fd_paths.get(fd)
        if path is not None and os.path.isdir(path):
            self.unsynced_names.pop(path, None)
        elif path is not None:
            self.durable[path] = _content(path)

    def ftruncate(self, fd, length):  # noqa: D102
        if self._step():
            raise Crash
        _REAL["ftruncate"](fd, length)

    def replace(self, src, dst, **kwargs):  # noqa: D102
        if self._step():
            raise Crash
        src, dst = os.path.abspath(src), os.path.abspath(dst)
        before = self.durable.get(dst, _content(dst))
        _REAL["replace"](src, dst)
        self.durable[dst] = self.durable.get(src, b"")  # what the new name holds, durably
        self.unsynced_names.setdefault(os.path.dirname(dst), []).append((dst, before))

    def unlink(self, path, *, dir_fd=None):  # noqa: D102
        if self._step():
            raise Crash
        _REAL["unlink"](path)

    def power_loss(self) -> None:
        """Drop what was not durable: unsynced names reverted, unsynced appends cut at random."""
        reverted = set()
        for entries in self.unsynced_names.values():
            for path, left in reversed(entries):
                reverted.add(path)
                if left is None:
                    if os.path.lexists(path):
                        _REAL["unlink"](path)
                else:
                    with open(path, "wb") as handle:
                        handle.write(left)
        for path, durable in self.durable.items():
            current = _content(path)
            if path in reverted or current is None or current == durable:
                continue
            if durable is not None and current.startswith(durable):
                kept = durable + current[len(durable):][: self.rng.randint(0, len(current) - len(durable))]
            else:
                kept = durable or b""
            with open(path, "wb") as handle:
                handle.write(kept)


def _event(sid: str, annotator: str = "alice", note: str | None = None) -> LabelEvent:
    return LabelEvent(sid, annotator, "support", "2026-01-01T00:00:00.000Z", "1.1", note)


def _workload(root: Path, acked: list[str]) -> None:
    """Label appends, a batch, a new log and two atomic rewrites; each name is acked once it returns."""
    labels = root / "annotations" / "labels"
    statements = root / "annotations" / "statements.jsonl"
    logs.append_label(labels / "alice.jsonl", _event("s0", note="x" * 5000))
    acked.append("s0")
    logs.append_labels(labels / "alice.jsonl", [_event(f"b{i}", note="y" * 300) for i in range(30)])
    acked.append("batch")
    store.write_jsonl_atomic(statements, [make_statement(f"v1-{i}").to_json() for i in range(20)])
    acked.append("statements-v1")
    logs.append_label(labels / "bob.jsonl", _event("s1", "bob"))
    acked.append("bob")
    store.write_jsonl_atomic(statements, [make_statement(f"v2-{i}").to_json() for i in range(25)])
    acked.append("statements-v2")
    logs.append_label(labels / "alice.jsonl", _event("s2"))
    acked.append("s2")


def _fresh_corpus(root: Path) -> Path:
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text('[corpus]\ntarget_id = "t"\ntarget = "T"\n', encoding="utf-8")
    return root


def _check(root: Path, acked: list[str]) -> None:
    labels = root / "annotations" / "labels"
    alice = {e.statement_id for e in logs.read_label_log(labels / "alice.jsonl", problems=[])} \
        if (labels / "alice.jsonl").exists() else set()
    batch = {f"b{i}" for i in range(30)}
    assert len(alice & batch) in (0, 30), "a batch must be all or nothing"
    for name in ("s0", "s2"):
        assert name not in acked or name in alice, f"acknowledged {name} lost"
    assert "batch" not in acked or batch <= alice, "acknowledged batch lost"
    if "bob" in acked:
        assert [e.statement_id for e in logs.read_label_log(labels / "bob.jsonl", problems=[])] == ["s1"]
    path = root / "annotations" / "statements.jsonl"
    versions = {s.id.split("-")[0] for s in store.read_statements(path)} if path.exists() else set()
    assert len(versions) <= 1, "statements.jsonl must be one whole version"
    if "statements-v2" in acked:
        assert versions == {"v2"}
    elif "statements-v1" in acked:
        assert versions in ({"v1"}, {"v2"})
    # The next writer recovers and fsck leaves a clean corpus:
    logs.append_label(labels / "alice.jsonl", _event("after"))
    assert "after" in {e.statement_id for e in logs.read_label_log(labels / "alice.jsonl", problems=[])}
    report = check_corpus(load_project(root), repair=True)
    assert report.is_clean, report.problems
    assert check_corpus(load_project(root)).is_clean


def _calls_in_workload(tmp_path: Path) -> int:
    disk = FaultyDisk(crash_at=0, rng=random.Random(0))
    with pytest.MonkeyPatch.context() as patch:
        for name in ("open", "write", "fsync", "ftruncate", "replace", "unlink"):
            patch.setattr(os, name, getattr(disk, name))
        _workload(_fresh_corpus(tmp_path / "dry"), [])
    return disk.calls


@pytest.mark.slow
@pytest.mark.parametrize("is_power_loss", [False, True], ids=["process-crash", "power-loss"])
def test_a_fault_at_every_file_system_call_loses_no_acknowledged_write(tmp_path, is_power_loss, capsys):
    total = _calls_in_workload(tmp_path)
    assert total > 20  # the workload really goes through the intercepted calls
    rounds = acknowledged = 0
    for seed in range(3):
        for crash_at in range(1, total + 1):
            root = _fresh_corpus(tmp_path / f"r{seed}-{crash_at}")
            disk = FaultyDisk(crash_at, random.Random(seed * 1000 + crash_at))
            acked: list[str] = []
            with pytest.MonkeyPatch.context() as patch:
                for name in ("open", "write", "fsync", "ftruncate", "replace", "unlink"):
                    patch.setattr(os, name, getattr(disk, name))
                with pytest.raises(Crash):
                    _workload(root, acked)
            if is_power_loss:
                disk.power_loss()
            _check(root, acked)
            rounds += 1
            acknowledged += len(acked)
    with capsys.disabled():
        mode = "power loss" if is_power_loss else "process crash"
        print(f"\n{mode}: {total} fault points x 3 seeds = rounds {rounds} / acknowledged {acknowledged} / lost 0")


def test_an_acknowledged_atomic_rewrite_survives_power_loss(tmp_path):
    """The rename is durable only once the folder is synced: write_bytes_atomic must do it."""
    root = _fresh_corpus(tmp_path / "c")
    path = root / "annotations" / "gold.jsonl"
    store.write_text_atomic(path, "old\n")
    disk = FaultyDisk(crash_at=10**9, rng=random.Random(1))
    with pytest.MonkeyPatch.context() as patch:
        for name in ("open", "write", "fsync", "ftruncate", "replace", "unlink"):
            patch.setattr(os, name, getattr(disk, name))
        store.write_text_atomic(path, "new\n")  # acknowledged
    disk.power_loss()
    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_ISREG(path.stat().st_mode)
