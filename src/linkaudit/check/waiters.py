"""
FIFO wake-ups for the check stage's own queues (the dispatcher, the HTTP pool).

A waiter woken and then cancelled before it ran would swallow its turn, and the next one
would wait for a wake-up that already happened; ``wait_in`` passes such a turn on.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["Waiters", "wait_in", "wake_first"]

Waiters = deque[asyncio.Future[None]]


async def wait_in(waiters: Waiters) -> None:
    """Wait until ``wake_first`` reaches this waiter."""
    waiter = asyncio.get_running_loop().create_future()
    waiters.append(waiter)
    try:
        await waiter
    except BaseException:
        if waiter.done() and not waiter.cancelled():
            wake_first(waiters)  # woken, then cancelled: pass the turn on, not lose it
        waiter.cancel()
        raise


def wake_first(waiters: Waiters) -> bool:
    """Wake the first still waiting future; ``False`` if there was none."""
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return True
    return False
