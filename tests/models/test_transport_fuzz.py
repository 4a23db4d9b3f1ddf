"""Hypothesis against a local server that misbehaves at the byte level, one attempt after another.

Each example scripts what the server does to each request (truncated or oversized bodies, wrong
Content-Length, broken chunked encoding, invalid or deeply nested JSON, non-UTF-8, HTML error
pages, resets, slow drips past the deadline, bad status lines, bodies reflecting the request's
Authorization header). Whatever happens: a label or None per item, or one StancebenchError line;
never the API key in any message, warning, sample or cache file; attempts and time bounded.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stancebench.errors import StancebenchError
from stancebench.models import transport
from stancebench.models.chat import ChatModel
from tests.support import make_rows

TOKEN = "sk-fuzz-secret-7f3a9c"
TIMEOUT = 0.4
MAX_RETRIES = 2
SMALL_BODY = 64 * 1024  # transport.MAX_BODY while fuzzing, so "too large" costs little

_OK = json.dumps({"choices": [{"message": {"role": "assistant", "content": "Label: support"}}]}).encode()


class ScriptedServer:
    """Answers request n with `script[min(n, len(script) - 1)]`: (kind, argument).

    Requests are counted per model name, one fresh name per run (`start`): a request a stopped
    run had already sent must not count against (or take a step from) the next one.
    """

    def __init__(self) -> None:
        self.script: list[tuple[str, object]] = [("ok", _OK)]
        self.counts: dict[str, int] = {}
        self.model = ""
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                model = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))["model"]
                with server.lock:
                    n = server.counts.get(model, 0)
                    server.counts[model] = n + 1
                    step = server.script[min(n, len(server.script) - 1)] if model == server.model else ("ok", _OK)
                self.close_connection = True
                with contextlib.suppress(OSError):  # the client hung up (deadline)
                    _act(self, *step)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def start(self, script: list[tuple[str, object]]) -> str:
        """A fresh model name that the next requests are answered (and counted) under."""
        with self.lock:
            self.script, self.model = list(script), f"m{len(self.counts)}-{time.monotonic_ns()}"
        return self.model

    @property
    def requests(self) -> int:
        return self.counts.get(self.model, 0)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Whatever"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _act(handler: BaseHTTPRequestHandler, kind: str, arg) -> None:
    out = handler.wfile
    auth = handler.headers.get("Authorization", "")
    if kind == "ok":
        out.write(_head(200, {"Content-Length": str(len(arg))}) + arg)
    elif kind == "status":  # (status, body, extra headers)
        status, body, extra = arg
        body = body.replace(b"{AUTH}", auth.encode())
        out.write(_head(status, {"Content-Length": str(len(body)), **extra}) + body)
    elif kind == "body200":  # any bytes as a 200 body, Authorization reflected where the body says
        body = arg.replace(b"{AUTH}", auth.encode())
        out.write(_head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}) + body)
    elif kind == "length":  # (declared, actual body): a Content-Length that lies
        declared, body = arg
        out.write(_head(200, {"Content-Length": str(declared)}) + body)
    elif kind == "chunked":  # raw bytes after a chunked header
        out.write(_head(200, {"Transfer-Encoding": "chunked"}) + arg)
    elif kind == "no_length":  # a body until the connection closes
        out.write(_head(200, {}) + arg)
    elif kind == "raw":  # not even a status line
        out.write(arg)
    elif kind == "reset":
        handler.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.request.close()
    elif kind == "drip":  # (bytes per tick, ticks): a byte or so every 50 ms, maybe past the deadline
        step, ticks = arg
        out.write(_head(200, {"Content-Length": str(len(_OK))}))
        for i in range(0, min(len(_OK), step * ticks), step):
            out.write(_OK[i:i + step])
            out.flush()
            time.sleep(0.05)
    elif kind == "hang":  # read the request, then say nothing past the deadline
        time.sleep(TIMEOUT + 0.1)
    elif kind == "huge":  # a 200 body past the size limit
        out.write(_head(200, {"Content-Length": str(arg)}))
        chunk = b"[" * 65536
        for _ in range(0, arg, len(chunk)):
            out.write(chunk)


_HTML = st.sampled_from([b"<html><body><h1>502 Bad Gateway</h1></body></html>", b"", b"{AUTH}",
                         b'{"error": {"message": "invalid key {AUTH}"}}', b"\xff\xfe<html>\x00"])
_RETRY_AFTER = st.sampled_from([{}, {"Retry-After": "0"}, {"Retry-After": "0.01"}, {"Retry-After": "nan"},
                                {"Retry-After": "-5"}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
                                {"Retry-After": "soon"}, {"Retry-After": "1e400"}])
_DEEP = st.integers(500, 200_000).map(lambda n: b'{"choices": ' + b"[" * n + b"]" * n + b"}")
_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"null", b"[]", b"{}", b'{"choices": []}', b'{"choices": [{"message": {}}]}',
                     b'{"choices": [{"message": {"content": 5}}]}', b'{"choices": "x"}',
                     b'{"choices": [{"message": {"content": "you sent {AUTH}"}}]}',
                     b'{"choices": [{"message": {"content": "\xff\xfe support"}}]}',
                     b'\xef\xbb\xbf{"choices": [{"message": {"content": "oppose"}}]}',
                     _OK[: len(_OK) // 2], _OK + b"trailing"]),
    _DEEP,
)
_STEP = st.one_of(
    st.just(("ok", _OK)),
    st.tuples(st.just("status"), st.tuples(st.sampled_from([100, 204, 301, 304, 400, 401, 404, 418, 429, 500, 502, 503, 599]),
                                           _HTML, _RETRY_AFTER)),
    st.tuples(st.just("body200"), _BODIES),
    st.tuples(st.just("length"), st.tuples(st.integers(0, 2 * len(_OK)), st.sampled_from([_OK, _OK[:10], b""]))),
    st.tuples(st.just("chunked"), st.sampled_from([
        b"zz\r\n" + _OK, b"FFFFFFFF\r\n" + _OK, b"5\r\n" + _OK[:5], b"%x\r\n" % len(_OK) + _OK + b"\r\n",
        b"%x\r\n" % len(_OK) + _OK + b"\r\n0\r\n\r\n", b"-1\r\n", b"1;" + b"x" * 70_000 + b"\r\n"])),
    st.tuples(st.just("no_length"), _BODIES),
    st.tuples(st.just("raw"), st.sampled_from([b"", b"garbage\r\n\r\n", b"HTTP/1.1 abc OK\r\n\r\n",
                                              b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
                                              b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70_000 + b"\r\n\r\n",
                                              b"HTTP/1.1 100 Continue\r\n\r\n" * 50])),
    st.just(("reset", None)),
    st.just(("hang", None)),
    st.tuples(st.just("drip"), st.tuples(st.integers(1, 20), st.integers(1, 14))),
    st.tuples(st.just("huge"), st.sampled_from([SMALL_BODY + 1, 4 * SMALL_BODY])),
)


@pytest.fixture(scope="module")
def server():
    running = ScriptedServer()
    yield running
    running.close()


def _leaks(text: str) -> bool:
    return TOKEN in text or TOKEN[3:15] in text


def _run(server, cache, monkeypatch, script, items: int, concurrency: int) -> None:
    monkeypatch.setenv("FUZZ_KEY", TOKEN)
    monkeypatch.setattr(transport, "MAX_BODY", SMALL_BODY)
    model = ChatModel(server.url, server.start(script), api_key_env="FUZZ_KEY", timeout=TIMEOUT, max_retries=MAX_RETRIES,
                      backoff=0.001, max_backoff=0.02, concurrency=concurrency, cache_dir=cache)
    model.transport_.rate_limit_retries = 3
    examples = [{k: v for k, v in row.items() if k != "label"} for row in make_rows(items)]
    started = time.monotonic()
    try:
        labels = model.predict(examples)
    except StancebenchError as err:
        message = str(err)
        event(f"error: {type(err).__name__}")
        assert message and "\n" not in message and len(message) < 600, message
        assert not _leaks(message), message
    else:
        event(f"labels: {sorted(map(str, labels))}")
        assert len(labels) == items and set(labels) <= {"support", "oppose", "hedge", None}
    elapsed = time.monotonic() - started
    attempts = MAX_RETRIES + 1 + model.transport_.rate_limit_retries  # per item
    assert server.requests <= attempts * items
    rounds = -(-items // concurrency)
    assert elapsed < rounds * attempts * (TIMEOUT + 0.3) + 1, f"{elapsed:.1f} s for {server.requests} requests"
    written = json.dumps([model.warnings_, model.samples_, model.describe()], ensure_ascii=False)
    written += "".join(p.read_text(encoding="utf-8", errors="replace") for p in cache.rglob("*") if p.is_file())
    assert not _leaks(written)


_FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.slow
@_FUZZ
@given(script=st.lists(_STEP, min_size=1, max_size=4))
def test_whatever_the_server_does_the_client_ends_in_one_line_without_the_key(server, tmp_path_factory, monkeypatch,
                                                                               script):
    _run(server, tmp_path_factory.mktemp("cache"), monkeypatch, script, items=1, concurrency=1)


@pytest.mark.slow
@settings(_FUZZ, max_examples=40)
@given(script=st.lists(_STEP, min_size=1, max_size=8))
def test_with_threads_every_item_ends_labelled_or_the_run_in_one_line(server, tmp_path_factory, monkeypatch, script):
    _run(server, tmp_path_factory.mktemp("cache"), monkeypatch, script, items=4, concurrency=3)


def test_a_body_past_the_real_limit_is_refused_in_bounded_memory(server, tmp_path, monkeypatch):
    import tracemalloc

    name = server.start([("huge", transport.MAX_BODY * 4)])
    model = ChatModel(server.url, name, timeout=30, max_retries=1, backoff=0.001, concurrency=1,
                      cache_dir=tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(StancebenchError, match="sent more than"):
            model.predict([{"id": "x", "text": "t"}])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert server.requests == 1 and peak < 3 * transport.MAX_BODY


@pytest.mark.parametrize("key", [TOKEN + "\n", TOKEN + "\r", f"{TOKEN[:8]}\n{TOKEN[8:]}", " " + TOKEN + " \t"])
def test_an_api_key_with_a_line_break_is_one_line_without_the_key(server, tmp_path, monkeypatch, key):
    monkeypatch.setenv("FUZZ_KEY", key)
    model = ChatModel(server.url, server.start([("ok", _OK)]), api_key_env="FUZZ_KEY", timeout=5, cache_dir=tmp_path)
    try:
        assert model.predict([{"id": "x", "text": "t"}]) == ["support"]  # blanks around it are dropped
    except StancebenchError as err:
        assert "FUZZ_KEY" in str(err) and not _leaks(str(err)) and "\n" not in str(err)


def test_retry_after_never_raises():
    for value in ("", "nan", "inf", "-inf", "1e400", "Mon, 01 Jan 99999 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                  "Thu, 01 Jan 1970 00:00:00 -0000", "\x00", "9" * 500, "Wed, 21 Oct 2015 07:28:00 +9999"):
        wait = transport.retry_after(value)
        assert wait is None or wait >= 0, (value, wait)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/v1 x?key=sekrit", "http://127.0.0.1:9/v1\x01", "http://h/a\x7fb"])
def test_an_endpoint_path_http_cannot_send_is_refused_at_once(url):
    with pytest.raises(StancebenchError, match="blank or a control character") as caught:
        ChatModel(url, "tiny")
    assert "sekrit" not in str(caught.value)
