"""Ingestion and statement extraction on the seed and on one hand-made article per construction."""

from __future__ import annotations

import dataclasses
import random
import shutil

import pytest

from stancebench.corpus.actors import load_actors
from stancebench.corpus.articles import read_article, read_articles, read_source
from stancebench.corpus.extract import (
    ExtractWarning,
    extract_statements,
    merge_statements,
    normalise_statement_text,
    statement_id,
)
from stancebench.corpus.quotes import squash_quote  # noqa: F401  (public helper, imported to check the API)
from stancebench.errors import InputError, StancebenchError
from stancebench.schema import Article
from tests.support import CONFIG, DATA, REPO, attributions, normalised_by_the_rules

ROOT = REPO
SEED = ROOT / "seeds" / "000_8c75088e5995e160.txt"
ARTICLES = DATA / "articles"

# (speaker, quote_type, text prefix), in article order.
SEED_EXPECTED = [
    ("Antony Blinken", "indirect", "US may let Ukraine strike inside Russia"),
    ("Antony Blinken", "indirect", "U.S. May Allow Ukraine to Strike Inside Russia"),  # the repeated line: one record
    ("Antony Blinken", "indirect", "the U.S. is weighing the idea of allowing Kyiv"),
    ("United States", "indirect", "it wouldn’t allow Ukraine to attack targets"),
    ("European officials", "indirect", "they favor allowing Ukraine to use Western-supplied"),
    ("Jens Stoltenberg", "indirect", "the “time has come to consider whether"),
    ("Jens Stoltenberg", "direct", "If they cannot attack military targets"),
    ("Antony Blinken", "indirect", "the U.S. has neither encouraged nor enabled"),
    ("Antony Blinken", "direct", "We’re going to make sure that Ukraine has the equipment"),
    ("Antony Blinken", "direct", "Another hallmark of our support for Ukraine"),
    ("Antony Blinken", "direct", "We’ve adapted and adjusted, too"),
    ("Biden administration officials", "indirect", "a policy switch is under consideration"),
    ("Biden administration officials", "indirect", "a White House decision hasn’t yet been made"),
    ("John Kirby", "direct", "We do not encourage nor do we enable attacks"),
    ("John Kirby", "direct", "Our support to Ukraine has evolved appropriately"),
    ("Ukraine", "indirect", "permission to strike targets with U.S. weapons"),
    ("Russian Foreign Ministry", "indirect", "the U.S. would “cross a red line\""),
    ("Vladimir Putin", "indirect", "the use of Western-supplied weapons to strike Russian territory"),
    ("United Kingdom", "indirect", "Ukraine had the right to use British-supplied weapons"),
    ("David Cameron", "direct", "Just as Russia is striking inside Ukraine"),
    ("Emmanuel Macron", "indirect", "Ukraine should be allowed to strike missile sites"),
    ("Emmanuel Macron", "direct", "If we tell [the Ukrainians] you do not have the right"),
    ("Biden administration officials", "indirect", "the decision was made after the Pentagon’s concern"),
]


def _squash(text: str) -> str:
    return " ".join(text.replace("“", " ").split())


def check_spans(article, statements):
    """Every statement's span points at its text in Article.text."""
    for s in statements:
        span = article.text[s.start : s.end]
        if "\n" in span:  # a quote continued over a paragraph break: re-opening mark dropped
            assert _squash(span) == _squash(s.text)
        else:
            assert span == s.text
        assert s.text in s.context or "\n" in span
        assert s.id == statement_id(article.id, s.text)


def extract(name: str, **kwargs):
    source = read_source(ARTICLES / name)
    warnings: list[ExtractWarning] = []
    statements = extract_statements(source.article, warnings=warnings, first_line=source.first_line, **kwargs)
    check_spans(source.article, statements)
    return statements, warnings


def summary(statements):
    return [(s.speaker, s.quote_type, s.text) for s in statements]


def test_seed_statements_exactly():
    article = read_article(SEED)
    statements = extract_statements(article)
    check_spans(article, statements)
    got = [(s.speaker, s.quote_type, s.text) for s in statements]
    assert len(got) == len(SEED_EXPECTED), "\n".join(f"{a} | {b} | {c[:60]}" for a, b, c in got)
    for (speaker, kind, text), (want_speaker, want_kind, prefix) in zip(got, SEED_EXPECTED, strict=True):
        assert (speaker, kind) == (want_speaker, want_kind), text
        assert text.startswith(prefix), (text, prefix)


