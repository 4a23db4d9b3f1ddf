"""Every parser, fed random and malformed input, either parses or raises a one-line StancebenchError.

No other exception may escape a parser, and the CLI never prints a traceback for bad input.
Inputs are random bytes, random text, and structurally plausible records with fields of the
wrong type, missing, or out of range (the cases a hand-edited file produces).
"""

from __future__ import annotations

import io
import json
import os
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancebench import logs, project, store
from stancebench.annotation.labelling import read_label_rows
from stancebench.cli import cli
from stancebench.corpus import articles
from stancebench.errors import InputError, StancebenchError
from stancebench.evaluation import predictions as adapters
from stancebench.evaluation import report
from stancebench.evaluation.gold import load_gold
from stancebench.schema import LabelEvent, Statement

# STANCEBENCH_FUZZ_EXAMPLES=2000 for a longer hunt; the default keeps the whole file under ~20 s.
EXAMPLES = int(os.environ.get("STANCEBENCH_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLI_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- input strategies ------------------------------------------------------------------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
names = st.text(alphabet=string.ascii_letters + string.digits + "_-. ", min_size=0, max_size=12)
scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | text
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                           max_leaves=8)

STATEMENT_FIELDS = ("id", "article_id", "speaker", "text", "context", "start", "end", "quote_type", "target_id",
                    "speaker_role", "speaker_affiliation", "cue", "is_stale")
EVENT_FIELDS = ("statement_id", "annotator", "label", "timestamp", "guidelines_version", "note", "is_retraction",
                "schema_version")
GOLD_FIELDS = ("statement_id", "label", "method", "annotations", "notes", "adjudicator", "target_id")
PLAUSIBLE = {
    "id": st.sampled_from(["s1", "s2", ""]), "statement_id": st.sampled_from(["s1", "s2", ""]),
    "label": st.sampled_from(["support", "oppose", "hedge", "off_target", "maybe", "SUPPORT", "0", ""]),
    "quote_type": st.sampled_from(["direct", "indirect", "quoted"]),
    "method": st.sampled_from(["single", "unanimous", "majority", "adjudicated", "vote"]),
    "start": st.integers(-3, 30), "end": st.integers(-3, 30),
    "annotator": st.sampled_from(["alice", "bob", "../x", ""]),
    "is_stale": st.booleans(), "is_retraction": st.booleans(), "schema_version": st.integers(-1, 3),
    "annotations": st.dictionaries(st.sampled_from(["alice", "bob"]), st.sampled_from(["support", "maybe", 3])),
}


def records(fields: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts over a record's field names (plus strays), each value plausible or of any JSON type."""
    value_for = {name: (PLAUSIBLE[name] | json_values) if name in PLAUSIBLE else (text | json_values) for name in fields}
    return st.fixed_dictionaries({}, optional={**value_for, "stray": json_values})


def jsonl_bytes(fields: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    """A JSONL file: plausible records, broken lines, blank lines, a torn tail, or plain garbage."""
    line = (
        records(fields).map(lambda r: json.dumps(r, ensure_ascii=False))
        | json_values.map(json.dumps)
        | text
        | records(fields).map(lambda r: json.dumps(r)[: len(json.dumps(r)) // 2])
    )
    structured = st.tuples(st.lists(line, max_size=6), st.booleans()).map(
        lambda parts: ("\n".join(parts[0]) + ("\n" if parts[1] else "")).encode("utf-8", "surrogatepass")
    )
    return structured | st.binary(max_size=300)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def parses_or_fails_cleanly(parse: Callable[[], Any]) -> None:
    """Call a parser: it may succeed, or raise a StancebenchError with a one-line message; nothing else."""
    try:
        parse()
    except StancebenchError as err:
        message = str(err)
        assert message.strip(), "empty error message"
        assert "\n" not in message and "\r" not in message, f"multi-line message: {message!r}"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("robustness")


# --- parsers ---------------------------------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=400) | text.map(lambda t: t.encode("utf-8")) | st.sampled_from([
    b"---\ntitle: x\n", b"---\n---\n", b"---\nnot a pair\n---\nbody\n", b"\xef\xbb\xbf\r\n\r\n", b"\x00abc",
    b"---\ntitle: T\n---\n   \n", b"# \n", b"Title\r\rbody",
]), suffix=st.sampled_from([".txt", ".md"]))
def test_read_article_on_random_bytes(work: Path, data: bytes, suffix: str):
    path = write(work / "seeds" / f"article{suffix}", data)
    parses_or_fails_cleanly(lambda: articles.read_article(path))
    parses_or_fails_cleanly(lambda: articles.read_source(path))


@SETTINGS
@given(data=jsonl_bytes(STATEMENT_FIELDS))
def test_read_statements(work: Path, data: bytes):
    path = write(work / "statements.jsonl", data)
    parses_or_fails_cleanly(lambda: store.read_statements(path))


@SETTINGS
@given(data=jsonl_bytes(EVENT_FIELDS), annotator=st.sampled_from([None, "alice"]))
def test_read_label_log(work: Path, data: bytes, annotator: str | None):
    path = write(work / "labels" / "alice.jsonl", data)
    parses_or_fails_cleanly(lambda: logs.read_label_log(path, annotator=annotator, problems=[]))
    parses_or_fails_cleanly(lambda: logs.read_label_logs(path.parent, problems=[]))


@SETTINGS
@given(data=jsonl_bytes(GOLD_FIELDS))
def test_read_gold(work: Path, data: bytes):
    path = write(work / "gold.jsonl", data)
    parses_or_fails_cleanly(lambda: store.read_gold(path))


PREDICTION_FIELDS = ("id", "label", "text", "split")


def csv_bytes() -> st.SearchStrategy[bytes]:
    cell = st.sampled_from(["s1", "s2", "support", "oppose", "maybe", "", '"', '"a,b"', "1", "3", "-1"]) | names
    row = st.lists(cell, min_size=0, max_size=4).map(",".join)
    header = st.sampled_from(["id,label", "id,label,text", "label", "id", "id,id", " id , label ", ""])
    return (
        st.tuples(header, st.lists(row, max_size=5)).map(lambda p: "\n".join([p[0], *p[1]]).encode("utf-8"))
        | text.map(lambda t: t.encode("utf-8"))
        | st.binary(max_size=200)
    )


@SETTINGS
@given(data=jsonl_bytes(PREDICTION_FIELDS) | json_values.map(lambda v: json.dumps(v).encode()), suffix=st.sampled_from(
    [".jsonl", ".json", ".ndjson"]))
def test_read_predictions_jsonl(work: Path, data: bytes, suffix: str):
    path = write(work / f"preds{suffix}", data)
    parses_or_fails_cleanly(lambda: adapters.read_predictions(path))
    parses_or_fails_cleanly(lambda: load_gold(gold_file=path))


@SETTINGS
@given(data=csv_bytes(), suffix=st.sampled_from([".csv", ".tsv"]))
def test_read_predictions_csv(work: Path, data: bytes, suffix: str):
    path = write(work / f"preds{suffix}", data)
    parses_or_fails_cleanly(lambda: adapters.read_predictions(path))
    parses_or_fails_cleanly(lambda: load_gold(gold_file=path))
    parses_or_fails_cleanly(lambda: read_label_rows(path))


column_values = st.sampled_from([
    ["s1", "s2"], [1, 2], [None, "s2"], [1.5, None], [True, False], [["a"], []], [{"x": 1}, {"x": 2}],
    ["support", "oppose"], ["SUPPORT", "maybe"], [0, 7], [None, None], [b"s1", b"s2"],
])


def _parquet(columns: dict[str, list]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns) if columns else pa.table({"x": pa.array([], pa.int8())}), buffer)
    return buffer.getvalue()


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["id", "label", "text", "split", "speaker"]), column_values, max_size=4).map(
    _parquet) | st.binary(max_size=300) | st.just(b"PAR1\x00\x00PAR1"), cut=st.integers(0, 2))
