"""
URL identity: which library normalises URLs by RFC 3986 §6.2.2 and RFC 3987 correctly, and
how fast (docs/links.md records the figures and the choice).

    python benchmarks/bench_url_identity.py

Candidates that are not installed are skipped (yarl is linkaudit's dependency; install
rfc3986, url-normalize and ada-url into a scratch environment to compare them).
"""

from __future__ import annotations

import contextlib
import importlib
import random
import time
from collections.abc import Callable

#: Spellings that name one resource (RFC 3986 §6.2.2, RFC 3987) and must share one key.
SAME = [
    ("HTTPS://WWW.Example.org/a", "https://www.example.org/a"),
    ("https://www.example.org:443/a", "https://www.example.org/a"),
    ("http://example.org/%7Euser", "http://example.org/~user"),
    ("http://example.org/a/../b", "http://example.org/b"),
    ("http://example.org/a/./b", "http://example.org/a/b"),
    ("http://example.org/%ed%95%9c", "http://example.org/%ED%95%9C"),
    ("https://example.org/한국", "https://example.org/%ED%95%9C%EA%B5%AD"),
    ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
    ("http://example.org", "http://example.org/"),
    ("HTTP://example.org:80/", "http://example.org/"),
    ("http://example.org/?q=%7e", "http://example.org/?q=~"),
    ("http://example.org/p?q=한", "http://example.org/p?q=%ED%95%9C"),
]
#: Spellings that may name different resources or places and must keep their own keys.
DIFFERENT = [
    ("http://example.org/a%2Fb", "http://example.org/a/b"),
    ("http://example.org/?b=1&a=2", "http://example.org/?a=2&b=1"),
    ("http://example.org/A", "http://example.org/a"),
    ("http://example.org/a", "https://example.org/a"),
    ("http://example.org/a", "http://example.org/a/"),
    ("http://example.org/?q=a+b", "http://example.org/?q=a%20b"),
    ("http://example.org/p#a", "http://example.org/p#b"),
    ("http://example.org:8080/", "http://example.org/"),
]


def _candidates() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {}

    def add(name: str, module: str, make: Callable[[object], Callable[[str], str]]) -> None:
        with contextlib.suppress(ImportError):
            found[name] = make(importlib.import_module(module))

    add("linkaudit.urls.identity (yarl + fast path)", "linkaudit.urls", lambda m: m.identity)  # type: ignore[attr-defined]
    add("yarl", "yarl", lambda m: lambda u: str(m.URL(u)))  # type: ignore[attr-defined]
    add(
        "rfc3986",
        "rfc3986",
        lambda m: lambda u: m.uri_reference(u).normalize().unsplit(),  # type: ignore[attr-defined]
    )
    add("url-normalize", "url_normalize", lambda m: m.url_normalize)  # type: ignore[attr-defined]
    add("ada-url (WHATWG)", "ada_url", lambda m: lambda u: m.URL(u).href)  # type: ignore[attr-defined]
    return found


def _correct(normalise: Callable[[str], str]) -> int:
    def key(url: str) -> str | None:
        try:
            return normalise(url)
        except Exception:  # a candidate that fails on a case gets it wrong
            return None

    right = sum(1 for a, b in SAME if key(a) is not None and key(a) == key(b))
    return right + sum(1 for a, b in DIFFERENT if key(a) != key(b))


def _corpus(n: int = 20_000) -> list[str]:
    rng = random.Random(1)
    hosts = ["www.example.org", "EXAMPLE.com", "docs.python.org", "en.wikipedia.org", "doi.org"]
    paths = ["/a/b/c", "/wiki/Main_Page", "/%7Euser/x", "/articles/s41586-020-2649-2",
             "/한국/정책", "/a/../b/./c", "/search?q=link+rot&page=2"]  # fmt: skip
    schemes = ["https", "https", "https", "http", "HTTPS"]
    ports = ["", "", "", ":443", ":80"]
    return [
        f"{rng.choice(schemes)}://{rng.choice(hosts)}{rng.choice(ports)}{rng.choice(paths)}"
        f"{'?' if '?' not in p else '&'}i={i}"
        for i, p in ((i, rng.choice(paths)) for i in range(n))
    ]


def main() -> None:
    corpus = _corpus()
    total = len(SAME) + len(DIFFERENT)
    print(f"{'candidate':45} {'correct':>9} {'µs/URL':>8}")
    for name, normalise in _candidates().items():
        for cached in (
            normalise,
            getattr(importlib.import_module("linkaudit.urls"), "_normal_form", None),
        ):
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
        started = time.perf_counter()
        for url in corpus:
            normalise(url)
        per_url = (time.perf_counter() - started) / len(corpus) * 1e6
        print(f"{name:45} {_correct(normalise):>4}/{total:<4} {per_url:8.1f}")


if __name__ == "__main__":
    main()
