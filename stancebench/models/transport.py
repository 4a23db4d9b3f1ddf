"""POSTing JSON to an endpoint that may misbehave: deadlines, retries, a shared throttle, Ctrl-C.

What each failure gets:

| failure | what happens |
| --- | --- |
| DNS failure, connection refused | `EndpointDown` at once (one line): nothing is listening, retrying only costs time |
| HTTP 4xx other than 429 | `EndpointError` at once (one line; the body is never quoted, it may reflect a secret) |
| HTTP 429 | the shared `Throttle` halves the requests in flight; every thread waits out `Retry-After` or a backoff |
| HTTP 5xx, dropped connection, bad status line, deadline | retried with jittered backoff `max_retries` times, then `GaveUp` |

`timeout` is a total deadline per attempt: a watchdog shuts the socket down when it passes, so a
server trickling a byte a second cannot hold a request. `Transport.stop()` (Ctrl-C) aborts every
request in flight and every wait at once. Only the standard library's `http.client` is used.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import http.client
import random
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from stancebench.errors import StancebenchError

__all__ = ["EndpointError", "EndpointDown", "GaveUp", "Stopped", "Throttle", "Transport", "redact_url", "retry_after"]

#: Largest response body read (a chat completion is a few kB; a misbehaving server may send forever).
MAX_BODY = 8 * 1024 * 1024
_SECRET_PARAMS = ("key", "token", "secret", "password", "auth", "signature", "sig", "credential")


class EndpointError(StancebenchError):
    """The endpoint refused the request in a way retrying cannot fix."""


class EndpointDown(EndpointError):
    """Nothing answers at the endpoint's address (DNS failure, connection refused)."""


class GaveUp(StancebenchError):
    """One request failed `max_retries + 1` times; `reason` says how the last attempt failed."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class Stopped(Exception):
    """The transport was stopped (Ctrl-C) while this request was waiting or in flight."""


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None, throttled: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.wait, self.throttled = reason, wait, throttled


def redact_url(url: str) -> str:
    """The URL with any user:password and secret-looking query values replaced by `***`."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        query = "&".join(f"{k}=***" if any(s in k.lower() for s in _SECRET_PARAMS) else f"{k}={v}" for k, v in pairs)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def retry_after(value: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (a number or an HTTP date), or None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