def test_read_predictions_parquet(work: Path, data: bytes, cut: int):
    if cut == 1:  # a truncated file, as a killed writer leaves it
        data = data[: len(data) // 2]
    path = write(work / "preds.parquet", data)
    parses_or_fails_cleanly(lambda: adapters.read_predictions(path))
    parses_or_fails_cleanly(lambda: load_gold(gold_file=path))


REPORT = {
    "schema_version": 1, "dataset": {"content_hash": "sha256:x", "name": "d"},
    "headline": {"accuracy": {"value": 1.0, "ci_low": 1.0, "ci_high": 1.0}},
    "confusion_matrix": {"counts": [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]},
    "predictions": [{"id": "s1", "gold": "support", "pred": "support"}],
}


def _mutate(doc: Any, path: list[str], value: Any) -> Any:
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key] if isinstance(node, dict) and key in node else None
        if node is None:
            return doc
    if isinstance(node, dict):
        node[path[-1]] = value
    return doc


report_paths = st.sampled_from([
    ["schema_version"], ["dataset"], ["dataset", "content_hash"], ["headline"], ["headline", "accuracy"],
    ["headline", "accuracy", "value"], ["confusion_matrix"], ["confusion_matrix", "counts"], ["predictions"],
    ["model"], ["options"], ["timings"], ["warnings"], ["coverage"],
])


