"""An OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp, Ollama, hosted APIs) as a model.

Each statement becomes one prompt built from the codebook's label definitions; the answer is
parsed leniently ("Label: Support." -> support). An answer that names no label, or more than
one, is counted as a missing prediction and named in a warning (`ChatModel.warnings_`);
transport failures are errors. Uses only the standard library's HTTP client.

Requests run on `concurrency` threads, retry 429 and 5xx answers with exponential backoff
(honouring `Retry-After`), and every answer is cached on disk under
sha256(endpoint, model, messages, temperature), so re-running an evaluation costs nothing.
The API key is read from an environment variable and never written anywhere.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import os
import random
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from stancebench import codebook
from stancebench.errors import StancebenchError

__all__ = [
    "ChatModel", "SYSTEM_PROMPT", "GENERIC_SYSTEM_PROMPT", "system_prompt_for", "build_messages", "parse_label",
    "default_cache_dir", "PROMPT_VERSION",
]

PROMPT_VERSION = 2  # 2: label definitions from stancebench.codebook
#: Instructions for statements on the bundled target, and for any other target (`stancebench init` corpora).
SYSTEM_PROMPT = codebook.system_prompt(codebook.TARGET_ID)
GENERIC_SYSTEM_PROMPT = codebook.system_prompt("any-other-target")


def system_prompt_for(example: Mapping[str, Any]) -> str:
    """The codebook prompt for the statement's target: specific for the bundled target, general otherwise."""
    return codebook.system_prompt(example.get("target_id"))


_WORD = re.compile(r"[a-z_]+")
_STEMS = {"support": "support", "oppos": "oppose", "hedg": "hedge"}


def build_messages(
    example: Mapping[str, Any], target: str = codebook.TARGET, system_prompt: str | None = None
) -> list[dict[str, str]]:
    """The chat messages for one statement: codebook as system prompt, the item as user prompt."""
    speaker = str(example.get("speaker") or "unknown")
    extra = ", ".join(str(example[k]) for k in ("speaker_role", "speaker_affiliation") if example.get(k))
    if extra:
        speaker = f"{speaker} ({extra})"
    lines = [
        f"Target: {example.get('target') or target}",
        f"Speaker: {speaker}",
    ]
    if example.get("context"):
        lines.append(f"Context: {example['context']}")
    lines.append(f"Statement: {example.get('text') or ''}")
    lines.append("Stance of the statement toward the target (support, oppose or hedge):")
    system = system_prompt if system_prompt is not None else system_prompt_for(example)
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