def test_seed_metadata_roles_cues_and_context():
    statements = extract_statements(read_article(SEED), target_id="t1")
    by_text = {s.text[:20]: s for s in statements}
    kirby = by_text["We do not encourage "]
    assert (kirby.speaker_role, kirby.speaker_affiliation, kirby.cue) == (
        "National Security Council spokesman", "United States", "said")
    assert kirby.context.startswith("“We do not encourage") and kirby.context.endswith("Blinken’s comments.")
    assert by_text["We’ve adapted and ad"].cue == "added"  # a quote with no cue of its own: previous speaker and cue
    assert by_text["the U.S. has neither"].cue == "repeated earlier assertions"
    assert by_text["permission to strike"].cue == "asked for"
    assert by_text["the U.S. is weighing"].speaker_role == "Secretary of State"
    assert all(s.target_id == "t1" and not s.is_stale for s in statements)
    assert [s.start for s in statements] == sorted(s.start for s in statements)


def test_every_statement_field_holds_its_own_value():
    # (`extract_statements` passes the fields by position: each must land in its own field)
    article = Article(id="a1", title="t", text="Kirby, a spokesman for the White House, said the step was risky.\n",
                      url="https://example.org/a1", path="seeds/dump.jsonl", record="row-7")
    (statement,) = extract_statements(article, target_id="t1", source_file="dump.jsonl")
    expected = {
        "id": statement_id("a1", statement.text), "article_id": "a1", "speaker": "John Kirby",
        "text": "the step was risky", "context": article.text.strip(), "start": 45, "end": 63,
        "quote_type": "indirect", "target_id": "t1", "speaker_role": "National Security Council spokesman",
        "speaker_affiliation": "United States",
        "cue": "said", "is_stale": False, "speaker_source": "named", "source_file": "dump.jsonl",
        "source_record": "row-7", "url": "https://example.org/a1", "canonical_id": None, "copies": (),
    }
    assert {f.name: getattr(statement, f.name) for f in dataclasses.fields(statement)} == expected


def test_seed_excludes_framing_bylines_and_boilerplate():
    texts = " ".join(s.context for s in extract_statements(read_article(SEED)))
    for phrase in ("first time", "parsed his words", "under pressure to clarify", "contributed to this article",
                   "Catch all the Politics", "That constraint", "following repeated appeals"):
        assert phrase not in texts


def test_reading_the_seed_without_front_matter():
    article = read_article(SEED)
    assert article.id == "000_8c75088e5995e160"
    assert article.title == "Blinken signals US may let Ukraine strike inside Russia with American weapons"
    assert (article.outlet, article.date, article.url, article.language) == (None, None, None, "en")
    assert article.text == SEED.read_text(encoding="utf-8")


def test_front_matter_and_markdown_headings():
    source = read_source(ARTICLES / "headline_colon.md")
    article = source.article
    assert (article.id, article.title, article.outlet, article.date) == (
        "headline_colon", "Zelensky urges allies to lift limits", "Example News", "2024-05-30")
    assert article.url == "https://example.org/zelensky" and source.first_line == 8
    assert article.text.startswith("# Zelensky:")
    statements, _ = extract("headline_colon.md")
    assert summary(statements) == [
        ("Volodymyr Zelensky", "direct", "We need long-range weapons without limits"),
        ("Kremlin", "indirect", "response to strikes on Russian soil"),
        ("Volodymyr Zelensky", "indirect", "Ukraine's hands were tied by its partners"),
        ("Volodymyr Zelensky", "direct", "Our partners give us weapons and then tell us where we cannot use them"),
    ]
    assert statements[0].cue == ":"


def test_said_x_according_to_and_as_x_put_it():
    statements, warnings = extract("inverted_and_according.txt")
    assert not warnings
    assert summary(statements) == [
        ("Volodymyr Zelensky", "direct", "We need the freedom to hit the launch sites"),
        ("Volodymyr Zelensky", "direct", "Every day we wait costs lives."),
        ("State Department spokesman", "indirect", "The restrictions will stay in place for now"),
        ("Dmitry Peskov", "indirect", "any strike on Russian soil would be treated as an escalation"),
        ("Jake Sullivan", "indirect", "Permission to use the missiles on Russian territory is “not on the table,”"),
        ("Olaf Scholz", "indirect", "Ukraine must be able to defend itself against attacks from across the border"),
    ]
    assert [s.cue for s in statements][2:5] == ["according to", "according to", "as put it"]


