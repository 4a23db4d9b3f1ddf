"""The chat endpoint against a misbehaving server on 127.0.0.1: every way a real endpoint fails.

Each scenario is bounded (a few dozen requests, a few seconds) and the server stops with the test.
"""

from __future__ import annotations

import _thread
import base64
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stancebench.errors import StancebenchError
from stancebench.models.chat import ChatModel
from stancebench.models.transport import redact_url, retry_after
from tests.support import make_rows

TOKEN = "sk-reflected-secret-42"


class MisbehavingServer:
    """An OpenAI-style server whose answer to each request is decided by `behave(item, n)`."""

    def __init__(self, behave) -> None:
        self.behave = behave
        self.requests = 0
        self.in_flight = 0
        self.peak = 0
        self.throttled = 0
        self.auth: list[str | None] = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                item = re.search(r"Statement: .*\((\d+)\)", body["messages"][-1]["content"]).group(1)
                with server.lock:
                    server.requests += 1
                    server.in_flight += 1
                    server.peak = max(server.peak, server.in_flight)
                    server.auth.append(self.headers.get("Authorization"))
                    n = server.requests
                try:
                    server.behave(self, item, n)
                except OSError:
                    pass  # the client went away (deadline, Ctrl-C)
                finally:
                    with server.lock:
                        server.in_flight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def answer(handler, status: int = 200, content: str = "support", headers: dict | None = None, body: bytes | None = None):
    payload = body if body is not None else json.dumps({"choices": [{"message": {"content": content}}]}).encode()
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


@pytest.fixture
def serve():
    servers = []

    def start(behave):
        servers.append(MisbehavingServer(behave))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _examples(n: int) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "label"} for r in make_rows(n)]


def _model(server, tmp_path, **options) -> ChatModel:
    options = {"cache_dir": tmp_path / "cache", "backoff": 0.01, "concurrency": 1, **options}
    return ChatModel(server.url, "tiny", **options)


def test_dropped_connections_and_bad_status_lines_are_retried(serve, tmp_path):
    def behave(handler, item, n):
        if n == 1:
            return  # close without a word
        if n == 2:
            handler.wfile.write(b"HTTP/1.1 2OO FINE\r\n\r\n")
            return
        if n == 3:
            handler.wfile.write(b"garbage that is no status line\r\n\r\n")
            return
        answer(handler)

    server = serve(behave)
    model = _model(server, tmp_path)
    assert model.predict(_examples(2)) == ["support", "support"]
    assert server.requests == 5 and model.warnings_ == []


def test_non_numeric_retry_after_is_retried(serve, tmp_path):
    def behave(handler, item, n):
        if n == 1:
            answer(handler, 429, headers={"Retry-After": "soon"}, body=b"{}")
        elif n == 2:
            answer(handler, 503, headers={"Retry-After": "Wed, 99 Foo 20XX"}, body=b"{}")
        else:
            answer(handler)

    server = serve(behave)
    assert _model(server, tmp_path).predict(_examples(1)) == ["support"]
    assert server.requests == 3
    assert retry_after("soon") is None and retry_after("2") == 2.0 and retry_after("Wed, 99 Foo 20XX") is None


def test_connection_refused_fails_fast_in_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = ChatModel(f"http://127.0.0.1:{port}/v1", "tiny", cache_dir=tmp_path, backoff=1.0, max_retries=5)
    start = time.monotonic()
    with pytest.raises(StancebenchError) as err:
        model.predict(_examples(3))
    assert time.monotonic() - start < 2
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    assert str(err.value) == f"cannot reach endpoint {url}: connection refused by 127.0.0.1:{port}"
    assert model.transport_.attempts <= model.concurrency


def test_dns_failure_fails_fast_in_one_line(tmp_path, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    model = ChatModel("http://no-such-host.invalid/v1", "tiny", cache_dir=tmp_path, backoff=1.0, concurrency=1)
    start = time.monotonic()
    with pytest.raises(StancebenchError, match=r"^cannot reach endpoint http://no-such-host.invalid/v1/chat/completions: "
                                               r"cannot resolve host no-such-host.invalid:80$"):
        model.predict(_examples(2))
    assert time.monotonic() - start < 2 and model.transport_.attempts == 1  # the second item is never sent


def test_timeout_is_a_total_deadline_against_a_trickling_server(serve, tmp_path):
    def behave(handler, item, n):
        # A valid answer, one byte every 0.8 s: each read succeeds, the answer never completes in time.
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}":
            if server.closing.wait(0.8):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    server = serve(behave)
    model = _model(server, tmp_path, timeout=2, max_retries=0)
    start = time.monotonic()
    assert model.predict(_examples(1)) == [None]
    elapsed = time.monotonic() - start
    assert 1.9 < elapsed < 3.0
    assert model.warnings_ == [f"endpoint {server.url}/chat/completions: no complete answer within the 2 s deadline for "
                               "item 's000' after 1 attempts (counted as missing; --fail-fast stops the run instead)"]
    assert model.coverage_["n_failed_requests"] == 1