@dataclass
class Throttle:
    """Requests in flight, shared by every thread: halved on a 429, grown by one after a window of successes.

    `epoch` counts decreases: a 429 to a request sent before the last decrease says nothing new,
    so a burst of 429s from one wave halves the limit once, not once per answer. Growth slows
    near the level last refused (`ceiling`), so the limit settles under it instead of probing it
    every few requests. A second 429 with no success in between pauses every thread (jittered,
    doubling), as does any `Retry-After`.
    """

    limit: int
    backoff: float = 1.0
    max_backoff: float = 60.0
    allowed: float = field(init=False)
    in_flight: int = field(default=0, init=False)
    epoch: int = field(default=0, init=False)
    resume_at: float = field(default=0.0, init=False)
    strikes: int = field(default=0, init=False)
    peak: int = field(default=0, init=False)
    lowest: float = field(init=False)
    ceiling: int = field(init=False)

    def __post_init__(self) -> None:
        self.allowed = float(self.limit)
        self.lowest = self.allowed
        self.ceiling = self.limit + 1
        self._cond = threading.Condition()

    def acquire(self, stop: threading.Event) -> int:
        """Wait for a free slot (and for any shared pause to end); the epoch the request is sent in."""
        with self._cond:
            while True:
                if stop.is_set():
                    raise Stopped
                wait = self.resume_at - time.monotonic()
                if wait <= 0 and self.in_flight < int(self.allowed):
                    self.in_flight += 1
                    self.peak = max(self.peak, self.in_flight)
                    return self.epoch
                self._cond.wait(min(max(wait, 0.0), 0.1) or 0.1)

    def release(self, ok: bool) -> None:
        """A request finished; success grows the limit by 1/limit (one per window of successes)."""
        with self._cond:
            self.in_flight -= 1
            if ok:
                self.strikes = 0
                # Up to just under the level that was refused quickly, past it ten times more slowly.
                step = 1.0 if self.allowed + 1 < self.ceiling else 0.1
                self.allowed = min(float(self.limit), self.allowed + step / max(self.allowed, 1.0))
            self._cond.notify_all()

    def throttled(self, epoch: int, wait: float | None) -> None:
        """A 429: halve the limit (once per epoch) and pause every thread for `wait` or a jittered backoff."""
        with self._cond:
            fresh = epoch == self.epoch
            if fresh:
                self.epoch += 1
                self.ceiling = int(self.allowed)
                self.allowed = max(1.0, float(int(self.allowed) // 2))
                self.lowest = min(self.lowest, self.allowed)
                self.strikes += 1
            if wait is None and fresh and self.strikes > 1:
                # Halving did not help (no success since the last 429): everybody waits, exponentially longer.
                wait = min(self.max_backoff, self.backoff * 2 ** (self.strikes - 2)) * random.uniform(0.5, 1.0)
            if wait is not None:  # a stale 429 without Retry-After only waits for the pause already set
                self.resume_at = max(self.resume_at, time.monotonic() + min(wait, self.max_backoff))
            self._cond.notify_all()


class Transport:
    """POST JSON bodies to one URL with a total deadline per attempt, retries, a throttle and a stop switch."""

    def __init__(self, url: str, *, timeout: float = 60.0, max_retries: int = 5, backoff: float = 1.0,
                 max_backoff: float = 60.0, concurrency: int = 4, rate_limit_retries: int | None = None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StancebenchError(f"endpoint {redact_url(url)!r} must be an http:// or https:// URL with a host")
        self.url, self.shown = url, redact_url(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        try:
            self._port = parts.port or (443 if self._https else 80)
        except ValueError:
            raise StancebenchError(f"endpoint {self.shown!r} has a bad port") from None
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if any(ord(ch) <= 32 or ord(ch) == 127 for ch in self._path):  # http.client refuses it at every attempt
            raise StancebenchError(f"endpoint {self.shown!r} has a blank or a control character in its path "
                                   "(write a space as %20)")
        self._basic = None
        if parts.username is not None:
            user_pass = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self._basic = "Basic " + base64.b64encode(user_pass.encode()).decode()
        self.timeout, self.max_retries = timeout, max_retries
        self.backoff, self.max_backoff = backoff, max_backoff
        # A 429 means "later", not "broken": the throttle slows everyone, so it gets a larger budget.
        self.rate_limit_retries = 4 * max_retries + 4 if rate_limit_retries is None else rate_limit_retries
        self.throttle = Throttle(max(1, concurrency), backoff, max_backoff)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: set[http.client.HTTPConnection] = set()
        self.attempts = 0
        self.retried = 0
        self.fatal: EndpointError | None = None

    # -- stop switch --------------------------------------------------------------------------------

    def stop(self) -> None:
        """Abort every request in flight and every wait (what Ctrl-C calls)."""
        self._stop.set()
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            _shut(connection)

    def _fatal(self, err: EndpointError) -> EndpointError:
        # The first run-ending error stops every other request; callers report it, not their Stopped.
        with self._lock:
            if self.fatal is None:
                self.fatal = err
        self.stop()
        return err

    @property
    def stopped(self) -> bool:
        """Has `stop()` been called?"""
        return self._stop.is_set()

    # -- one request, retried -----------------------------------------------------------------------

    def post(self, body: bytes, headers: Mapping[str, str], item: str) -> bytes:
        """The response body of a 2xx answer; raises EndpointError, GaveUp or Stopped."""
        headers = dict(headers)
        if self._basic and "Authorization" not in headers:
            headers["Authorization"] = self._basic
        failures = throttles = 0
        while True:
            epoch = self.throttle.acquire(self._stop)
            ok = False
            try:
                payload = self._attempt(body, headers, item)
                ok = True
                return payload
            except _Retry as retry:
                if retry.throttled:
                    throttles += 1
                    self.throttle.throttled(epoch, retry.wait)
                    if throttles > self.rate_limit_retries:
                        raise GaveUp(self._gave_up(item, retry.reason, failures + throttles), retry.reason) from None
                    continue
                failures += 1
                if failures > self.max_retries:
                    raise GaveUp(self._gave_up(item, retry.reason, failures + throttles), retry.reason) from None
                delay = retry.wait
                if delay is None:
                    delay = self.backoff * 2 ** (failures - 1) * random.uniform(0.5, 1.0)
                with self._lock:
                    self.retried += 1
            finally:
                self.throttle.release(ok)
            if self._stop.wait(min(delay, self.max_backoff)):
                raise Stopped

    def _gave_up(self, item: str, reason: str, attempts: int) -> str:
        return f"endpoint {self.shown}: {reason} for item {item!r} after {attempts} attempts"

    def _attempt(self, body: bytes, headers: Mapping[str, str], item: str) -> bytes:
        if self._stop.is_set():
            raise Stopped
        with self._lock:
            self.attempts += 1
        connection = (http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout,
                                                  context=ssl.create_default_context())
                      if self._https else http.client.HTTPConnection(self._host, self._port, timeout=self.timeout))
        expired = threading.Event()

        def watchdog() -> None:
            expired.set()
            _shut(connection)

        timer = threading.Timer(self.timeout, watchdog)
        timer.daemon = True
        with self._lock:
            self._open.add(connection)
        timer.start()
        try:
            connection.request("POST", self._path, body=body, headers=dict(headers))
            response = connection.getresponse()
            payload = response.read(MAX_BODY + 1)
            status, wait = response.status, retry_after(response.getheader("Retry-After"))
        except (socket.gaierror, ConnectionRefusedError) as err:
            if self._stop.is_set():
                raise Stopped from None
            what = "cannot resolve host" if isinstance(err, socket.gaierror) else "connection refused by"
            raise self._fatal(EndpointDown(f"cannot reach endpoint {self.shown}: {what} {self._host}:{self._port}")) from None
        except (OSError, http.client.HTTPException) as err:
            if self._stop.is_set():
                raise Stopped from None
            if expired.is_set() or isinstance(err, TimeoutError):
                raise _Retry(f"no complete answer within the {self.timeout:g} s deadline") from None
            raise _Retry(f"connection failed ({_describe(err)})") from None
        finally:
            timer.cancel()
            with self._lock:
                self._open.discard(connection)
            connection.close()
        if expired.is_set():
            raise _Retry(f"no complete answer within the {self.timeout:g} s deadline")
        if len(payload) > MAX_BODY:
            raise self._fatal(EndpointError(f"endpoint {self.shown} sent more than {MAX_BODY} bytes for item {item!r}"))
        if status == 429:
            raise _Retry("HTTP 429 (rate limited)", wait, throttled=True)
        if status >= 500:
            raise _Retry(f"HTTP {status}", wait)
        if status >= 400:
            raise self._fatal(EndpointError(f"endpoint {self.shown} answered HTTP {status} for item {item!r}"))
        if status < 200 or status >= 300:
            raise _Retry(f"HTTP {status}")
        return payload


def _shut(connection: http.client.HTTPConnection) -> None:
    # shutdown() wakes a thread blocked in recv() on this socket; close() alone would not.
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _describe(err: BaseException) -> str:
    if isinstance(err, http.client.BadStatusLine) and not isinstance(err, http.client.RemoteDisconnected):
        return "bad status line"
    text = getattr(err, "strerror", None) or type(err).__name__
    return str(text).splitlines()[0][:80]