def test_single_quotes_inside_double_and_quote_continued_over_a_paragraph():
    statements, warnings = extract("nested_and_continued.txt")
    assert not warnings
    assert [(s.speaker, s.quote_type) for s in statements] == [("Dmytro Kuleba", "direct")] * 2 + [("Dmytro Kuleba", "indirect")]
    continued = statements[1]
    assert continued.text == (
        "Let us use what they give us. As one general told me, ‘you cannot win a fight with one hand tied.’ "
        "The decision is theirs, and we respect it. But the clock is ticking."
    )
    assert "\n\n“The decision" in continued.context


def test_untidy_text_missing_marks_no_space_misspelling_role_then_name():
    statements, warnings = extract("untidy.txt")
    assert summary(statements) == [
        ("Maria Zakharova", "direct", "We will not be intimidated by threats from Washington"),
        ("Ivan Petrov", "indirect", "any permission would be a grave mistake"),
        ("Ivan Petrov", "indirect", "his country would not send more missiles"),
        ("Jens Stoltenberg", "direct", "There is no decision yet"),
        ("Volodymyr Zelensky", "indirect", "Ukraine would keep asking for the limits to go"),
    ]
    assert statements[1].speaker_role == "Defence Minister"
    assert [str(w) for w in warnings] == [
        f"{ARTICLES / 'untidy.txt'}:3: closing quotation mark without an opening one; the quote is taken to start here"
    ]


def test_unterminated_quote_does_not_swallow_the_rest():
    statements, warnings = extract("unterminated.txt")
    assert summary(statements) == [
        ("Volodymyr Zelensky", "direct", "We will never accept these limits"),
        ("Olaf Scholz", "indirect", "Germany's position on the weapons had not changed"),
        ("John Kirby", "direct", "There is no change to our policy"),
    ]
    assert [str(w) for w in warnings] == [
        f"{ARTICLES / 'unterminated.txt'}:3: quotation mark opened here is never closed; the quote ends with its paragraph"
    ]


def test_non_statements_give_nothing():
    statements, warnings = extract("non_statements.txt")
    assert statements == [] and warnings == []


def test_statement_ids_are_stable_under_typography():
    assert normalise_statement_text("“We  need\u00a0THIS”") == '"we need this"'
    assert statement_id("a", "“We need it,” ") == statement_id("a", '"we need it,"')
    assert statement_id("a", "x") != statement_id("b", "x")
    assert len(statement_id("a", "x")) == 16


@pytest.mark.parametrize("text", ["We need THIS", "we\tneed  `this`\n", "ǅ ﬁre ½ Straße", "“We need ‘this’”", " İ ΣΑΣ "])
def test_plain_ascii_text_normalises_as_any_other(text):
    # ASCII takes a shorter path: it must give what NFKC, the marks, spaces and casefold give, with or without
    # a non-ASCII character added (which takes the general path).
    assert normalise_statement_text(text) == normalised_by_the_rules(text)
    assert normalise_statement_text(text + " é") == normalised_by_the_rules(text + " é")


def test_spaces_normalise_as_split_and_join_would():
    from stancebench.corpus.statement_text import _single_spaced

    pieces = ["a", "We", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\x1c", "\x85", "\u3000", "\u200b", "\u2009", "é", "“"]
    rng = random.Random(12)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _single_spaced(text) == " ".join(text.split()), repr(text)
    # What the shortcut rests on: every character `split` splits at, but the space, is unprintable.
    import sys

    assert all(not char.isprintable() for char in map(chr, range(sys.maxunicode + 1)) if char.isspace() and char != " ")


def test_crlf_and_bom_keep_spans_exact(tmp_path):
    raw = (ARTICLES / "unterminated.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"))
    article = read_article(path)
    assert "\r" not in article.text and not article.text.startswith("\ufeff")
    statements = extract_statements(article)
    check_spans(article, statements)
    assert len(statements) == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"\x00\x01binary\x00", "binary file, expected UTF-8 text"),
        (b"Title\n\nCaf\xe9 said so.", "not UTF-8 text (byte 0xe9)"),
        (b"---\ntitle: x\n", "front matter opened with '---' is never closed"),
        (b"---\ntitle: x\n---\n\n", "empty article (no text after the front matter)"),
    ],
)
def test_bad_files_are_input_errors_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_article(path)
    assert str(info.value).startswith(str(path)) and str(info.value).endswith(problem)
    assert "\n" not in str(info.value)


