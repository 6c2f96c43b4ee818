"""Waiting on MQTT for the hub to announce itself online.

The hub's retained ``hub/status`` is read through the contract: the topic with
:meth:`motcua.contract.Topics.parse`, the payload with its :class:`~motcua.contract.HubStatus`
model, so a change of either reaches this watch too.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from pydantic import ValidationError

from motcua.bus import BusMessage, BusSettings, connect_bus
from motcua.contract import HubStatus, TopicKind, Topics

log = logging.getLogger(__name__)


def hub_came_online(topics: Topics, message: BusMessage, since: dt.datetime) -> bool:
    """Whether ``message`` is this site's ``hub/status`` saying online, started at or after
    ``since``.

    A retained ``online: true`` left by a hub killed with its broker started earlier, so
    it does not count; nor does a payload the contract refuses.
    """
    parsed = topics.parse(message.topic)
    if parsed is None or parsed.kind is not TopicKind.HUB_STATUS:
        return False
    try:
        status = HubStatus.model_validate_json(message.payload)
    except ValidationError:
        log.debug("ignoring a hub/status the contract refuses: %r", message.payload[:200])
        return False
    return status.online and status.started_at is not None and status.started_at >= since


class HubStatusWatch:
    """Subscribes to ``hub/status`` of ``site_id``; :attr:`online` is set once
    :func:`hub_came_online` holds for a message received. ``url`` names a login that may
    read ``hub/status`` and that no other process of the run uses (client ids are bound
    to logins, so a shared login would disconnect its other user)."""

    def __init__(self, url: str, site_id: str, since: dt.datetime) -> None:
        self.topics = Topics(site_id)
        self.since = since
        self.online = threading.Event()
        self.bus = connect_bus(BusSettings(url=url, client_id=f"motcua-up-{os.getpid()}"),
                               subscriptions={self.topics.hub_status(): self._on_status})

    def _on_status(self, message: BusMessage) -> None:
        if hub_came_online(self.topics, message, self.since):
            self.online.set()

    def close(self) -> None:
        self.bus.close(announce_offline=False)
