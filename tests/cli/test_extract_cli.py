"""`stancebench extract` driven the way a user types it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.store import read_statements
from tests.support import DATA, REPO

ROOT = REPO
SEED = ROOT / "seeds" / "000_8c75088e5995e160.txt"
ARTICLES = DATA / "articles"


def run(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


def add_seed(project: Path, source: Path = SEED, name: str | None = None) -> Path:
    target = project / "seeds" / (name or source.name)
    shutil.copy(source, target)
    return target


def test_extract_writes_sorted_statements_and_summary(project):
    add_seed(project)
    add_seed(project, ARTICLES / "untidy.txt")
    result = run()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 articles, 28 statements, 28 new, 0 unchanged, 0 stale"
    assert "untidy.txt:3: closing quotation mark without an opening one" in result.stderr
    statements = read_statements(project / "annotations" / "statements.jsonl")
    assert len(statements) == 28
    assert [(s.article_id, s.start, s.id) for s in statements] == sorted((s.article_id, s.start, s.id) for s in statements)
    assert {s.target_id for s in statements} == {"lift-ukraine-strike-restrictions"}


def test_rerun_is_deterministic_and_unchanged(project):
    add_seed(project)
    run()
    path = project / "annotations" / "statements.jsonl"
    before = path.read_bytes()
    result = run()
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 article, 23 statements, 0 new, 23 unchanged, 0 stale"
    assert path.read_bytes() == before


def test_vanished_statements_are_kept_stale_and_revived(project):
    seed = add_seed(project)
    run()
    text = seed.read_text(encoding="utf-8")
    cameron = text[text.index("“Just as Russia") : text.index("On Tuesday, French")]
    seed.write_text(text.replace(cameron, "\n\n").replace("Gordon Lubold", "Macron said that Ukraine must win.\n\nGordon Lubold"),
                    encoding="utf-8")
    result = run()
    assert result.exit_code == 0, result.output
    assert "23 statements, 1 new" in result.stdout and result.stdout.strip().endswith("1 stale")
    statements = read_statements(project / "annotations" / "statements.jsonl")
    assert len(statements) == 24
    assert [s.text[:20] for s in statements if s.is_stale] == ["Just as Russia is st"]
    seed.write_text(text, encoding="utf-8")
    result = run()
    assert "0 new" in result.stdout and result.stdout.strip().endswith("1 stale")
    statements = read_statements(project / "annotations" / "statements.jsonl")
    assert [s.text for s in statements if s.is_stale] == ["Ukraine must win"]
    assert len(statements) == 24


def test_missing_opening_mark_takes_the_sentence(project):
    seed = add_seed(project)
    seed.write_text(seed.read_text(encoding="utf-8").replace("“Just as Russia", "Just as Russia"), encoding="utf-8")
    result = run()
    assert result.stdout.strip() == "1 article, 23 statements, 23 new, 0 unchanged, 0 stale"
    assert ":35: closing quotation mark without an opening one" in result.stderr
    texts = [s.text for s in read_statements(project / "annotations" / "statements.jsonl")]
    assert "Ukraine had the right to use British-supplied weapons against targets in Russia" in texts


def test_bad_files_are_skipped_with_a_warning_and_exit_1(project):
    add_seed(project)
    (project / "seeds" / "empty.txt").write_bytes(b"")
    (project / "seeds" / "binary.txt").write_bytes(b"\x89PNG\x00\x00")
    (project / "seeds" / "latin1.md").write_bytes(b"Title\n\nThe minister said caf\xe9 was fine.\n")
    result = run()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"Warning: {project / 'seeds' / 'binary.txt'}: binary file, expected UTF-8 text",
        f"Warning: {project / 'seeds' / 'empty.txt'}: empty file",
        f"Warning: {project / 'seeds' / 'latin1.md'}:3: not UTF-8 text (byte 0xe9)",
        "Error: 3 article file(s) could not be read; see the warnings above",
    ]
    assert result.stdout.strip() == "1 article, 23 statements, 23 new, 0 unchanged, 0 stale, 3 bad files skipped"
    assert len(read_statements(project / "annotations" / "statements.jsonl")) == 23
    assert "Traceback" not in result.output


def test_unreadable_article_keeps_its_old_statements(project):
    seed = add_seed(project)
    run()
    seed.write_bytes(b"\xff\xfe broken")
    result = run()
    assert result.exit_code == 1
    statements = read_statements(project / "annotations" / "statements.jsonl")
    assert len(statements) == 23 and not any(s.is_stale for s in statements)


def test_unterminated_quote_warns_and_later_statements_survive(project):
    add_seed(project, ARTICLES / "unterminated.txt")
    result = run()
    assert result.exit_code == 0
    assert result.stderr.strip() == (
        f"Warning: {project / 'seeds' / 'unterminated.txt'}:3: "
        "quotation mark opened here is never closed; the quote ends with its paragraph"
    )
    speakers = [s.speaker for s in read_statements(project / "annotations" / "statements.jsonl")]
    assert speakers == ["Volodymyr Zelensky", "Olaf Scholz", "John Kirby"]


def test_missing_seeds_folder_is_one_line(project):
    shutil.rmtree(project / "seeds")
    result = run()
    assert result.exit_code == 1
    assert result.output == f"Error: {project / 'seeds'}: seeds folder not found\n"


def test_malformed_statements_file_names_line_and_is_not_overwritten(project):
    add_seed(project)
    path = project / "annotations" / "statements.jsonl"
    good = json.dumps({"id": "x"})
    path.write_text('{"id": "a"\n' + good + "\n", encoding="utf-8")
    before = path.read_bytes()
    result = run()
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}:1: not valid JSON")
    assert path.read_bytes() == before
    path.write_text(good + "\n", encoding="utf-8")
    result = run()
    assert result.output == f"Error: {path}:1: missing field 'article_id'\n"
    assert path.read_text(encoding="utf-8") == good + "\n"


def test_seeds_and_output_options(project, tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    shutil.copy(ARTICLES / "headline_colon.md", folder)
    out = tmp_path / "out" / "s.jsonl"
    result = run("--seeds", str(folder), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 article, 4 statements, 4 new, 0 unchanged, 0 stale"
    assert len(read_statements(out)) == 4
    assert not (project / "annotations" / "statements.jsonl").exists()


def test_corpus_actors_tsv_is_used(project):
    add_seed(project, ARTICLES / "untidy.txt")
    (project / "actors.tsv").write_text("Ivan Petrov\tDefence Minister\tRuritania\tperson\tPetrov\n", encoding="utf-8")
    run()
    statements = read_statements(project / "annotations" / "statements.jsonl")
    assert {s.speaker_affiliation for s in statements if s.speaker == "Ivan Petrov"} == {"Ruritania"}


def test_help_says_what_bad_files_get():
    result = CliRunner().invoke(cli, ["extract", "--help"])
    assert result.exit_code == 0
    assert "exits with code 1" in result.output and "is_stale" in result.output


def test_a_progress_bar_runs_over_the_articles(project, monkeypatch):
    seen = []

    def fake_track(items, description, total=None, **_):
        seen.append((description, total))
        yield from items

    monkeypatch.setattr("stancebench.corpus.extract.track", fake_track)
    add_seed(project)
    add_seed(project, ARTICLES / "untidy.txt")
    result = run()
    assert result.exit_code == 0
    assert seen == [("Extracting statements", 2)]  # the real bar shows only when stderr is a terminal


def test_jobs_default_to_the_core_count(project):
    from stancebench.corpus.distributed import default_jobs

    assert default_jobs() >= 1
    assert "the number of CPU cores" in CliRunner().invoke(cli, ["extract", "--help"]).output
    add_seed(project)
    result = run()  # no --jobs: one file is extracted in this process, whatever the core count
    assert result.exit_code == 0 and result.stdout.strip() == "1 article, 23 statements, 23 new, 0 unchanged, 0 stale"
