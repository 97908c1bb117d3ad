"""Names shared by the sites and the siège: one subject and one stream per site, the siège's stream, headers."""

from __future__ import annotations

import re

MSG_ID = "Nats-Msg-Id"  # JetStream's deduplication: the event's hash
SITE_HEADER = "Salle-Site"  # the site that published the event
SEQ_HEADER = "Salle-Seq"  # the event's seq in that site's journal
SIEGE_DOMAIN = "SIEGE"  # the siège's JetStream domain


def token(code: str) -> str:
    """A concours or site code as one NATS subject token and a stream name's part."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", code)


def subject(concours: str, site: str) -> str:
    """Where a site publishes its journal: one subject per site, so permissions can say « only your own »."""
    return f"salle.{token(concours)}.{token(site)}.journal"


def heartbeat_subject(concours: str, site: str) -> str:
    """Core NATS (not stored): the site says it is reachable, every few seconds."""
    return f"salle.{token(concours)}.{token(site)}.pouls"


def standby_subject(concours: str, site: str) -> str:
    """Core NATS (not stored): the site's standby laptop says how far its copy of the journal goes."""
    return f"salle.{token(concours)}.{token(site)}.secours"


def site_of(subject_: str) -> str | None:
    parts = subject_.split(".")
    return parts[2] if len(parts) == 4 and parts[0] == "salle" and parts[3] == "journal" else None


def stream(concours: str, site: str) -> str:
    """The site's stream, on the site's own NATS server (JetStream domain = the site's code)."""
    return f"SALLE_{token(concours)}_{token(site)}"


def siege_stream(concours: str) -> str:
    """The siège's stream: every site's stream as a source."""
    return f"SIEGE_{token(concours)}"


def domain(site: str) -> str:
    return token(site)


def site_permissions(concours: str, site: str) -> dict[str, list[str]]:
    """What the siège's nats-server lets a site's leaf link do, the site's user's permissions there. For a leaf
    link, `publish` is what the site may send into the siège's server and `subscribe` what the siège's server sends
    it. Publish: its own subjects (journal and pulse), the two reads of the siège's stream (its info, one message),
    and what its stream's source consumer sends back to the siège (deliveries `$JS.S.…`, the reply to the
    consumer's creation `$JSC.R.…`). Receive: its own domain's consumer API (the siège's stream source creates its
    consumer there), the replies to its reads (`_INBOX.…`), the source's flow control (`$JS.FC.…`). So a site
    cannot publish as another, and cannot reach another site's or the siège's stream administration."""
    c, s, siege = token(concours), token(site), siege_stream(concours)
    return {"publish": [f"salle.{c}.{s}.>", f"$JS.{SIEGE_DOMAIN}.API.STREAM.INFO.{siege}",
                        f"$JS.{SIEGE_DOMAIN}.API.STREAM.MSG.GET.{siege}", "$JS.S.>", "$JSC.R.>"],
            "subscribe": [f"$JS.{s}.API.CONSUMER.>", "_INBOX.>", "$JS.FC.>"]}


def refused_from_siege(concours: str, site: str) -> list[str]:
    """What a site's server never takes from the siège's across its leaf link (`deny_imports`), whatever the
    siège's configuration says: messages on the site's own subjects (only the site writes its stream) and its
    stream administration (purge, delete, update, a message deleted…)."""
    c, s = token(concours), token(site)
    return [f"salle.{c}.{s}.>", f"$JS.{s}.API.STREAM.>"]