def test_read_articles_sorted_and_missing_folder(tmp_path):
    for name in ("b.txt", "a.md", "notes.csv", ".hidden.txt"):
        shutil.copy(ARTICLES / "untidy.txt", tmp_path / name)
    assert [a.id for a in read_articles(tmp_path)] == ["a", "b"]
    with pytest.raises(StancebenchError, match="seeds folder not found"):
        read_articles(tmp_path / "nope")


def test_corpus_actor_table_overrides_and_adds(tmp_path):
    extra = tmp_path / "actors.tsv"
    extra.write_text("Ivan Petrov\tDefence Minister\tRuritania\tperson\tPetrov\n"
                     "Antony Blinken\tTop Diplomat\tUnited States\tperson\tBlinken\n", encoding="utf-8")
    table = load_actors(extra)
    assert table.lookup("petrov").affiliation == "Ruritania"
    assert table.lookup("Blinken").role == "Top Diplomat"
    assert table.lookup("Zelenskyy").name == "Volodymyr Zelensky"
    statements, _ = extract("untidy.txt", actors=table)
    assert statements[1].speaker_affiliation == "Ruritania"


def test_bad_actor_table_names_file_and_line(tmp_path):
    extra = tmp_path / "actors.tsv"
    extra.write_text("# comment\nIvan Petrov\tminister\tRuritania\trobot\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"actors.tsv:2: unknown kind 'robot'"):
        load_actors(extra)


def test_merge_keeps_vanished_statements_as_stale_and_revives_them():
    article = read_article(SEED)
    first = extract_statements(article)
    merged, counts = merge_statements([], first)
    assert counts == {"new": len(first), "updated": 0, "unchanged": 0, "stale": 0}
    merged, counts = merge_statements(merged, first[1:])
    assert counts["stale"] == 1 and len(merged) == len(first)
    assert [s.id for s in merged if s.is_stale] == [first[0].id]
    merged, counts = merge_statements(merged, first)
    assert not any(s.is_stale for s in merged) and counts["updated"] == 1


def test_sentence_boundaries_skip_ahead_but_find_what_the_pattern_finds():
    from stancebench.corpus.quotes import _BOUNDARY, _boundaries  # private: the fast scan against its pattern

    rng = random.Random(0)
    # A ".Next" boundary just after a mark that lies before `start`, and runs of marks across `start`.
    for text, start in [("ab.Ab", 3), ('ab."Ab', 3), ("ab.”Ab", 3), ("ab..Ab", 3), ("ab... Ab", 4), ("x?! A", 2)]:
        expected = [m.span() for m in _BOUNDARY.finditer(text, start, len(text))]
        assert _boundaries(text, start, len(text)) == expected, (text, start)
    for _ in range(5000):
        text = "".join(rng.choice('ab AB.!?…"”“‘’)( \u00a0\t\n0') for _ in range(rng.randint(0, 25)))
        cut = rng.randint(0, len(text))
        for start, end in [(0, len(text)), (2, len(text)), (1, max(1, len(text) - 3)), (cut, len(text)), (0, cut)]:
            expected = [m.span() for m in _BOUNDARY.finditer(text, start, end)]
            assert _boundaries(text, start, end) == expected, (text, start, end)
            if not any(mark in text[start:end] for mark in "!?…"):  # the search led by full stops alone
                assert _boundaries(text, start, end, dots_only=True) == expected, (text, start, end)
    for _ in range(3000):  # (texts with full stops only)
        text = "".join(rng.choice('ab AB..."”“‘’)( \u00a0\t\n0') for _ in range(rng.randint(0, 25)))
        start = rng.randint(0, len(text))
        expected = [m.span() for m in _BOUNDARY.finditer(text, start, len(text))]
        assert _boundaries(text, start, len(text), dots_only=True) == expected, (text, start)


def _split_by_the_rules(text, start, end, quotes, breaks, dots_only):
    """`split_sentences` as it reads with `_boundaries` called, not inlined (the reference for the inlined search)."""
    from stancebench.corpus import quotes as q

    cuts = []
    inside = [(x.open, x.close) for x in quotes if x.close > start and x.open < end]
    for at, cut in q._boundaries(text, start, end, dots_only):
        if any(a < cut < b for a, b in inside):
            continue
        if text[at] == "." and (abbreviation := q._abbreviation(text, max(start, at - 8), at)) is not None:
            following = text[cut : min(end, cut + 40)].split(None, 1)
            word = following[0].strip("\"“‘(") if following else ""
            if not ("." in abbreviation.group() and word in q._SENTENCE_STARTERS):
                continue
        cuts.append(cut)
    for brk in breaks.finditer(text, start, end):
        if not any(a < brk.start() < b for a, b in inside):
            cuts.append(brk.start())
    spans, position = [], start
    for cut in (*sorted(set(cuts)), end):
        piece = text[position:cut]
        if piece.strip():
            left = position + len(piece) - len(piece.lstrip())
            spans.append((left, left + len(piece.strip())))
        position = cut
    return spans


@pytest.mark.parametrize("dots_only", [False, True])
def test_sentences_are_cut_where_the_boundary_rules_cut_them(dots_only):
    from stancebench.corpus import layout
    from stancebench.corpus.quotes import scan_quotes, split_sentences

    rng = random.Random(21)
    pieces = ["He left", ".", ". ", "Mr.", " Smith", "U.S.", " The", " It", "“No.”", "“", "”", '"', "ab.Cd", " ",
              "\n", "\n\n", "e.g.", " A.", "\u00a0", "'", "x"] + ([] if dots_only else ["!", "?", "…", "?!"])
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        breaks = rng.choice([layout._LINE_BREAK, layout._BLOCK_BREAK])
        quotes, _ = scan_quotes(text, layout.layout_units(text, breaks=breaks), lambda at, message: None)
        start = rng.randint(0, len(text))
        end = rng.choice([len(text), rng.randint(start, len(text))])
        expected = _split_by_the_rules(text, start, end, quotes, breaks, dots_only)
        assert split_sentences(text, start, end, quotes, breaks, dots_only) == expected, (text, start, end)


@pytest.mark.parametrize("mark", ["?", "!", "…"])
def test_a_question_or_exclamation_mark_ends_a_sentence(mark):
    # (extraction looks for these marks in its first pass; a text without them has its sentences cut at full stops)
    text = f"Allies weigh strikes\n\nWill Germany send Taurus missiles{mark} Olaf Scholz said the risk was too high.\n"
    (statement,) = extract_statements(Article(id="a", title="t", text=text))
    assert statement.context == "Olaf Scholz said the risk was too high."


def test_extraction_in_worker_processes_gives_the_same_output(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from stancebench.corpus import distributed
    from stancebench.corpus.extract import extract_corpus

    monkeypatch.setattr(distributed, "_POOL_BYTES", 0)  # worker processes even for these few small files

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted((DATA / "articles").iterdir()):
        (seeds / path.name).write_bytes(path.read_bytes())
    (seeds / "zz_binary.txt").write_bytes(b"\x00\xff\x00 not text")
    (seeds / "untidy.md").write_text("A copy with the same id.\n\nNothing here.\n", encoding="utf-8")  # duplicate stem
    results = []
    for jobs in (1, 2):
        out = tmp_path / f"statements{jobs}.jsonl"
        project = SimpleNamespace(root=tmp_path, seeds_dir=seeds, statements_path=out, target_id="t")
        result = extract_corpus(project, jobs=jobs)
        results.append((out.read_bytes(), [str(w) for w in result.warnings], result.bad_files, result.articles))
    assert results[0] == results[1]
    assert results[0][3] >= 5 and len(results[0][2]) == 2


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("stored", ['{"id": "s1"}\n', "not json\n", "[1]\n", "duplicate"])
def test_a_malformed_statements_file_is_an_error_and_left_as_it_was_with_or_without_worker_processes(
        tmp_path, monkeypatch, jobs, stored):
    from types import SimpleNamespace

    from stancebench.corpus import distributed
    from stancebench.corpus.extract import extract_corpus

    monkeypatch.setattr(distributed, "_POOL_BYTES", 0)  # worker processes even for these few small files
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted((DATA / "articles").iterdir()):
        (seeds / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "statements.jsonl"
    from tests.support import make_statement

    first = make_statement("s0").to_json()
    out.write_text(first + "\n" + (first if stored == "duplicate" else stored), encoding="utf-8")
    before = out.read_bytes()
    project = SimpleNamespace(root=tmp_path, seeds_dir=seeds, statements_path=out, target_id="t")
    with pytest.raises(InputError, match=r"statements\.jsonl:2: (missing field|not valid JSON|expected a JSON object|duplicate)"):
        extract_corpus(project, jobs=jobs)
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["seeds", "statements.jsonl"]


def test_a_heading_longer_than_a_sentence_may_be_is_cut_like_a_run_on_sentence():
    from stancebench.schema import Article

    heading = "# " + "Blinken said the plan is good and " * 150  # 5,100 characters, one '#' line
    text = heading + "\n\nOlaf Scholz said the rules stand.\n"
    found = extract_statements(Article(id="a", title="t", text=text, path="a.md"))
    in_heading = [s for s in found if s.start < len(heading)]
    # The cut (at a space before 3,000 characters) starts a headline sentence of its own, with its own record.
    assert any(2000 < s.start < 3100 for s in in_heading) and in_heading[0].text == "the plan is good"
    assert [s.text for s in found if s.start > len(heading)] == ["the rules stand"]


@pytest.mark.parametrize("closing", ['"', "”"])
def test_a_single_opening_mark_closed_by_a_double_one(closing):
    got = attributions("Headline words here\n\nSome see it differently. Ralf Stegner, a member of the party's left, said: "
                       f"‘Anyone who sends weapons should say how this war ends.{closing}\n")
    assert got == [("Ralf Stegner", "direct", "Anyone who sends weapons should say how this war ends.")]


def _clean_corpus(tmp_path):
    from types import SimpleNamespace

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted((DATA / "articles").iterdir()):
        if path.suffix in (".txt", ".md"):
            (seeds / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "annotations" / "statements.jsonl"
    out.parent.mkdir()
    (tmp_path / "stancebench.toml").write_text(CONFIG, encoding="utf-8")  # a corpus: the id index is kept in it
    return SimpleNamespace(root=tmp_path, seeds_dir=seeds, statements_path=out, target_id="t")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rerun_of_an_unchanged_corpus_leaves_the_file_untouched(tmp_path, monkeypatch, jobs):
    from stancebench.corpus import distributed
    from stancebench.corpus.extract import extract_corpus
    from stancebench.id_index import index_path

    monkeypatch.setattr(distributed, "_POOL_BYTES", 0)
    project = _clean_corpus(tmp_path)
    first = extract_corpus(project, jobs=jobs)
    out = project.statements_path
    before, stat = out.read_bytes(), out.stat()
    index_path(out).unlink()  # a lost index is made again, from what is in the file
    again = extract_corpus(project, jobs=jobs)
    assert (again.new, again.updated, again.unchanged, again.stale) == (0, 0, first.new, 0) and first.new > 10
    assert out.read_bytes() == before and out.stat().st_mtime_ns == stat.st_mtime_ns and out.stat().st_ino == stat.st_ino
    assert index_path(out).is_file()
    assert [s.to_json() for s in again.statements] == [s.to_json() for s in first.statements]


@pytest.mark.parametrize("edit", ["stale", "changed", "extra", "removed"])
def test_a_rerun_into_a_file_that_differs_merges_as_before(tmp_path, edit):
    from dataclasses import replace

    from stancebench import store
    from stancebench.corpus.extract import extract_corpus, merge_statements

    project = _clean_corpus(tmp_path)
    fresh = extract_corpus(project).statements
    out = project.statements_path
    stored = list(fresh)
    if edit == "stale":
        stored[0] = replace(stored[0], is_stale=True)
    elif edit == "changed":
        stored[0] = replace(stored[0], speaker="Someone Else")
    elif edit == "extra":
        stored.append(replace(stored[0], id="ffffffffffffffff", article_id="zz_gone"))
    else:
        stored = stored[1:]
    store.write_statements_atomic(out, stored)
    again = extract_corpus(project)
    want, counts = merge_statements(stored, fresh)
    assert [s.to_json() for s in again.statements] == [s.to_json() for s in want]
    assert (again.new, again.updated, again.unchanged, again.stale) == (
        counts["new"], counts["updated"], counts["unchanged"], counts["stale"]) != (0, 0, len(fresh), 0)
    assert out.read_bytes() == b"".join(s.to_json().encode() + b"\n" for s in want)
