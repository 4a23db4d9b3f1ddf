"""Helpers shared by the tests (fixtures live in conftest.py): corpora, statements, label logs,
release folders, predictions files, a tiny HF model, a scripted chat server and a writer killer."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stancebench import logs, store
from stancebench.schema import STANCE_LABELS, Gold, Statement, gold_content_hash

#: The repository checkout and the tests' hand-made inputs.
REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

TARGET_ID = "lift-ukraine-strike-restrictions"


CONFIG = f"""[corpus]
name = "testcorpus"
target_id = "{TARGET_ID}"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
labels = ["support", "oppose", "hedge", "off_target"]
release_dir = "release"
"""


def normalised_by_the_rules(text: str) -> str:
    """What a statement id hashes, spelt out (the oracle for `normalise_statement_text`'s shortcuts): NFKC, then every
    mark plain, single spaces, casefold."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    for marks, plain in (("“”„«»″", '"'), ("‘’‚‹›′`", "'")):
        for mark in marks:
            text = text.replace(mark, plain)
    return " ".join(text.split()).casefold()


def make_statement(sid: str, text: str = "We must lift the limits.", **overrides) -> Statement:
    """A valid Statement with sensible defaults."""
    fields = {
        "id": sid,
        "article_id": "a1",
        "speaker": "Jane Doe",
        "speaker_role": "Foreign Minister",
        "speaker_affiliation": "Ruritania",
        "text": text,
        "context": text,
        "start": 0,
        "end": len(text),
        "quote_type": "direct",
        "target_id": TARGET_ID,
        "cue": "said",
    }
    fields.update(overrides)
    return Statement(**fields)


def extract_text(text: str, name: str = "article.txt", **kwargs) -> list[Statement]:
    """The statements of an article given as its body text; every span must point at its text."""
    from stancebench.corpus.statements import extract_statements
    from stancebench.schema import Article

    article = Article(id=Path(name).stem, title=text.strip().split("\n", 1)[0], text=text, path=name)
    statements = extract_statements(article, **kwargs)
    for s in statements:
        span = article.text[s.start : s.end]
        assert " ".join(span.replace("“", " ").split()) == " ".join(s.text.replace("“", " ").split()), (span, s.text)
    return statements


def attributions(text: str, name: str = "article.txt", **kwargs) -> list[tuple[str, str, str]]:
    """(speaker, quote_type, text) of each statement `extract_text` finds."""
    return [(s.speaker, s.quote_type, s.text) for s in extract_text(text, name, **kwargs)]


def write_statements(project: Path, statements: list[Statement]) -> Path:
    """Write annotations/statements.jsonl in the corpus."""
    path = project / "annotations" / "statements.jsonl"
    path.write_text("".join(s.to_json() + "\n" for s in statements), encoding="utf-8")
    return path


def write_log(project: Path, annotator: str, *lines: str | dict) -> Path:
    """Append raw lines (strings as given, dicts as JSON) to an annotator's label log."""
    path = project / "annotations" / "labels" / f"{annotator}.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write((json.dumps(line) if isinstance(line, dict) else line) + "\n")
    return path


ARTICLE = "---\ntitle: Allies weigh strikes inside Russia\noutlet: The Daily Test\ndate: 2024-05-29\n---\nBody text.\n"


CYCLE = ("support", "oppose", "hedge")


def write_article(project: Path, name: str = "a1") -> None:
    """A seeds article whose id (the file stem) the test statements point to."""
    (project / "seeds" / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")


def write_gold(project: Path, *records: Gold | str) -> Path:
    """annotations/gold.jsonl from Gold records (or raw lines, as given)."""
    path = project / "annotations" / "gold.jsonl"
    path.write_text("".join((r if isinstance(r, str) else r.to_json()) + "\n" for r in records), encoding="utf-8")
    return path


def gold(sid: str, label: str, **overrides) -> Gold:
    """A single-annotator gold record by the project maintainers."""
    fields = {"statement_id": sid, "label": label, "method": "single", "annotations": {"maintainers": label}}
    fields.update(overrides)
    return Gold(**fields)


def stmt(sid: str, text: str, start: int = 0, **overrides):
    """make_statement with a span that fits the text at `start`."""
    return make_statement(sid, text, start=start, end=start + len(text), **overrides)


def make_corpus(project: Path, speakers: int = 8, per_speaker: int = 3, off_target: int = 2) -> list[str]:
    """An article, speakers × per_speaker on-target statements with gold, plus `off_target` off-target ones."""
    write_article(project)
    statements, records = [], []
    for i in range(speakers * per_speaker):
        sid = f"s{i:03d}"
        statements.append(stmt(sid, f"Statement number {i}.", i * 30, speaker=f"Speaker {i % speakers}"))
        records.append(gold(sid, CYCLE[i % 3]))
    for j in range(off_target):
        sid = f"x{j:03d}"
        statements.append(stmt(sid, f"About the aid package {j}.", 5000 + j * 30, speaker="Speaker 0"))
        records.append(gold(sid, "off_target"))
    write_statements(project, statements)
    write_gold(project, *records)
    return [s.id for s in statements]


SPEAKERS = [
    ("Volodymyr Zelensky", "President", "Ukraine"),
    ("Dmitry Peskov", "Kremlin spokesman", "Russia"),
    ("Antony Blinken", "Secretary of State", "United States"),
    ("David Cameron", "Foreign Secretary", "United Kingdom"),
    ("Jens Stoltenberg", "Secretary General", "NATO"),
    ("Olaf Scholz", "Chancellor", "Germany"),
]
TEXTS = {
    "support": "Ukraine must be able to strike the places it is attacked from.",
    "oppose": "Such strikes would be a dangerous escalation and cross a red line.",
    "hedge": "No decision has been made yet; we keep it under consideration.",
}


def make_rows(n: int, offset: int = 0) -> list[dict]:
    """`n` gold rows in the release schema; labels cycle support, oppose, hedge."""
    rows = []
    for i in range(offset, offset + n):
        label = STANCE_LABELS[i % 3]
        speaker, role, affiliation = SPEAKERS[i % len(SPEAKERS)]
        rows.append({
            "id": f"s{i:03d}",
            "text": f"{TEXTS[label]} ({i})",
            "context": f"Context sentence {i}. {TEXTS[label]}",
            "target": "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia",
            "speaker": speaker,
            "speaker_role": role,
            "speaker_affiliation": affiliation,
            "quote_type": "direct" if i % 2 == 0 else "indirect",
            "article_id": f"a{i // 4}",
            "article_title": f"Article {i // 4}",
            "outlet": "Example News",
            "date": "2024-05-30",
            "label": i % 3,
        })
    return rows


def write_release(folder: Path, splits: dict[str, list[dict]], name: str = "stancebench", version: str = "0.1.0") -> Path:
    """A release folder: release.json and default/<split>.parquet (int ClassLabel labels)."""
    (folder / "default").mkdir(parents=True, exist_ok=True)
    everything = []
    for split, rows in splits.items():
        pq.write_table(pa.Table.from_pylist(rows), folder / "default" / f"{split}.parquet")
        everything.extend(rows)
    triples = [(r["id"], r["text"], STANCE_LABELS[r["label"]]) for r in everything]
    info = {"name": name, "version": version, "content_hash": gold_content_hash(triples),
            "target_id": "lift-ukraine-strike-restrictions", "counts": {s: len(r) for s, r in splits.items()}}
    (folder / "release.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "README.md").write_text("# test release\n", encoding="utf-8")
    return folder


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Rows as JSON lines."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def perfect_predictions(rows: list[dict]) -> list[dict]:
    """Predictions equal to the gold labels, as names."""
    return [{"id": r["id"], "label": STANCE_LABELS[r["label"]]} for r in rows]


class KeywordModel:
    """A tiny model with the stancebench interface: keywords learned in fit()."""

    def __init__(self, default: str = "hedge") -> None:
        self.default = default

    def get_params(self, deep: bool = True) -> dict:
        return {"default": self.default}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, examples, labels):
        self.seen_ = len(examples)
        return self

    def predict(self, examples):
        out = []
        for example in examples:
            text = example["text"].lower()
            out.append("support" if "must be able" in text else "oppose" if "red line" in text else self.default)
        return out


def tiny_hf_model(folder: Path, id2label: dict[int, str], bias: list[float] | None = None) -> Path:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "ukraine", "must", "strike", "escalation", "decision", "the", "speaker"]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]"
    )
    config = transformers.BertConfig(
        vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=128, id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


class ChatServer:
    """A real OpenAI-style server on 127.0.0.1: scripted failures first, then keyword answers."""

    def __init__(self) -> None:
        self.requests = 0
        self.script: list[tuple[int, bytes, dict[str, str]]] = []
        self.garbage_for: set[str] = set()
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests += 1
                    server.headers.append(dict(self.headers))
                    scripted = server.script.pop(0) if server.script else None
                if scripted is not None:
                    status, payload, headers = scripted
                else:
                    status, headers = 200, {}
                    payload = json.dumps({"choices": [{"message": {"role": "assistant",
                                                                   "content": server.answer(body)}}]}).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, body: dict) -> str:
        statement = body["messages"][1]["content"].split("Statement: ", 1)[1].lower()
        if any(f"({item[1:].lstrip('0') or '0'})" in statement for item in self.garbage_for):
            return "I would rather not say."
        if "must be able" in statement:
            return "Label: Support."
        if "red line" in statement:
            return "oppose"
        return "HEDGE"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def read_until(fd: int, needle: bytes, timeout: float = 30.0) -> bytes:
    """Bytes read from a pty's master `fd` until `needle` shows up (or the timeout passes)."""
    import os
    import select
    import time

    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