@SETTINGS
@given(data=(
    st.tuples(report_paths, json_values | st.sampled_from([[{"id": 1}], [{"id": "s", "gold": "x", "pred": None}], [None]])).map(
        lambda m: json.dumps(_mutate(REPORT, m[0], m[1])).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200)
))
def test_load_report(work: Path, data: bytes):
    path = write(work / "report.json", data)
    parses_or_fails_cleanly(lambda: report.load_report(path))


toml_keys = st.sampled_from(["name", "target_id", "target", "labels", "release_dir", "version", "", "a.b", '"q"'])
toml_values = st.sampled_from([
    '"x"', '""', "1", "true", '["support"]', '["support", "maybe"]', "[]", "[1, 2]", '{a = 1}', "1979-05-27",
    '"""multi\nline"""', "'lit'", "nan", "inf", '"bad \\q escape"', "[", '"unterminated', "", "= =",
])
toml_line = (
    st.sampled_from(["[corpus]", "[[corpus]]", "[release]", "[targets]", "[corpus.sub]", "corpus = 1", "# c", "", "["])
    | st.tuples(toml_keys, toml_values).map(lambda kv: f"{kv[0]} = {kv[1]}")
    | text
)


@SETTINGS
@given(data=st.lists(toml_line, max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
       | st.binary(max_size=200))
def test_load_project(work: Path, data: bytes):
    folder = work / "corpus"
    write(folder / project.CONFIG_NAME, data)
    parses_or_fails_cleanly(lambda: project.load_project(folder))


# --- the CLI never shows a traceback for bad input ------------------------------------------------


def _corpus(root: Path) -> Path:
    """A small valid corpus: two statements, alice's labels, gold."""
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "annotations" / "labels").mkdir(parents=True, exist_ok=True)
    (root / "stancebench.toml").write_text('[corpus]\ntarget_id = "t"\ntarget = "T"\n', encoding="utf-8")
    statements = [
        Statement(id=f"s{i}", article_id="a", speaker=f"P{i}", text="x", context="x", start=0, end=1,
                  quote_type="direct", target_id="t")
        for i in (1, 2)
    ]
    (root / "annotations" / "statements.jsonl").write_text("".join(s.to_json() + "\n" for s in statements), "utf-8")
    event = LabelEvent(statement_id="s1", annotator="alice", label="support", timestamp="t", guidelines_version="1")
    (root / "annotations" / "labels" / "alice.jsonl").write_text(event.to_json() + "\n", encoding="utf-8")
    return root


# (file the garbage replaces, command line); {file} is the garbage file's path.
CLI_CASES = [
    ("annotations/statements.jsonl", ["status"]),
    ("annotations/statements.jsonl", ["agreement"]),
    ("annotations/statements.jsonl", ["extract"]),
    ("annotations/labels/alice.jsonl", ["agreement"]),
    ("annotations/labels/alice.jsonl", ["adjudicate"]),
    ("annotations/gold.jsonl", ["build"]),
    ("stancebench.toml", ["status"]),
    ("labels.csv", ["import-labels", "{file}", "--annotator", "bob"]),
    ("preds.jsonl", ["eval", "--predictions", "{file}"]),
    ("preds.csv", ["eval", "--predictions", "{file}"]),
    ("preds.parquet", ["eval", "--predictions", "{file}"]),
    ("report.json", ["compare", "{file}", "{file}"]),
    ("seeds/bad.txt", ["extract"]),
]


