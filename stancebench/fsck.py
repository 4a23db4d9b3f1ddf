"""`stancebench fsck`: verify every file a corpus is made of, and repair what a crash can leave.

Label logs and the adjudication log: torn records, unfinished batches and damaged lines are
reported and, with `repair=True`, moved to `NAME.jsonl.torn` while the log is rewritten
atomically under its lock. The statements and gold files must parse. The release must match the
digests in its release.json (when it lists any). Files a killed atomic write left behind
(`.NAME.*.tmp`) are removed on repair. Nothing outside the corpus is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench import logs, store
from stancebench.errors import StancebenchError

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = ["FsckReport", "check_corpus", "repair_label_log"]


@dataclass
class FsckReport:
    """What fsck found (`problems`, still wrong) and what it fixed (`repaired`)."""

    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def is_clean(self) -> bool:
        """Nothing left to fix."""
        return not self.problems


def _is_regular(path: Path, report: FsckReport) -> bool:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        report.problems.append(f"{path}: is a symbolic link (writers refuse it; replace it with the file itself)")
        return False
    if not stat.S_ISREG(info.st_mode):
        report.problems.append(f"{path}: is not a regular file (writers and readers refuse it; remove it)")
        return False
    return True


def repair_label_log(path: Path, annotator: str | None) -> list[str]:
    """Set aside every torn, unfinished or damaged record of one log; rewrite it atomically. Returns what moved."""
    with logs.log_lock(path):
        data = store.read_bytes(path)
        spans: list[tuple[int, int]] = []
        found: list[str] = []
        logs.scan_label_log(data, path, annotator, found.append, set_aside=spans)
        if not spans:
            return []
        kept, removed, pos = [], [], 0
        for start, end in sorted(spans):
            kept.append(data[pos:start])
            removed.append(data[start:end])
            pos = end
        kept.append(data[pos:])
        side = logs.set_aside(path, b"".join(r if r.endswith(b"\n") else r + b"\n" for r in removed))
        store.write_bytes_atomic(path, b"".join(kept))
    return [f"{message}: moved to {side.name}" for message in found]


def _check_log(path: Path, annotator: str | None, repair: bool, report: FsckReport) -> None:
    if not _is_regular(path, report):
        return
    report.files_checked += 1
    found: list[str] = []
    try:
        data = store.read_bytes(path)
        logs.scan_label_log(data, path, annotator, found.append, set_aside=[])
    except StancebenchError as err:
        report.problems.append(str(err))
        return
    if not found:
        return
    if repair:
        report.repaired.extend(repair_label_log(path, annotator))
    else:
        report.problems.extend(f"{message} (fsck --repair sets it aside)" for message in found)


def _check_logs(project: Project, repair: bool, report: FsckReport) -> None:
    folder = project.labels_dir
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name.endswith(".jsonl") and not path.name.startswith("."):
                try:
                    name = logs.validate_annotator(path.stem)
                except StancebenchError as err:
                    report.problems.append(f"{path}: log file name is not an annotator name ({err})")
                    continue
                _check_log(path, name, repair, report)
            elif path.name.endswith(".jsonl.torn"):
                size = path.lstat().st_size
                report.notes.append(f"{path}: {size} bytes set aside from interrupted writes (review, then delete)")
    if os.path.lexists(project.adjudications_path):
        _check_log(project.adjudications_path, None, repair, report)


def _check_records(project: Project, report: FsckReport) -> None:
    for path, read, hint in (
        (project.statements_path, store.read_statements, "re-run 'stancebench extract'"),
        (project.gold_path, store.read_gold, "re-run 'stancebench adjudicate'"),
    ):
        if not os.path.lexists(path):
            continue
        if not _is_regular(path, report):
            continue
        report.files_checked += 1
        try:
            read(path)
        except StancebenchError as err:
            report.problems.append(f"{err} ({hint})")


def _check_debris(project: Project, repair: bool, report: FsckReport) -> None:
    """Temporary files a killed atomic write left in annotations/."""
    folders = [project.annotations_dir, project.labels_dir]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(".*.tmp")):
            if repair and path.is_file() and not path.is_symlink():
                path.unlink()
                report.repaired.append(f"{path}: removed (left by an interrupted write)")
            else:
                report.problems.append(f"{path}: left by an interrupted write (fsck --repair removes it)")


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _check_release(project: Project, report: FsckReport) -> None:
    folder = project.release_dir
    info_path = folder / "release.json"
    if not folder.exists():
        report.notes.append(f"{folder}: no release built yet")
        return
    try:
        info = json.loads(store.read_bytes(info_path).decode("utf-8"))
    except (StancebenchError, ValueError, RecursionError) as err:  # ValueError: bad UTF-8 or JSON, a 5,000-digit number
        report.problems.append(f"{info_path}: unreadable ({err}); re-run 'stancebench build'")
        return
    report.files_checked += 1
    digests = info.get("files") if isinstance(info, dict) else None
    if isinstance(digests, dict) and digests:
        for name, expected in sorted(digests.items()):
            path = folder / name
            want = str(expected.get("sha256", "") if isinstance(expected, dict) else expected).removeprefix("sha256:")
            if not path.is_file():
                report.problems.append(f"{path}: missing from the release; re-run 'stancebench build'")
            elif _digest(path) != want:
                report.problems.append(f"{path}: differs from the digest in release.json; re-run 'stancebench build'")
            report.files_checked += 1
        return
    configs = info.get("configs", {}) if isinstance(info, dict) else {}
    listed = [name for splits in configs.values() if isinstance(splits, dict) for name in splits.values()]
    for name in listed:
        path = folder / str(name)
        if not path.is_file():
            report.problems.append(f"{path}: listed in release.json but missing; re-run 'stancebench build'")
        report.files_checked += 1
    report.notes.append(f"{info_path}: lists no file digests, so the release files were checked for presence only "
                        "('stancebench build --check' compares them with a fresh build)")


def check_corpus(project: Project, *, repair: bool = False) -> FsckReport:
    """Verify (and with `repair`, fix) the corpus's logs, records, debris and release."""
    report = FsckReport()
    _check_logs(project, repair, report)
    _check_records(project, report)
    _check_debris(project, repair, report)
    _check_release(project, report)
    return report
