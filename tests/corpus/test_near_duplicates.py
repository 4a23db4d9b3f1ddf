"""Near-duplicate detection: the numpy signature against exact Jaccard and datasketch, the banding against MinHashLSH."""

from __future__ import annotations

import random
import subprocess
import sys
import zlib
from collections import defaultdict

import numpy as np
import pytest

from stancebench.corpus import minhash as dedup
from stancebench.corpus.minhash import LSH_WEIGHTS, NUM_PERM, article_signature, group_near_duplicates, lsh_bands
from tests.support import REPO, WIRE_STORY

_M64 = (1 << 64) - 1
TRICKY = [
    "", "a", "one two", "Hello  World again and again", " lead\ttab\n\nnew\x1cfs\x1fus\x0bvt\x0cff end ",
    "Straße GROSS İstanbul ΣΊΣΥΦΟΣ ﬁne Kelvin\u212a", "nbsp\xa0here\u2028line\u3000ideo\x85nel\u2009thin",
    "Zelenskyy’s “quote” — a dash, café CAFÉ", "emoji 😀 text \ud800 lone surrogate", "nul\x00inside word\x01x\x1bz",
]


def _reference_shingle_hashes(text: str) -> list[int]:
    """What `_shingle_hashes` computes, in plain Python over `text.casefold().split()`."""
    def finalise(h: int) -> int:
        h ^= h >> 30
        h = (h * 0xBF58476D1CE4E5B9) & _M64
        h ^= h >> 27
        h = (h * 0x94D049BB133111EB) & _M64
        return h ^ (h >> 31)

    base, word_base = dedup._BYTE_BASE, int(dedup._WORD_BASE)
    words = [sum((c or 65) * pow(base, i, 1 << 64) for i, c in enumerate(w.encode("utf-8", "surrogatepass"))) & _M64
             for w in text.casefold().split()]
    if not words:
        return [finalise(0)]
    width = min(dedup.SHINGLE_WORDS, len(words))
    out = []
    for start in range(len(words) - width + 1):
        h = 0
        for word in words[start : start + width]:
            h = (h * word_base + word) & _M64
        out.append(finalise(h))
    return out


def test_words_are_casefold_split_whatever_the_characters():
    rng = random.Random(1)
    alphabet = "aAbBßéÉ ’\t\n\xa0İ\x00x\u2003Σ"
    texts = TRICKY + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    for text in texts:
        assert dedup._shingle_hashes(text).tolist() == _reference_shingle_hashes(text), repr(text)
    # Case and whitespace do not matter; words do.
    assert np.array_equal(article_signature(TRICKY[5]), article_signature(" ".join(TRICKY[5].casefold().split())))
    assert np.array_equal(article_signature("A  b\nC d\te f"), article_signature("a b c d e f"))
    assert not np.array_equal(article_signature("a b c d e f"), article_signature("a b c d e g"))


def test_signatures_are_the_same_in_another_process():
    texts = [WIRE_STORY, *TRICKY]
    here = np.stack([article_signature(t) for t in texts])
    code = ("import sys, numpy as np; from stancebench.corpus.dedup import article_signature as s; "
            f"sys.stdout.write(np.stack([s(t) for t in {texts!r}]).tobytes().hex())")
    env = {"PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert bytes.fromhex(out) == here.tobytes()
    assert here.dtype == np.uint32 and here.shape == (len(texts), NUM_PERM)


def test_short_texts_are_one_shingle():
    for text in ("", "one", "one two three four"):
        signature = article_signature(text)
        assert signature.shape == (NUM_PERM,) and len(set(signature.tolist())) == 1  # every bin borrows the one value
    assert not np.array_equal(article_signature("one two"), article_signature("two one"))


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.casefold().split()
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)} or {tuple(words)}


def _datasketch_signature(text: str) -> np.ndarray:
    """The signature before: datasketch's MinHash, 128 permutations, crc32 of each shingle."""
    from datasketch import MinHash

    words = text.casefold().split()
    shingles = [" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)] or [" ".join(words).encode()]
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=zlib.crc32)
    minhash.update_batch(shingles)
    return minhash.hashvalues