def parse_label(answer: str | None) -> str | None:
    """The label an answer names, or None: the first word if it is a label, else the only label named.

    Case and extra words are tolerated ("Label: Support." and "I'd say SUPPORTS" give support);
    an answer naming two different labels and not starting with one is None.
    """
    if not answer:
        return None
    words = _WORD.findall(answer.lower())
    if words and words[0] in ("label", "stance", "answer"):
        words = words[1:]

    def label_of(word: str) -> str | None:
        for stem, label in _STEMS.items():
            if word.startswith(stem):
                return label
        return None

    if words and (first := label_of(words[0])) is not None:
        return first
    found = {label for word in words if (label := label_of(word)) is not None}
    return found.pop() if len(found) == 1 else None


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/stancebench/chat`, else `~/.cache/stancebench/chat`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stancebench" / "chat"


def _completions_url(endpoint: str) -> str:
    url = endpoint.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


class ChatModel:
    """A model backed by a chat endpoint; `predict` returns a label or None per example."""

    #: eval hands over every item in one predict() call; this model shows its own per-request bar.
    predict_batch_size = None

    def __init__(self, endpoint: str, model_name: str, *, api_key_env: str = "OPENAI_API_KEY",
                 temperature: float = 0.0, max_tokens: int = 8, concurrency: int = 4, timeout: float = 60.0,
                 max_retries: int = 5, backoff: float = 1.0, max_backoff: float = 60.0,
                 cache_dir: str | Path | None = None, use_cache: bool = True, target: str = codebook.TARGET,
                 system_prompt: str | None = None) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StancebenchError(f"--endpoint {endpoint!r} must be an http:// or https:// URL")
        if not model_name:
            raise StancebenchError("--endpoint needs --model-name (the model the server should run)")
        self.endpoint = endpoint
        self.model_name = model_name
        self.api_key_env = api_key_env
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.use_cache = use_cache
        self.target = target
        self.system_prompt = system_prompt
        self.url_ = _completions_url(endpoint)
        self.warnings_: list[str] = []
        self.requests_ = 0
        self.cache_hits_ = 0
        self._lock = threading.Lock()

    def describe(self) -> dict[str, Any]:
        """Report descriptor (never the API key)."""
        return {"type": "chat", "endpoint": self.url_, "model_name": self.model_name, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "prompt_version": PROMPT_VERSION,
                "system_prompt_sha256": hashlib.sha256((self.system_prompt or SYSTEM_PROMPT).encode()).hexdigest()[:16],
                "system_prompt": "custom" if self.system_prompt is not None else "codebook (per target)"}

    # -- cache ------------------------------------------------------------------------------

    def _key(self, messages: list[dict[str, str]]) -> str:
        blob = json.dumps([self.url_, self.model_name, messages, self.temperature], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cached(self, key: str) -> str | None:
        if not self.use_cache:
            return None
        try:
            data = json.loads(self._cache_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data.get("content") if isinstance(data, dict) and isinstance(data.get("content"), str) else None

    def _store(self, key: str, content: str) -> None:
        if not self.use_cache:
            return
        from stancebench.store import write_text_atomic

        record = {"endpoint": self.url_, "model": self.model_name, "temperature": self.temperature, "content": content}
        # A cache that cannot be written only costs a re-request next time.
        with contextlib.suppress(OSError):
            write_text_atomic(self._cache_path(key), json.dumps(record, ensure_ascii=False))

    # -- transport ------------------------------------------------------------------------------

    def _post(self, messages: list[dict[str, str]], item: str) -> str:
        body = json.dumps({"model": self.model_name, "messages": messages, "temperature": self.temperature,
                           "max_tokens": self.max_tokens}).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(self.url_, data=body, headers=headers, method="POST")
            with self._lock:
                self.requests_ += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    payload = response.read()
                return self._content(payload, item)
            except urllib.error.HTTPError as err:
                status = err.code
                wait_for = _retry_after(err.headers.get("Retry-After") if err.headers else None)
                err.close()
                if status != 429 and status < 500:
                    hint = f" (is ${self.api_key_env} set?)" if status in (401, 403) else ""
                    raise StancebenchError(f"endpoint {self.url_} answered HTTP {status} for item {item!r}{hint}") from None
                if attempt == self.max_retries:
                    raise StancebenchError(
                        f"endpoint {self.url_} answered HTTP {status} for item {item!r} after {attempt + 1} attempts"
                    ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as err:
                reason = getattr(err, "reason", err)
                if attempt == self.max_retries or isinstance(reason, ConnectionRefusedError):
                    raise StancebenchError(f"cannot reach endpoint {self.url_}: {_reason(reason)}") from None
                wait_for = None
            delay = self.backoff * 2**attempt * (0.5 + random.random() / 2) if wait_for is None else wait_for
            time.sleep(min(delay, self.max_backoff))
        raise AssertionError("unreachable")  # pragma: no cover

    def _content(self, payload: bytes, item: str) -> str:
        try:
            data = json.loads(payload)
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            snippet = payload[:60].decode("utf-8", "replace").replace("\n", " ")
            raise StancebenchError(
                f"endpoint {self.url_} sent a response for item {item!r} that is not a chat completion: {snippet!r}"
            ) from None
        return content if isinstance(content, str) else ""

    # -- model interface --------------------------------------------------------------------------

    def answer(self, example: Mapping[str, Any]) -> str:
        """The raw answer text for one example (from the cache when possible)."""
        messages = build_messages(example, self.target, self.system_prompt)
        key = self._key(messages)
        cached = self._cached(key)
        if cached is not None:
            with self._lock:
                self.cache_hits_ += 1
            return cached
        content = self._post(messages, str(example.get("id")))
        self._store(key, content)
        return content

    def predict(self, examples: Sequence[Mapping[str, Any]]) -> list[str | None]:
        """A label per example; None (with a warning naming the item) when the answer names no label."""
        from stancebench.progress import track

        answers: list[str | None] = [None] * len(examples)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = {pool.submit(self.answer, example): i for i, example in enumerate(examples)}
            try:
                for future in track(as_completed(futures), f"asking {self.model_name}", total=len(futures)):
                    answers[futures[future]] = future.result()  # the first failure stops the rest
            except BaseException:
                for other in futures:
                    other.cancel()
                raise
        labels: list[str | None] = []
        for example, answer in zip(examples, answers, strict=True):
            label = parse_label(answer)
            if label is None:
                shown = (answer or "").strip().replace("\n", " ")[:60]
                item = example.get("id")
                self.warnings_.append(f"endpoint answer for item {item!r} names no label: {shown!r} (counted as missing)")
            labels.append(label)
        return labels


def _reason(reason: Any) -> str:
    if isinstance(reason, BaseException):
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return str(text).splitlines()[0]
    return str(reason).splitlines()[0]
