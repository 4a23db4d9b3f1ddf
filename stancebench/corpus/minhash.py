"""MinHash signatures of articles and LSH grouping of near-duplicates, in numpy.

`article_signature` is one-permutation MinHash with densification over word 5-shingles hashed
straight from the UTF-8 bytes; `group_near_duplicates` bands the signature matrix with the
band count and width datasketch chooses for the threshold (weighted for recall). datasketch
stays the tests' oracle: its MinHash cost 40% of `extract`'s time per article, its LSH index
held every signature in Python dicts (6.3 GB to group 1M articles), and importing it imports
scipy (0.6-2 s). Measured by benchmarks/sources_bench.py `dedup` and /work/golden/paired.py
--signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

__all__ = ["LSH_WEIGHTS", "NUM_PERM", "SHINGLE_WORDS", "article_signature", "group_near_duplicates", "lsh_bands"]

NUM_PERM = 128
SHINGLE_WORDS = 5

_M64 = (1 << 64) - 1
_U64 = np.uint64
_TRIES = 32  # densification: bins an empty bin tries before it takes the next filled one


def _mix64(x: int) -> int:
    """splitmix64's output for x: fixed constants on every machine (numpy's RNG streams may change between versions)."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


_S30, _S27, _S31 = _U64(30), _U64(27), _U64(31)
_C1, _C2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)