def _pairs(count: int, seed: int = 0):
    """Pairs of texts of 12 to 2,000 words: words replaced, or a shared opening and different endings."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(5000)]
    for _ in range(count):
        n = rng.choice([12, 30, 60, 150, 400, 1000, 2000])
        a = rng.choices(vocabulary, k=n)
        if rng.random() < 0.5:
            b = list(a)
            for _ in range(rng.randint(0, n // 4)):
                b[rng.randrange(n)] = rng.choice(vocabulary)
        else:
            cut = rng.randint(0, n)
            b = a[:cut] + rng.choices(vocabulary, k=n - cut)
        yield " ".join(a), " ".join(b)


@pytest.mark.slow
def test_signature_estimates_jaccard_as_well_as_datasketch():
    ours, theirs, exact = [], [], []
    for a, b in _pairs(400):
        sa, sb = _shingles(a), _shingles(b)
        exact.append(len(sa & sb) / len(sa | sb))
        ours.append(np.mean(article_signature(a) == article_signature(b)))
        theirs.append(np.mean(_datasketch_signature(a) == _datasketch_signature(b)))
    exact = np.array(exact)
    ours, theirs = np.abs(np.array(ours) - exact), np.abs(np.array(theirs) - exact)
    assert exact.min() < 0.05 and exact.max() > 0.95 and np.mean((exact > 0.3) & (exact < 0.8)) > 0.3  # a spread
    assert ours.max() < 0.15  # about 3 standard errors of 128 permutations at J = 0.5
    assert ours.mean() < 0.035 and ours.mean() < theirs.mean() * 1.15, (ours.mean(), theirs.mean())


def test_both_densification_paths_agree():
    rng = np.random.default_rng(0)
    for filled in [1, 2, 5, 20, 100, 120, 126, 127]:
        for _ in range(20):
            empty = np.ones(NUM_PERM, dtype=bool)
            empty[rng.choice(NUM_PERM, filled, replace=False)] = False
            holes = np.flatnonzero(empty)
            assert np.array_equal(dedup._first_filled(empty, holes), dedup._first_filled_few(empty, holes))
            values = np.arange(NUM_PERM, dtype=np.uint64) + 1000
            dedup._densify(values, empty, holes)
            assert set(values[holes].tolist()) <= set(values[~empty].tolist())  # borrowed from filled bins only


def test_band_counts_are_datasketchs():
    from datasketch.lsh import _optimal_param

    for num_perm in (32, 128, 256):
        for threshold in np.arange(0.05, 1.0, 0.05):
            assert lsh_bands(float(threshold), num_perm) == _optimal_param(float(threshold), num_perm, 0.5, 0.5)
            assert lsh_bands(float(threshold), num_perm, LSH_WEIGHTS) == _optimal_param(float(threshold), num_perm,
                                                                                       *LSH_WEIGHTS)


def _minhashlsh_groups(ids, signatures, threshold):
    """datasketch's MinHashLSH with LSH_WEIGHTS, each article queried before it is inserted (the grouping before)."""
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=signatures.shape[1], weights=LSH_WEIGHTS)
    parent = list(range(len(ids)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    first_with = {}
    for index in range(len(ids)):
        key = signatures[index].tobytes()
        if key in first_with:
            parent[root(index)] = root(first_with[key])
            continue
        first_with[key] = index
        minhash = LeanMinHash(seed=1, hashvalues=signatures[index], scheme="affine32")
        candidates = lsh.query(minhash)
        if candidates:
            agree = np.count_nonzero(signatures[candidates] == signatures[index], axis=1)
            for other in np.asarray(candidates)[agree >= threshold * signatures.shape[1]]:
                a, b = root(index), root(int(other))
                parent[max(a, b)] = min(a, b)
        lsh.insert(index, minhash, check_duplication=False)
    members = defaultdict(list)
    for index in range(len(ids)):
        members[root(index)].append(index)
    return {ids[i]: min(ids[j] for j in group) for group in members.values() if len(group) > 1 for i in group}


def _planted_corpus(originals: int, seed: int) -> list[str]:
    """Originals, and copies of some with 1-40% of their words changed (around any threshold), a few verbatim."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(3000)]
    texts = [rng.choices(vocabulary, k=rng.randint(40, 400)) for _ in range(originals)]
    for _ in range(originals):
        words = list(rng.choice(texts))
        for _ in range(int(len(words) * rng.choice([0, 0.01, 0.03, 0.05, 0.08, 0.12, 0.2, 0.4]))):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        texts.append(words)
    rng.shuffle(texts)
    return [" ".join(words) for words in texts]


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.9])
def test_grouping_is_minhashlshs(threshold):
    texts = _planted_corpus(400, seed=int(threshold * 10))
    ids = [f"a{random.Random(i).randrange(10**6):06d}-{i}" for i in range(len(texts))]  # not in index order
    signatures = np.stack([article_signature(t) for t in texts])
    ours = group_near_duplicates(ids, signatures, threshold)
    assert len(set(ours.values())) > 50  # many groups, and ...
    assert ours == _minhashlsh_groups(ids, signatures, threshold)
    order = np.random.default_rng(1).permutation(len(ids))
    assert group_near_duplicates([ids[i] for i in order], signatures[order], threshold) == ours


def test_a_bucket_of_many_near_copies_is_one_group():
    rng = random.Random(3)
    words = WIRE_STORY.split()
    texts = []
    for i in range(dedup._BIG_BUCKET * 3):  # far past the size checked pair by pair, none identical
        copy = list(words)
        copy[rng.randrange(len(copy))] = f"x{i}"
        texts.append(" ".join(copy))
    texts.append("an unrelated story " * 20)
    ids = [f"p{i:04d}" for i in range(len(texts))]
    signatures = np.stack([article_signature(t) for t in texts])
    assert len({s.tobytes() for s in signatures}) > dedup._BIG_BUCKET * 2
    groups = group_near_duplicates(ids, signatures, 0.7)
    assert groups == _minhashlsh_groups(ids, signatures, 0.7)
    assert set(groups) == set(ids[:-1]) and set(groups.values()) == {"p0000"}


def test_extract_path_imports_neither_datasketch_nor_scipy():
    code = ("import sys; from stancebench.corpus import extract, distributed; "
            "from stancebench.corpus.dedup import article_signature as s, group_near_duplicates as g; import numpy as np; "
            "g(['a', 'b'], np.stack([s('one two three four five six'), s('one two three four five seven')]), 0.7); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'datasketch', 'scipy'}))")
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_big_bucket_of_several_groups_chains_and_strangers_is_minhashlshs():
    rng = np.random.default_rng(5)
    bands, rows = lsh_bands(0.7, NUM_PERM, LSH_WEIGHTS)
    signatures = []
    for _ in range(4):  # groups of near copies, and chains: each copy a little further from its group's first
        base = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32)
        for _ in range(30):
            copy = base.copy()
            changed = rng.choice(NUM_PERM, int(rng.choice([5, 20, 35, 45])), replace=False)
            copy[changed] = rng.integers(0, 2**32, len(changed), dtype=np.uint32)
            signatures.append(copy)
            if rng.random() < 0.3:
                base = copy
    signatures += list(rng.integers(0, 2**32, (40, NUM_PERM), dtype=np.uint32))  # strangers
    signatures = np.stack(signatures)
    signatures[:, :rows] = signatures[0, :rows]  # all share the first band: one bucket of 160
    order = rng.permutation(len(signatures))
    signatures = signatures[order]
    ids = [f"s{i:03d}" for i in range(len(signatures))]
    groups = group_near_duplicates(ids, signatures, 0.7)
    assert len(set(groups.values())) >= 4 and len(groups) < len(ids) - 30
    assert groups == _minhashlsh_groups(ids, signatures, 0.7)


@pytest.mark.parametrize("num_perm", [128, 100, 7])
def test_each_filled_bin_keeps_the_low_bits_of_its_smallest_hash(num_perm):
    text = WIRE_STORY[: 40 * num_perm // 16]
    smallest: dict[int, int] = {}
    for h in dedup._shingle_hashes(text).tolist():
        b = ((h >> 32) * num_perm) >> 32
        smallest[b] = min(smallest.get(b, h), h)
    signature = article_signature(text, num_perm)
    assert signature.shape == (num_perm,) and 0 < len(smallest) < num_perm  # some bins empty, some filled
    assert all(int(signature[b]) == h & 0xFFFFFFFF for b, h in smallest.items())
    filled = {h & 0xFFFFFFFF for h in smallest.values()}
    assert all(int(v) in filled for v in signature)  # an empty bin holds a filled bin's value
