"""A free TCP port for a server this program starts (the demo's, the tests', the benchmarks' servers and
nats-servers)."""

from __future__ import annotations

import random
import socket

# Below Linux's ephemeral range (32768-60999), from which the kernel gives every outgoing connection its local
# port: a port chosen there and bound a moment later (a standby's address written in the session before it starts,
# a server started again on its address) could meanwhile be taken by any connection on the machine.
LOW, HIGH = 20000, 32767


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now at `host`, outside the ephemeral range."""
    for _ in range(200):
        port = random.randint(LOW, HIGH)
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # the range is crowded: let the kernel choose
        s.bind((host, 0))
        return s.getsockname()[1]