# ---- sources: web pages, dumps and crawls (tests/corpus/test_sources_*.py, test_dedup.py, test_distributed.py)
WIRE_STORY = (
    "Secretary of State Antony Blinken said on Wednesday that Washington could adapt its position on Ukraine's "
    "use of American weapons against targets inside Russia.\n\n"
    "\"We have not encouraged or enabled strikes outside of Ukraine,\" Blinken told reporters in Chisinau. "
    "\"But as conditions change, we adapt.\"\n\n"
    "Kremlin spokesman Dmitry Peskov warned that such strikes would be a dangerous escalation for the conflict.\n\n"
    "Officials in Kyiv have asked for months for permission to hit the airfields and depots from which Russia "
    "launches its attacks on Kharkiv, and the debate in Washington has grown more urgent since May."
)
_FILLER = str.split(
    "harvest council railway budget museum festival river weather school bridge garden market election "
    "hospital library ferry concert mountain village coffee theatre airport football winter tourism"
)


def other_story(seed: int, words: int = 120) -> str:
    """A story on another subject (no target keywords), different for every seed."""
    import random

    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(_FILLER) for _ in range(12)).capitalize() + "." for _ in range(words // 12)]
    return "The mayor said the town would open a new hall. " + " ".join(sentences)


def html_page(title: str, body: str, *, url: str | None = None, site: str | None = None, date: str | None = None) -> str:
    """A saved news page: navigation and footer around an <article> whose lines are paragraphs."""
    meta = "".join([
        f'<link rel="canonical" href="{url}">' if url else "",
        f'<meta property="og:site_name" content="{site}">' if site else "",
        f'<meta property="article:published_time" content="{date}">' if date else "",
    ])
    paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n") if line.strip())
    return (f"<html><head><title>{title}</title>{meta}</head><body><nav><a href='/'>Home</a> | World | Sport</nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>© Example Media. All rights reserved.</footer>"
            "</body></html>")


def write_warc(path: Path, records: list[dict], *, compress: bool = True) -> Path:
    """A WARC file of response records ({id, uri, body, type='text/html', status='200 OK'}) plus a request."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        for item in records:
            content_type = item.get("type", "text/html; charset=utf-8")
            http = StatusAndHeaders(item.get("status", "200 OK"), [("Content-Type", content_type)], protocol="HTTP/1.1")
            body = item["body"].encode("utf-8") if isinstance(item["body"], str) else item["body"]
            headers = {"WARC-Record-ID": f"<urn:uuid:{item['id']}>"}
            request = writer.create_warc_record(item["uri"], "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                                                warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:req-{item['id']}>"})
            writer.write_record(request)
            writer.write_record(writer.create_warc_record(item["uri"], "response", payload=io.BytesIO(body),
                                                          http_headers=http, warc_headers_dict=headers))
    return path


def truncate(path: Path, keep: float = 0.6) -> Path:
    """Cut a (gzipped) file short, as a broken download leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


# --- killing a writer mid-write (tests/reliability/test_kill_*.py) ------------------------------------


def _kill_child(work: Callable[[Callable[[str], None]], None], pipe: int) -> None:
    """Run in the forked child: `work(say)` until killed; `say` sends one line to the parent."""
    try:
        for module, name in ((logs, "write_all"), (store, "write_bytes_atomic")):  # appends and atomic rewrites
            setattr(module, name, _marked_write(getattr(module, name), pipe))
        work(lambda line: os.write(pipe, line.encode() + b"\n"))
    except BaseException:  # noqa: BLE001 - a child must never return into pytest
        os._exit(3)
    os._exit(0)


def _marked_write(write: Callable, pipe: int) -> Callable:
    def marked(*args: object) -> None:
        os.write(pipe, b"W\n")  # about to write: the parent times its kill from here
        write(*args)
        os.write(pipe, b"D\n")  # written: how long that took tells the parent where "inside" is

    return marked


class KillRound:
    """Fork a writer, kill it at a random point of a write, collect what it acknowledged."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.write_seconds = 0.005  # refined from the writes seen
        self.rounds = self.mid_write = self.acked_total = 0

    def run(self, work: Callable[[Callable[[str], None]], None], max_seconds: float = 20, let_through: int = 2) -> list[str]:
        """One round; returns the lines the child sent before it died (acks and W markers)."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_end)
            _kill_child(work, write_end)
        os.close(write_end)
        lines: list[str] = []
        buffer = b""
        deadline = time.monotonic() + max_seconds
        kill_at: float | None = None
        write_started: float | None = None
        writes_to_let_through = self.rng.randint(0, let_through)  # so some writes are acknowledged first
        while True:
            timeout = max(0.0, (kill_at or deadline) - time.monotonic())
            ready, _, _ = select.select([read_end], [], [], timeout)
            now = time.monotonic()
            if ready:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                buffer += chunk
                *complete, buffer = buffer.split(b"\n")
                for raw in complete:
                    line = raw.decode()
                    lines.append(line)
                    if line == "W":
                        write_started = now
                        if kill_at is None and writes_to_let_through == 0:
                            kill_at = now + self.rng.uniform(0, 1.2 * self.write_seconds)
                        writes_to_let_through -= 1
                    elif line == "D" and write_started is not None:
                        self.write_seconds = 0.7 * self.write_seconds + 0.3 * (now - write_started)
                        write_started = None
            if (kill_at is not None and now >= kill_at) or now >= deadline:
                os.kill(pid, signal.SIGKILL)
                break
        _, status = os.waitpid(pid, 0)
        while chunk := os.read(read_end, 65536):  # acks written before the kill are still in the pipe
            buffer += chunk
        os.close(read_end)
        lines.extend(raw.decode() for raw in buffer.split(b"\n")[:-1] if raw)
        assert os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == 0, f"writer failed (exit {os.WEXITSTATUS(status)})"
        self.rounds += 1
        return [line for line in lines if line not in ("W", "D")]

    def summary(self, what: str, lost: int) -> str:
        text = (f"{what}: rounds {self.rounds} / acknowledged {self.acked_total} / "
                f"landed mid-write {self.mid_write} / lost {lost}")
        print(text)
        return text


# --- kill-test helpers shared by tests/reliability/test_kill_*.py ---------------------------------


def kill_corpus(project: Path, count: int) -> Path:
    """A corpus of `count` statements to label while a writer is being killed."""
    write_statements(project, [make_statement(f"s{i:05d}", text=f"Statement {i} on the strikes.") for i in range(count)])
    return project


def status_works() -> None:
    """`stancebench status` still reads every log after the kills."""
    from click.testing import CliRunner

    from stancebench.cli import cli

    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 0, result.output


def log_events(log: Path) -> list:
    """Every event a label log holds now (none if it does not exist)."""
    return logs.read_label_log(log, problems=[]) if log.exists() else []


def rotate_log(log: Path, limit: int = 24 << 20) -> None:
    """Keep the log small enough to re-read every round (after it was checked)."""
    if log.exists() and log.stat().st_size > limit:
        log.unlink()


def ends_torn(path: Path) -> bool:
    """Did the kill leave an unterminated last line?"""
    return path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")


#: Where `write_mixed_seeds` says each non-text article was published (the release must carry it).
MIXED_SOURCES = {
    "reuters": {"title": "US may allow strikes", "outlet": "Reuters", "date": "2024-05-29",
                "url": "https://www.reuters.com/world/blinken-1"},
    "dpa-42": {"title": "Washington open to strikes", "outlet": "dpa", "date": "2024-05-30", "url": "https://dpa.example/42"},
    "warc": {"title": "Kremlin warns the West", "outlet": "TASS", "date": "2024-05-31", "url": "https://tass.example/1"},
}


def write_mixed_seeds(seeds: Path) -> None:
    """One wire story as a .txt seed, a saved page and a dump row (syndicated copies), plus a WARC page of its own.

    Each non-text source adds a statement only it has (Bruins Slot, Scholz, Peskov in the WARC).
    """
    reuters, dpa, warc = (MIXED_SOURCES[k] for k in ("reuters", "dpa-42", "warc"))
    (seeds / "ap.txt").write_text(f"Blinken says US could let Ukraine hit Russia\n\n{WIRE_STORY}", encoding="utf-8")
    dutch = ("Dutch Foreign Minister Hanke Bruins Slot said the Netherlands would not object to strikes on military "
             "targets in Russia.")
    page = html_page(reuters["title"], f"{WIRE_STORY}\n\n{dutch}", url=reuters["url"], site=reuters["outlet"],
                     date=reuters["date"])
    (seeds / "reuters.html").write_text(page, encoding="utf-8")
    scholz = "German Chancellor Olaf Scholz said Ukraine had every right under international law to defend itself."
    row = {"id": "42", "title": dpa["title"], "text": f"{dpa['title']}\n\n{WIRE_STORY}\n\n{scholz}", "date": dpa["date"],
           "source": dpa["outlet"], "url": dpa["url"]}
    (seeds / "dpa.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    peskov = ("Kremlin spokesman Dmitry Peskov warned on Thursday that any strikes on Russian territory with Western "
              "weapons would draw a response from Moscow, as Ukraine pressed its allies to lift the restrictions. ")
    body = html_page(warc["title"], peskov + other_story(3), url=warc["url"], site=warc["outlet"], date=warc["date"])
    write_warc(seeds / "crawl.warc.gz", [{"id": "0001", "uri": warc["url"], "body": body}])
