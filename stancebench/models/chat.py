"""An OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp, Ollama, hosted APIs) as a model.

Each statement becomes one prompt: the codebook's label definitions as system prompt, the item
through a `PromptTemplate` as user prompt, after `shots` k-shot examples (user/assistant turns)
from the training rows. The answer is parsed leniently ("Label: Support." -> support); an answer
that names no label, or more than one, is a missing prediction, named in a warning and counted
in `coverage_["n_unparsable"]`. `samples_` keeps the exact messages, raw answer and parsed label
of every item (`eval --log-samples`).

Requests go through `stancebench.models.transport` (total deadline per request, retries, a
throttle shared by the `concurrency` threads, Ctrl-C). An item whose request keeps failing is
missing (with a warning) unless `fail_fast`, and `GIVE_UP_IN_A_ROW` such items in a row end the
run; an endpoint that cannot be reached or refuses the request ends it at once, in one line.
Every answer is cached on disk under sha256(endpoint, model, messages, temperature), so
re-running an evaluation costs nothing and an interrupted run keeps what it got. The API key
is read from an environment variable and never written anywhere; credentials in the URL are
redacted wherever the URL is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from stancebench import codebook
from stancebench.errors import StancebenchError, quoted
from stancebench.models.prompts import FewShot, PromptTemplate
from stancebench.models.transport import GaveUp, Stopped, Transport, redact_url

__all__ = [
    "ChatModel", "SYSTEM_PROMPT", "GENERIC_SYSTEM_PROMPT", "system_prompt_for", "build_messages", "parse_label",
    "default_cache_dir", "PROMPT_VERSION",
]

PROMPT_VERSION = 2  # 2: label definitions from stancebench.codebook
#: Instructions for statements on the bundled target, and for any other target (`stancebench init` corpora).
SYSTEM_PROMPT = codebook.system_prompt(codebook.TARGET_ID)
GENERIC_SYSTEM_PROMPT = codebook.system_prompt("any-other-target")
_DEFAULT_TEMPLATE = PromptTemplate()
#: Items in a row whose requests exhaust their retries before the run stops: the endpoint is down, not flaky.
GIVE_UP_IN_A_ROW = 10


def system_prompt_for(example: Mapping[str, Any]) -> str:
    """The codebook prompt for the statement's target: specific for the bundled target, general otherwise."""
    return codebook.system_prompt(example.get("target_id"))


_WORD = re.compile(r"[a-z_]+")
_STEMS = {"support": "support", "oppos": "oppose", "hedg": "hedge"}


def build_messages(
    example: Mapping[str, Any], target: str = codebook.TARGET, system_prompt: str | None = None,
    template: PromptTemplate | None = None, shots: Sequence[tuple[Mapping[str, Any], str]] = (),
) -> list[dict[str, str]]:
    """The chat messages for one statement: codebook as system prompt, k-shot turns, the item as user prompt."""
    template = template or _DEFAULT_TEMPLATE
    system = system_prompt if system_prompt is not None else system_prompt_for(example)
    messages = [{"role": "system", "content": system}]
    for shot, label in shots:
        messages.append({"role": "user", "content": template.render(shot, target)})
        messages.append({"role": "assistant", "content": label})
    messages.append({"role": "user", "content": template.render(example, target)})
    return messages


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
    path = url.split("?", 1)[0]
    if path.endswith("/chat/completions"):
        return url
    head, sep, query = url.partition("?")
    return head + "/chat/completions" + (sep + query if sep else "")


