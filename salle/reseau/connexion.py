"""A link to a nats-server that a stopping server does not wait for: nats-py's `connect`, with reconnection on,
goes on trying a refused address for as long as it takes; a server that stops (`stopping` set) must not wait for
it (a test's server stopped while the site's nats-server was down waited 5 s per thread). `connect_site`: the
site's own nats-server, with `KEPT` for a link kept all day or `ONE_LOOK` for one look."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from .natsd import site_nats_link

# A link kept all day (the publication, the standby's copy, its acknowledgements, the other sites' reader):
# nats-py tries again every 0.5 s, for as long as it takes, until the server stops (`connect_site`).
KEPT = {"allow_reconnect": True, "max_reconnect_attempts": -1, "reconnect_time_wait": 0.5}

# One look at a nats-server (an export, the main's look at its stream): given up at the second refusal, 0.2 s
# after the first. nats-py (2.x) takes max_reconnect_attempts=0 as no limit even before a first connection, with
# reconnection off: a refused address was tried every 2 s until the caller's own bound (`salle export` from a
# wrong address answered after 10 s).
ONE_LOOK = {"allow_reconnect": False, "max_reconnect_attempts": 1, "reconnect_time_wait": 0.2}


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


async def connect_site(reseau, folder: Path, stopped: Callable[[], bool], **options):
    """A link to the site's nats-server as this laptop reaches it (its address, password and authority beside the
    day file `folder`: natsd.site_nats_link), given up once `stopped()`."""
    url, link = site_nats_link(reseau, folder)
    return await connect_unless_stopped(stopped, url, **link, **options)