def test_an_item_exhausting_retries_is_missing_unless_fail_fast(serve, tmp_path):
    def behave(handler, item, n):
        if item == "1":
            answer(handler, 500, body=f"internal error; you sent {handler.headers.get('Authorization')}".encode())
        else:
            answer(handler, content="oppose")

    server = serve(behave)
    model = _model(server, tmp_path, max_retries=2)
    assert model.predict(_examples(3)) == ["oppose", None, "oppose"]
    (warning,) = model.warnings_
    assert "HTTP 500 for item 's001' after 3 attempts (counted as missing" in warning
    strict = _model(server, tmp_path / "strict", max_retries=1, fail_fast=True)
    with pytest.raises(StancebenchError, match=r"HTTP 500 for item 's001' after 2 attempts$"):
        strict.predict(_examples(3))


def test_a_reflecting_proxy_never_gets_the_token_into_an_error(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("REFLECT_KEY", TOKEN)

    def behave(handler, item, n):
        echoed = f"you sent: {handler.headers.get('Authorization')}".encode()
        answer(handler, 401 if item == "0" else 200, body=echoed)

    server = serve(behave)
    for n in (1, 2):
        model = _model(server, tmp_path, api_key_env="REFLECT_KEY")
        with pytest.raises(StancebenchError) as err:
            model.predict(_examples(n)[n - 1:])
        assert TOKEN not in str(err.value) and "you sent" not in str(err.value)
    assert server.auth[0] == f"Bearer {TOKEN}"


def test_credentials_in_the_url_are_redacted_everywhere_written(serve, tmp_path):
    server = serve(lambda handler, item, n: answer(handler))
    port = server.url.rsplit(":", 1)[1]
    url = f"http://alice:pa55word@127.0.0.1:{port}?api_key=abc123&mode=x"
    assert redact_url(url) == f"http://***@127.0.0.1:{port}?api_key=***&mode=x"
    model = ChatModel(url, "tiny", cache_dir=tmp_path / "cache")
    assert model.predict(_examples(1)) == ["support"]
    assert server.auth[0] == "Basic " + base64.b64encode(b"alice:pa55word").decode()
    written = json.dumps(model.describe()) + "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert "pa55word" not in written and "abc123" not in written and "alice" not in written
    assert model.describe()["endpoint"] == f"http://***@127.0.0.1:{port}/chat/completions?api_key=***&mode=x"


@pytest.mark.slow
def test_rate_limited_run_with_16_threads_finishes_in_one_go(serve, tmp_path):
    def behave(handler, item, n):
        with server.lock:
            over = server.in_flight > 3
            server.throttled += over
        if over:
            answer(handler, 429, body=b'{"error": "rate limited"}')
            return
        time.sleep(0.05)
        answer(handler, content="hedge")

    server = serve(behave)
    model = _model(server, tmp_path, concurrency=16, backoff=0.05, max_backoff=1.0)
    start = time.monotonic()
    labels = model.predict(_examples(64))
    elapsed = time.monotonic() - start
    assert labels == ["hedge"] * 64 and model.warnings_ == []
    assert model.transport_.throttle.lowest <= 4  # the limit came down to what the server allows
    assert server.throttled < 64  # the throttle kept most requests from being refused
    assert elapsed < 20
    print(f"rate-limited run: 64 items, concurrency 16, server allows 3: {elapsed:.2f} s, "
          f"{server.requests} requests, {server.throttled} answered 429")


def test_ctrl_c_stops_within_a_second_and_keeps_the_cache(serve, tmp_path):
    def behave(handler, item, n):
        if int(item) >= 3:
            server.closing.wait(10)  # hangs until the client goes away or the test ends
            return
        answer(handler, content="oppose")

    server = serve(behave)
    model = _model(server, tmp_path, concurrency=4, timeout=30)
    timer = threading.Timer(0.8, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.predict(_examples(8))
    finally:
        timer.cancel()
    assert time.monotonic() - start < 1.8  # 0.8 s before the interrupt, under a second after it
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 3
    again = _model(server, tmp_path)
    assert again.predict(_examples(3)) == ["oppose"] * 3 and again.cache_hits_ == 3


def test_an_endpoint_failing_every_item_ends_the_run(serve, tmp_path):
    server = serve(lambda handler, item, n: answer(handler, 503, body=b"down"))
    model = _model(server, tmp_path, max_retries=1, concurrency=2)
    start = time.monotonic()
    with pytest.raises(StancebenchError, match=r"HTTP 503 for item .* after 2 attempts; 10 items in a row failed"):
        model.predict(_examples(40))
    assert time.monotonic() - start < 5 and server.requests < 40
