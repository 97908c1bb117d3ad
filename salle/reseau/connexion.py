"""A link to a nats-server that a stopping server does not wait for: nats-py's `connect`, with reconnection on,
goes on trying a refused address for as long as it takes; a server that stops (`stopping` set) must not wait for
it (a test's server stopped while the site's nats-server was down waited 5 s per thread)."""

from __future__ import annotations

import asyncio
from typing import Callable


class Stopped(Exception):
    """The server stops: the link is no longer wanted (the caller's loop ends, as after any failed attempt)."""


async def connect_unless_stopped(stopped: Callable[[], bool], url: str, **options):
    """nats-py's `connect(url, **options)`, given up once `stopped()` (then `Stopped`)."""
    import nats

    linking = asyncio.ensure_future(nats.connect(url, **options))
    while not linking.done():
        if stopped():
            linking.cancel()
            raise Stopped()
        await asyncio.wait({linking}, timeout=0.1)
    return linking.result()