@pytest.mark.parametrize(("target", "command"), CLI_CASES, ids=[f"{c[1][0]}:{Path(c[0]).name}" for c in CLI_CASES])
@CLI_SETTINGS
@given(garbage=st.binary(min_size=1, max_size=120).filter(lambda b: b.strip()) | jsonl_bytes(STATEMENT_FIELDS + ("label",)))
def test_cli_never_prints_a_traceback(tmp_path_factory, target: str, command: list[str], garbage: bytes):
    root = _corpus(tmp_path_factory.mktemp("cli"))
    write(root / target, garbage)
    args = ["--root", str(root), *(part.replace("{file}", str(root / target)) for part in command)]
    result = CliRunner().invoke(cli, args)
    # CliRunner turns an escaped exception into exit code 1 too, so check what ended the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args} raised {type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert result.exit_code == 1, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, result.output


# --- what the generated inputs found, pinned as examples --------------------------------------------


def test_jsonl_predictions_starting_with_null_do_not_crash_the_process(tmp_path: Path):
    # pyarrow 26's JSON reader dies with SIGSEGV on a first line `null`; run it in a child process
    # so that a regression fails this test instead of killing the test run.
    import subprocess
    import sys

    path = write(tmp_path / "preds.jsonl", b'null\n{"id": "s1", "label": "support"}\n')
    code = (
        "import sys\nfrom stancebench.evaluation.predictions import read_predictions\n"
        "from stancebench.errors import StancebenchError\n"
        "try:\n    read_predictions(sys.argv[1])\nexcept StancebenchError as err:\n    print(err)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{path}:1: expected a JSON object"


def test_csv_with_a_lone_carriage_return_in_the_header(tmp_path: Path):
    path = write(tmp_path / "preds.csv", b"\xc2\x80\r\x00")
    with pytest.raises(StancebenchError, match="missing column 'id'"):
        adapters.read_predictions(path)


def test_label_file_with_a_field_over_the_csv_size_limit(tmp_path: Path):
    path = write(tmp_path / "labels.csv", b"statement_id,label\ns1," + b"x" * 200_000 + b"\n")
    with pytest.raises(StancebenchError, match=r"labels\.csv:\d+: not valid CSV \(field larger than field limit"):
        read_label_rows(path)


def test_predictions_csv_error_message_stays_short(tmp_path: Path):
    path = write(tmp_path / "preds.csv", b"id,label\ns1,support," + b"x" * 200_000 + b"\n")
    with pytest.raises(StancebenchError) as caught:
        adapters.read_predictions(path)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize("shape", ["array", "lines"])
def test_json_array_with_a_64_bit_overflow_is_one_line(tmp_path, shape):
    from stancebench.evaluation.predictions import read_predictions

    big = 2**63  # one past int64: pyarrow reads it as a float, so an id must not go through pyarrow's types

    def write_rows(*rows: str) -> Path:
        path = tmp_path / f"preds_{shape}.jsonl"
        path.write_text("[" + ",\n".join(rows) + "]" if shape == "array" else "\n".join(rows) + "\n", encoding="utf-8")
        return path

    path = write_rows(f'{{"id": {big}, "label": "support"}}', '{"id": 7, "label": "oppose"}')
    assert read_predictions(path).ids.to_pylist() == [str(big), "7"]  # exact, not '9.223372036854776e+18'
    for rows in ([f'{{"id": "a", "label": {big}}}'], [f'{{"": {big}}}'], [f'{{"id": 1, "label": "support", "x": {big}}}']):
        try:
            read_predictions(write_rows(*rows))
        except InputError as err:
            assert "\n" not in str(err) and str(err).startswith(str(tmp_path))
    with pytest.raises(InputError, match="a number too large for a 64-bit column"):
        from stancebench.evaluation.json_array import table_from_rows

        table_from_rows([{"id": "a", "x": big}], tmp_path / "p.jsonl")
