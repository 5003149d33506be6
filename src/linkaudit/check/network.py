"""
The network canary: is this machine online at all?

Asked only when every remote link failed at the network level. A canary counts as
reachable when its name resolves and a connection is accepted (through the configured
proxy, if any); any HTTP answer, or even a TLS error, proves that much. If no canary is
reachable, linkaudit reports ``network_unavailable`` instead of a page of dead links.
"""

from __future__ import annotations

import httpx

from linkaudit.check.client import make_check_client
from linkaudit.check.failures import TRANSPORT_ERRORS, failure_of
from linkaudit.config import Settings
from linkaudit.verdicts import Reason

__all__ = ["CANARY_TIMEOUT", "network_available"]

CANARY_TIMEOUT = 5.0


async def network_available(settings: Settings) -> bool:
    """Whether any of ``settings.network_canaries`` can be reached."""
    timeout = min(CANARY_TIMEOUT, settings.timeout)
    canary_settings = settings.replace(timeout=timeout, connect_timeout=timeout)
    async with make_check_client(canary_settings) as client:
        for url in settings.network_canaries:
            if await _reachable(client, url, timeout):
                return True
    return False


async def _reachable(client: httpx.AsyncClient, url: str, timeout: float) -> bool:
    try:
        async with client.stream("GET", url, timeout=timeout):
            return True
    except TRANSPORT_ERRORS as exc:
        # Any answer, a TLS error or a malformed one, proves a connection was accepted.
        return failure_of(exc)[0] in (Reason.TLS, Reason.PROTOCOL)