def _finalise(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser in place on uint64 values: a bijection that spreads every input bit over all 64."""
    h ^= h >> _S30
    h *= _C1
    h ^= h >> _S27
    h *= _C2
    h ^= h >> _S31
    return h


_BYTE_BASE = _mix64(1) | 1  # odd, so invertible modulo 2**64: a word's hash can be moved to position 0
_WORD_BASE = _U64(_mix64(2) | 1)
_MAX_CACHED = 1 << 22  # bytes of text whose powers stay cached (64 MB); a longer text computes its own
_powers: list[np.ndarray] = [np.ones(0, _U64), np.ones(0, _U64)]
# Byte -> code: ASCII upper case lowered, str.split()'s ASCII whitespace -> 0 (a separator), NUL -> 65 ("A" is free
# once upper case is lowered) so that it stays a character as str.split() has it.
_CODES = bytes(0 if c in b" \t\n\v\f\r\x1c\x1d\x1e\x1f" else 65 if c == 0 else c + 32 if 65 <= c <= 90 else c
               for c in range(256))
_ASCII = bytes(range(128))
_PLAIN: set[str] = set()  # non-ASCII characters casefold leaves alone that are not whitespace
_SPACES: set[str] = set()
_FOLDED: set[str] = set()


def _geometric(base: int, n: int) -> np.ndarray:
    out = np.full(n, base, dtype=_U64)
    out[0] = 1
    return np.cumprod(out)  # wraps modulo 2**64, as intended


def _byte_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < n (at least)."""
    up, down = _powers
    if len(up) < n:
        size = max(n, min(2 * len(up), _MAX_CACHED), 1 << 14)
        up, down = _geometric(_BYTE_BASE, size), _geometric(pow(_BYTE_BASE, -1, 1 << 64), size)
        if size <= _MAX_CACHED:
            _powers[:] = (up, down)
    return up, down


def _folded_bytes(text: str) -> bytes:
    """UTF-8 of the text, casefolded and with non-ASCII whitespace made spaces when it has such characters."""
    data = text.encode("utf-8", "surrogatepass")
    if text.isascii():
        return data  # the byte table lowers ASCII: casefold() of ASCII text is exactly that
    chars = set(data.translate(None, _ASCII).decode("utf-8", "surrogatepass"))
    if chars <= _PLAIN:
        return data
    for char in chars - _PLAIN - _SPACES - _FOLDED:
        (_SPACES if char.isspace() else _FOLDED if char.casefold() != char else _PLAIN).add(char)
    if chars & _FOLDED:
        text = text.casefold()  # per character, so the rest of the text is as the fast path has it
    for char in chars & _SPACES:
        text = text.replace(char, " ")
    return text.encode("utf-8", "surrogatepass")


def _shingle_hashes(text: str) -> np.ndarray:
    """uint64 hashes of the text's word 5-shingles (one shingle of all its words when it has fewer than five)."""
    codes = np.frombuffer(b"\0" + _folded_bytes(text).translate(_CODES), np.uint8)
    is_char = codes != 0
    starts = (is_char[1:] > is_char[:-1]).nonzero()[0]  # where a word starts in codes[1:], the text's bytes
    if not len(starts):
        return _finalise(np.zeros(1, _U64))
    size = len(codes) - 1
    up, down = _powers if len(_powers[0]) >= size else _byte_powers(size)
    # A word's polynomial hash sum(code_i * BASE**i): separators are 0, so a run from one word's start to the
    # next word's start sums that word alone; BASE**-start moves it to position 0, wherever the word stands.
    words = np.add.reduceat(np.multiply(codes[1:], up[:size]), starts)
    words *= down[starts]
    width = min(SHINGLE_WORDS, len(words))
    count = len(words) - width + 1
    shingles = words[:count].copy()
    for offset in range(1, width):
        shingles *= _WORD_BASE
        shingles += words[offset : offset + count]
    return _finalise(shingles)


@cache
def _bin_starts(num_perm: int) -> np.ndarray:
    """The smallest 64-bit hash of each of `num_perm` bins, then the largest hash (a hash equal to it is left out)."""
    return np.array([-(-k * (1 << 32) // num_perm) << 32 for k in range(num_perm)] + [_M64], dtype=_U64)


@cache
def _borrow_order(num_perm: int) -> np.ndarray:
    """(num_perm, _TRIES) bins an empty bin takes its value from, in order: the same for every text."""
    x = np.arange(num_perm * _TRIES, dtype=_U64) + _U64(_mix64(3))
    return (_finalise(x) % _U64(num_perm)).astype(np.intp).reshape(num_perm, _TRIES)


@cache
def _borrow_lists(num_perm: int) -> list[list[int]]:
    return _borrow_order(num_perm).tolist()


def _densify(values: np.ndarray, empty: np.ndarray, holes: np.ndarray) -> None:
    """Fill empty bins from filled ones (optimal densification, Shrivastava 2017), in place.

    A hole takes the value of the first filled bin of its fixed sequence, or when none of those
    is filled (a text of a few shingles) of the next filled bin, circularly.
    """
    # the common case, a long text with a hole or two: a loop beats a dozen numpy calls
    source = _first_filled_few(empty, holes) if len(holes) <= 8 else _first_filled(empty, holes)
    missed = source < 0
    if np.count_nonzero(missed):
        filled = np.flatnonzero(~empty)
        source[missed] = filled[np.searchsorted(filled, holes[missed]) % len(filled)]
    values[holes] = values[source]


def _first_filled(empty: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """For each hole, the first filled bin of its sequence, or -1."""
    tries = _borrow_order(len(empty))[holes]
    hit = ~empty[tries]
    first = hit.argmax(axis=1) + np.arange(len(holes)) * _TRIES
    return np.where(hit.ravel()[first], tries.ravel()[first], -1)


def _first_filled_few(empty: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """`_first_filled` by a loop."""
    order, is_empty = _borrow_lists(len(empty)), empty.tolist()
    return np.array([next((b for b in order[hole] if not is_empty[b]), -1) for hole in holes.tolist()], dtype=np.intp)


def article_signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray:
    """The MinHash signature (uint32, `num_perm` values) of a text's casefolded word 5-shingles.

    One-permutation hashing with optimal densification: each shingle's 64-bit hash picks one of
    `num_perm` bins by its top bits, a bin keeps the low 32 bits of its smallest hash, and a bin
    no shingle fell in borrows the value of a filled bin chosen by a fixed sequence. The fraction
    of equal positions of two signatures estimates the Jaccard similarity of the shingle sets as
    closely as datasketch's `num_perm` permutations (tests/corpus/test_near_duplicates.py measures
    both), but the values differ from datasketch's: it hashes each shingle string in Python and
    fills a shingles x num_perm matrix (8.5 MB/s on the realistic benchmark corpus), while here
    the words are hashed in numpy straight from the UTF-8 bytes (a polynomial hash modulo 2**64),
    5 word hashes make a shingle's, and one sort fills the bins (55 MB/s, 7.5x). Deterministic
    everywhere: no `hash()`, no RNG. Words are `text.casefold().split()`.
    """
    ordered = _shingle_hashes(text)
    ordered.sort()  # in place, and the array methods below: numpy's function wrappers cost as much as the work here
    # A shingle's bin is its hash's top 32 bits scaled to [0, num_perm): a monotone map, so each bin is a run of the
    # sorted hashes and its smallest hash (a random shingle of the bin, the same one in every text that has it) is
    # the run's first. Its low 32 bits are the value.
    first = ordered.searchsorted(_bin_starts(num_perm))
    values = ordered.take(first[:-1], mode="clip")
    empty = first[:-1] == first[1:]
    holes = empty.nonzero()[0]
    if len(holes):
        _densify(values, empty, holes)
    return values.astype(np.uint32)


def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of n-point Gauss-Legendre quadrature on [-1, 1] (Newton on the Legendre recurrence)."""
    x = np.cos(np.pi * (np.arange(1, n + 1) - 0.25) / (n + 0.5))
    for _ in range(100):
        before, p = np.ones_like(x), x
        for k in range(2, n + 1):
            before, p = p, ((2 * k - 1) * x * p - (k - 1) * before) / k
        slope = n * (x * p - before) / (x * x - 1)
        step = p / slope
        x = x - step
        if np.abs(step).max() < 1e-15:
            break
    return x, 2 / ((1 - x * x) * slope * slope)


@cache
def lsh_bands(threshold: float, num_perm: int = NUM_PERM, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """(bands, rows per band) minimising the weighted false positive + false negative areas, as datasketch's MinHashLSH.

    The areas are integrals of polynomials of degree <= num_perm, so Gauss-Legendre with
    num_perm / 2 + 1 nodes is exact; datasketch integrates the same with scipy (a 0.6-2 s import).
    `weights` are (false positive, false negative), datasketch's `weights`.
    """
    pairs = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=float)
    bands, rows = pairs[:, :1], pairs[:, 1:]
    nodes, node_weights = _gauss_legendre(num_perm // 2 + 1)

    def area(lo: float, hi: float, false_negative: bool) -> np.ndarray:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        found = 1 - (1 - s**rows) ** bands  # the probability that a pair of similarity s shares a band
        return ((1 - found if false_negative else found) * node_weights).sum(axis=1) * (hi - lo) / 2

    error = weights[0] * area(0.0, threshold, False) + weights[1] * area(threshold, 1.0, True)
    b, r = pairs[int(np.argmin(error))]  # the first minimum in datasketch's order (bands, then rows)
    return int(b), int(r)


# A pair LSH misses is a copy lost; a false candidate costs one comparison of two signatures. datasketch's
# default (0.5, 0.5) finds a pair of similarity 0.75 only 66% of the time at threshold 0.7 (14 bands of 9
# rows); these weights give 20 bands of 6 rows: 98% (92% at 0.7, 27% of pairs at 0.5 checked and dropped).
LSH_WEIGHTS = (0.1, 0.9)
_BIG_BUCKET = 8  # past this size a band bucket is not checked pair by pair (`_join_bucket`)
_CHUNK = 1 << 13


def _roots(parent: np.ndarray, items: np.ndarray) -> np.ndarray:
    """The union-find roots of items (parent[i] <= i always, so there are no cycles)."""
    found = parent[items]
    while True:
        up = parent[found]
        if np.array_equal(up, found):
            return found
        found = up


def _flatten(parent: np.ndarray) -> None:
    """Point every item straight at its root, in place."""
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return
        parent[:] = up


def _join(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Union the pairs (a[i], b[i]): each round hooks the larger root of a pair under the smallest root it meets."""
    while len(a):
        ra, rb = _roots(parent, a), _roots(parent, b)
        apart = ra != rb
        a, b, ra, rb = a[apart], b[apart], ra[apart], rb[apart]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))


def _row_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands + 1) uint64: a linear hash of each band of each signature, then of the whole signature."""
    multipliers = _finalise(np.arange(signatures.shape[1], dtype=_U64) + _U64(_mix64(4))) | _U64(1)
    out = np.empty((len(signatures), bands + 1), dtype=_U64)
    for start in range(0, len(signatures), _CHUNK):
        block = signatures[start : start + _CHUNK].astype(_U64) * multipliers  # wraps modulo 2**64
        out[start : start + len(block), :bands] = block[:, : bands * rows].reshape(len(block), bands, rows).sum(axis=2)
        out[start : start + len(block), bands] = block.sum(axis=1)
    return out


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, start, size) of the runs of two or more equal keys in keys[order]."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, len(keys)))
    return order, starts[sizes > 1], sizes[sizes > 1]


def _join_identical(signatures: np.ndarray, keys: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Join each signature to the first one equal to it; returns the indexes of the others (distinct signatures)."""
    order, starts, sizes = _runs(keys)
    repeated = np.ones(len(keys), dtype=bool)
    position = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    head = np.repeat(starts, sizes)
    later = position != head
    position, head = order[position[later]], order[head[later]]
    for start in range(0, len(position), _CHUNK):  # equal keys are equal signatures but for a hash collision
        a, b = position[start : start + _CHUNK], head[start : start + _CHUNK]
        same = (signatures[a] == signatures[b]).all(axis=1)
        parent[a[same]] = b[same]
        repeated[a[same]] = False
    return np.flatnonzero(repeated)


def _small_bucket_pairs(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of members of each bucket (runs in keys[order]), as two index arrays."""
    position = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    after = np.repeat(starts + sizes, sizes) - position - 1  # members after this one in its bucket
    left = np.repeat(position, after)
    right = left + 1 + (np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after))
    return order[left], order[right]


def _join_similar(signatures: np.ndarray, parent: np.ndarray, a: np.ndarray, b: np.ndarray, need: float) -> None:
    """Join the pairs not joined yet whose signatures agree on at least `need` positions."""
    apart = _roots(parent, a) != _roots(parent, b)
    a, b = a[apart], b[apart]
    keep = []
    for start in range(0, len(a), _CHUNK):
        x, y = a[start : start + _CHUNK], b[start : start + _CHUNK]
        keep.append(np.count_nonzero(signatures[x] == signatures[y], axis=1) >= need)
    if keep:
        keep = np.concatenate(keep)
        _join(parent, a[keep], b[keep])


def _join_bucket(signatures: np.ndarray, parent: np.ndarray, members: np.ndarray, need: float) -> None:
    """Join the similar pairs of a big bucket: every member against the first, then those still apart against all.

    A pair of two members now in the first one's group needs no check; every other pair has a
    member still apart, so the groups are those of checking every pair. A bucket of near copies
    (the usual big one) costs one comparison per member, not one per pair.
    """
    rest = members[1:]
    _join_similar(signatures, parent, np.full(len(rest), members[0]), rest, need)
    for member in rest[_roots(parent, rest) != _roots(parent, members[:1])].tolist():
        _join_similar(signatures, parent, np.full(len(rest), member), rest, need)


def group_near_duplicates(ids: Sequence[str], signatures: np.ndarray, threshold: float) -> dict[str, str]:
    """Article id -> canonical article id, for every article in a group of two or more.

    LSH banding in numpy, with the band count and width datasketch chooses for the threshold and
    `LSH_WEIGHTS`: articles whose signatures agree on a whole band are candidates (runs of equal
    band keys once sorted),
    joined when they agree on at least `threshold` of all positions; identical signatures (the
    same page crawled many times) are joined first and only one of them goes on. The same groups
    as datasketch's MinHashLSH with those weights (a test compares them) without its index of
    every signature in Python dicts (6.3 GB for 1M articles against 0.8 GB here).
    """
    signatures = np.ascontiguousarray(signatures, dtype=np.uint32)
    if threshold <= 0 or len(ids) < 2:
        return {}
    bands, rows = lsh_bands(threshold, signatures.shape[1], LSH_WEIGHTS)
    keys = _row_keys(signatures, bands, rows)
    parent = np.arange(len(ids))
    distinct = _join_identical(signatures, keys[:, bands], parent)
    need = threshold * signatures.shape[1]
    for band in range(bands):
        order, starts, sizes = _runs(keys[distinct, band])
        small = sizes <= _BIG_BUCKET
        a, b = _small_bucket_pairs(order, starts[small], sizes[small])
        _join_similar(signatures, parent, distinct[a], distinct[b], need)
        for start, size in zip(starts[~small].tolist(), sizes[~small].tolist(), strict=True):
            _join_bucket(signatures, parent, distinct[order[start : start + size]], need)
        _flatten(parent)  # keeps the next band's root lookups short
    return _canonical(ids, parent)


def _canonical(ids: Sequence[str], roots: np.ndarray) -> dict[str, str]:
    grouped = np.flatnonzero(np.bincount(roots, minlength=len(roots))[roots] > 1)
    smallest: dict[int, str] = {}
    for index, root in zip(grouped.tolist(), roots[grouped].tolist(), strict=True):
        if root not in smallest or ids[index] < smallest[root]:
            smallest[root] = ids[index]
    return {ids[index]: smallest[root] for index, root in zip(grouped.tolist(), roots[grouped].tolist(), strict=True)}
