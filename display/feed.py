"""The display's side of the broker: the shared device runtime feeding the board model,
and every new call handed to the announcer. No pygame here.

:class:`BoardFeed` subscribes, through :class:`~motcua.device.DeviceRuntime` (presence with
a last will, the epoch/seq cache, hub reachability), to the retained ``board``,
``counter/+/state`` and ``service/+/state``, and follows ``event/called``. Each call the
model accepts (new seq of the epoch, or a new epoch) is submitted once to the announcer;
a repeated, older or malformed event never is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from motcua.contract import Topics, TopicKind
from motcua.bus import BusMessage
from motcua.device import MAX_PAYLOAD_BYTES, DeviceRuntime, DeviceSettings
from display.model import BoardModel, CallView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallAnnouncement:
    """What the announcer is given for each new call (the voice's own class, of the same
    name and fields in :mod:`display.announcer`, is used when it is installed).

    ``at`` is when the hub made the call (the event's ``at``, by the hub's clock).
    """

    ticket: str
    counter: int
    recall: int
    at: dt.datetime


class Announcer(Protocol):
    """The voice: queues one announcement; must return at once (it is called on the
    network thread)."""

    def submit(self, announcement: Any) -> None: ...


AnnouncementFactory = Callable[..., Any]


def default_announcement_factory() -> AnnouncementFactory:
    """``display.announcer.CallAnnouncement`` when the voice is installed, else
    :class:`CallAnnouncement`; both take ``ticket, counter, recall, at`` by keyword."""
    try:
        from display.announcer import CallAnnouncement as VoiceAnnouncement
    except ImportError:
        return CallAnnouncement
    return VoiceAnnouncement


class BoardFeed:
    """Runtime → model (→ announcer). ``start()``, read :attr:`model`, ``close()``.

    ``on_change`` is called (on the network thread, quickly) whenever the picture may have
    changed; the render loop uses it to wake up.
    """

    def __init__(self, *, mqtt_url: str, site: str, display_id: str, model: BoardModel,
                 announcer: Announcer | None = None,
                 announcement_factory: AnnouncementFactory | None = None,
                 on_change: Callable[[], None] | None = None,
                 wall_clock: Callable[[], dt.datetime] | None = None) -> None:
        self.model = model
        self.topics = Topics(site)
        self._announcer = announcer
        self._factory = announcement_factory or default_announcement_factory()
        self._on_change = on_change
        self._wall_clock = wall_clock or (lambda: dt.datetime.now(dt.timezone.utc).astimezone())
        self._refresh_lock = threading.Lock()
        self.announced = 0
        topics = self.topics
        self.runtime = DeviceRuntime(
            DeviceSettings(url=mqtt_url, site=site, kind="display", device_id=display_id,
                           state_filters=(topics.board(), topics.counter_state_filter(),
                                          topics.service_state_filter())),
            # A display sends no commands; the runtime still wants a reply topic, and the
            # display's own status topic is one the broker's ACL lets nobody else fill.
            reply_topic=topics.device_status("display", display_id),
            listener=self._changed,
            extra_subscriptions={topics.event_called(): self._on_called})

    def start(self) -> None:
        """Connect in the background (returns at once, even with the broker down)."""
        self.runtime.start()

    def close(self) -> None:
        self.runtime.close()

    def refresh(self) -> None:
        """Copy the runtime's cache and reachability into the model."""
        cache = self.runtime.cache
        with self._refresh_lock:
            states = cache.matching(self._is_state)
            counters, services = [], []
            for topic, body in states.items():
                kind = self.topics.parse(topic).kind  # type: ignore[union-attr]
                (counters if kind is TopicKind.COUNTER_STATE else services).append(body)
            self.model.update_retained(cache.get(self.topics.board()), counters, services,
                                       epoch=cache.epoch)
            self.model.set_online(self.runtime.hub_reachable)

    def _is_state(self, topic: str) -> bool:
        parsed = self.topics.parse(topic)
        return parsed is not None and parsed.kind in (TopicKind.COUNTER_STATE,
                                                      TopicKind.SERVICE_STATE)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def _on_called(self, message: BusMessage) -> None:
        if not message.payload or len(message.payload) > MAX_PAYLOAD_BYTES:
            return
        try:
            body = json.loads(message.payload)
        except ValueError:
            log.warning("ignored an event/called that is not JSON")
            return
        call = self.model.accept_called(body)
        if call is None:
            log.debug("ignored event/called: stale, repeated or malformed")
            return
        log.info("call %s → quầy %d%s", call.ticket, call.counter,
                 f" (gọi lại {call.recall})" if call.recall else "")
        self._announce(call)
        self._changed()

    def _announce(self, call: CallView) -> None:
        if self._announcer is None:
            return
        try:
            self._announcer.submit(self._factory(
                ticket=call.ticket, counter=call.counter, recall=call.recall,
                at=call.at or self._wall_clock()))
            self.announced += 1
        except Exception:  # the voice must never take the board down
            log.exception("the announcer refused call %s", call.ticket)
