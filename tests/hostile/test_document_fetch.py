"""A brief given as a URL: the name is resolved once and the connection goes to that very
address (DNS rebinding), and the whole fetch has one deadline (a trickling server)."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from linkaudit.config import Settings
from linkaudit.exceptions import DocumentError
from linkaudit.extract.inputs import fetch_document
from web import Reply, SimWeb, WebRequest

NAME = "brief.rebinding.example"


def rebinding(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """``NAME`` resolves to each of ``answers`` in turn (the last one from then on)."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        address = answers[min(len(asked), len(answers) - 1)]
        asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 80))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_rebinding_name_never_reaches_the_refused_address(
    web: SimWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def brief(_: WebRequest) -> Reply:
        body = "# Brief\n\n[a](https://example.org/)\n"
        return Reply(200, body, {"content-type": "text/markdown"})

    web.route("/rebinding/brief.md", brief)
    # 127.0.0.2 stands for the public address the guard approves; 127.0.0.1 for the private
    # one a rebinding name answers next.
    asked = rebinding(monkeypatch, ["127.0.0.2", "127.0.0.1"])
    settings = Settings(allow_networks=("127.0.0.2/32",), timeout=5.0)
    port = web.ports["http"]
    web.reset_log()
    source = fetch_document(f"http://{NAME}:{port}/rebinding/brief.md", settings)
    assert b"# Brief" in source.data and source.base_url.startswith(f"http://{NAME}:")
    hosts = {entry.host for entry in web.requests if entry.path == "/rebinding/brief.md"}
    assert hosts == {"127.0.0.2"} and asked == ["127.0.0.2"]
    assert all(e.headers.get("host") == f"{NAME}:{port}" for e in web.requests)

    # A name that answers the refused address is never fetched at all.
    rebinding(monkeypatch, ["127.0.0.1"])
    web.reset_log()
    with pytest.raises(DocumentError, match="refused to fetch"):
        fetch_document(f"http://{NAME}:{port}/rebinding/brief.md", settings)
    assert not [e for e in web.requests if e.path == "/rebinding/brief.md"]


def test_a_trickled_document_ends_at_its_deadline(web: SimWeb) -> None:
    served = web.url("/trickle")
    settings = Settings(allow_private=True, timeout=1.0, max_time=1.5)
    started = time.monotonic()
    with pytest.raises(DocumentError, match="deadline"):
        fetch_document(served, settings)
    assert time.monotonic() - started < 30  # a guard against hanging, not a speed claim
    time.sleep(0.5)  # let the server's trickling writer see the hang-up before the session ends