class ChatModel:
    """A model backed by a chat endpoint; `predict` returns a label or None per example."""

    #: eval hands over every item in one predict() call; this model shows its own per-request bar.
    predict_batch_size = None

    def __init__(self, endpoint: str, model_name: str, *, api_key_env: str = "OPENAI_API_KEY",
                 temperature: float = 0.0, max_tokens: int = 8, concurrency: int = 4, timeout: float = 60.0,
                 max_retries: int = 5, backoff: float = 1.0, max_backoff: float = 60.0,
                 cache_dir: str | Path | None = None, use_cache: bool = True, target: str = codebook.TARGET,
                 system_prompt: str | None = None, template: PromptTemplate | None = None, shots: int = 0,
                 seed: int = 0, fail_fast: bool = False) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StancebenchError(f"--endpoint {quoted(redact_url(endpoint))} must be an http:// or https:// URL")
        if not model_name:
            raise StancebenchError("--endpoint needs --model-name (the model the server should run)")
        self.endpoint = redact_url(endpoint)
        self.model_name = model_name
        self.api_key_env = api_key_env
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.max_retries = max_retries
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.use_cache = use_cache
        self.target = target
        self.system_prompt = system_prompt
        self.template = template or _DEFAULT_TEMPLATE
        self.fail_fast = fail_fast
        self.few_shot = FewShot(shots, seed)
        self._url = _completions_url(endpoint)  # may hold credentials: never written, only sent
        self.url_ = redact_url(self._url)
        self.transport_ = Transport(self._url, timeout=timeout, max_retries=max_retries, backoff=backoff,
                                    max_backoff=max_backoff, concurrency=self.concurrency)
        self.warnings_: list[str] = []
        self.samples_: list[dict[str, Any]] = []
        self.coverage_: dict[str, Any] = {}
        self.requests_ = 0
        self.cache_hits_ = 0
        self._gave_up_in_a_row = 0
        self._lock = threading.Lock()

    @property
    def fit(self) -> Any:
        """`fit(examples, labels)` keeps the k-shot pool; None (no fitting) when `shots` is 0."""
        return self.few_shot.fit if self.few_shot.shots else None

    def describe(self) -> dict[str, Any]:
        """Report descriptor (never the API key, never credentials in the URL)."""
        system = self.system_prompt or SYSTEM_PROMPT
        return {"type": "chat", "endpoint": self.url_, "model_name": self.model_name, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "prompt_version": PROMPT_VERSION,
                "system_prompt_sha256": hashlib.sha256(system.encode()).hexdigest()[:16],
                "system_prompt": "custom" if self.system_prompt is not None else "codebook (per target)",
                "prompt_template": self.template.source, "prompt_template_sha256": self.template.sha256,
                "shots": self.few_shot.shots, "timeout": self.timeout, "max_retries": self.max_retries,
                "concurrency": self.concurrency}

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
        key = self._api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        with self._lock:
            self.requests_ += 1
        content = self._content(self.transport_.post(body, headers, item), item)
        # A proxy that reflects the request into the answer must not get the key into warnings, samples or the cache.
        return content.replace(key, "***") if key else content

    def _api_key(self) -> str | None:
        # Blanks around the key (a pasted "sk-...\r") are dropped; one inside it would make http.client
        # raise an error quoting the whole header, key included, so it is refused without being shown.
        key = (os.environ.get(self.api_key_env) or "").strip()
        if any(ch.isspace() or not ch.isprintable() or ord(ch) > 126 for ch in key):
            raise StancebenchError(f"the API key in ${self.api_key_env} holds a blank, a line break or a non-ASCII "
                                   "character; set it to the key alone")
        return key or None

    def _content(self, payload: bytes, item: str) -> str:
        try:
            data = json.loads(payload)
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):  # RecursionError: nested 2,000 deep
            # Never quote the body: a reflecting proxy may echo the request, bearer token included.
            raise StancebenchError(f"endpoint {self.url_} sent a response for item {quoted(item)} that is not a "
                                   f"chat completion ({len(payload)} bytes)") from None
        return content if isinstance(content, str) else ""

    # -- model interface --------------------------------------------------------------------------

    def messages(self, example: Mapping[str, Any]) -> list[dict[str, str]]:
        """The exact messages sent for one example."""
        return build_messages(example, self.target, self.system_prompt, self.template, self.few_shot.draw(example))

    def answer(self, example: Mapping[str, Any]) -> str | None:
        """The raw answer text for one example (from the cache when possible); None when its request gave up."""
        messages = self.messages(example)
        key = self._key(messages)
        cached = self._cached(key)
        if cached is not None:
            with self._lock:
                self.cache_hits_ += 1
            return cached
        item = str(example.get("id"))
        try:
            content = self._post(messages, item)
        except GaveUp as err:
            with self._lock:
                self._gave_up_in_a_row += 1
                broken = self._gave_up_in_a_row >= GIVE_UP_IN_A_ROW
            if self.fail_fast:
                raise
            if broken:
                raise StancebenchError(f"{err}; {GIVE_UP_IN_A_ROW} items in a row failed like this, so the run "
                                       "stops (is the endpoint healthy?)") from None
            with self._lock:
                self.warnings_.append(f"{err} (counted as missing; --fail-fast stops the run instead)")
            return None
        with self._lock:
            self._gave_up_in_a_row = 0
        self._store(key, content)
        return content

    def _answers(self, examples: Sequence[Mapping[str, Any]]) -> list[str | None]:
        from stancebench.progress import track

        answers: list[str | None] = [None] * len(examples)
        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        futures = {pool.submit(self.answer, example): i for i, example in enumerate(examples)}
        pending = set(futures)
        try:
            with contextlib.closing(track(iter(lambda: None, 0), f"asking {self.model_name}", total=len(futures))) as bar:
                while pending:
                    # Short waits keep the main thread responsive to Ctrl-C.
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in done:
                        answers[futures[future]] = future.result()  # a run-ending failure stops the rest
                        next(bar)
        except BaseException:
            self.transport_.stop()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return answers

    def predict(self, examples: Sequence[Mapping[str, Any]]) -> list[str | None]:
        """A label per example; None (with a warning naming the item) when the answer names no label."""
        try:
            answers = self._answers(examples)
        except Stopped:
            if self.transport_.fatal is not None:
                raise self.transport_.fatal from None
            raise KeyboardInterrupt from None
        labels: list[str | None] = []
        unparsable = failed = 0
        for example, answer in zip(examples, answers, strict=True):
            label = parse_label(answer)
            item = example.get("id")
            if answer is None:
                failed += 1
            elif label is None:
                unparsable += 1
                shown = answer.strip().replace("\n", " ")
                self.warnings_.append(f"endpoint answer for item {quoted(item)} names no label: {quoted(shown)} "
                                      "(counted as missing)")
            labels.append(label)
            self.samples_.append({"id": item, "prompt": self.messages(example), "answer": answer, "label": label})
        n = len(examples)
        self.coverage_ = {"n_unparsable": unparsable, "unparsable_rate": unparsable / n if n else 0.0,
                          "n_failed_requests": failed}
        return labels
