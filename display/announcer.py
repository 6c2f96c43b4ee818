"""The announcer: queued call-outs, one at a time, never overlapping, never cut off.

:meth:`Announcer.submit` returns at once; a worker thread takes the calls in the order
they came and, for each one:

* drops it if it is older than ``max_age_s`` when its turn comes (a citizen called two
  minutes ago has been called on the screen; shouting it now would mislead);
* assembles chime + phrase x ``repeats`` from the clip library (a recall says
  "Xin mời lần nữa ..."), at the volume the hour of day calls for;
* hands it to the sink, which returns only once the audio has been played in full.

The same call delivered twice (an MQTT redelivery) is announced once. Nothing here raises
into the caller: a failing sink or a malformed ticket is logged and the queue goes on.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from motcua.contract import CALLED_EXPIRY_S
from motcua.speech.sound import AnnouncementBuilder, ClipLibrary, Utterance

from .audio import AudioSink, PlayReport

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class CallAnnouncement:
    """One call to announce: ``recall`` is 0 for a first call, then 1, 2, ...; ``at`` is
    when the hub made the call (timezone-aware), used to drop stale calls."""

    ticket: str
    counter: int
    recall: int
    at: dt.datetime

    @classmethod
    def from_event(cls, event) -> CallAnnouncement:
        """From the hub's ``event/called`` payload (:class:`motcua.contract.CalledEvent`)."""
        return cls(ticket=event.ticket, counter=event.counter, recall=event.recall,
                   at=event.at)

    @property
    def label(self) -> str:
        return f"{self.ticket}-q{self.counter}" + (f"-r{self.recall}" if self.recall else "")


@dataclass(frozen=True)
class AnnouncerEvent:
    """What happened to a call: ``kind`` is "played", "dropped" or "failed".

    ``submitted`` is the ``time.monotonic()`` of :meth:`Announcer.submit`; for "played",
    ``report.started`` is when the sink queued the first sample and ``assembly_s`` how long
    building the audio took."""

    kind: str
    call: CallAnnouncement
    submitted: float
    reason: str = ""
    utterance: Utterance | None = None
    report: PlayReport | None = None
    volume: float = 1.0
    assembly_s: float = 0.0


class VolumeSchedule:
    """Volume by time of day: ``{"07:00": 0.8, "12:00": 0.5}`` means 0.8 from 07:00 and 0.5
    from 12:00 until 07:00 the next day. Empty: always 1.0."""

    def __init__(self, by_hour: Mapping[str, float] | None = None) -> None:
        steps = []
        for key, value in (by_hour or {}).items():
            try:
                moment = dt.time.fromisoformat(key)
            except (TypeError, ValueError):
                raise ValueError(f"volume_by_hour: {key!r} is not a time like 07:00") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0.0 <= value <= 1.0:
                raise ValueError(f"volume_by_hour.{key}: expected a volume from 0 to 1")
            steps.append((moment, float(value)))
        self._steps = sorted(steps)

    def volume_at(self, moment: dt.time) -> float:
        if not self._steps:
            return 1.0
        current = self._steps[-1][1]  # before the first step: the last one, from yesterday
        for start, value in self._steps:
            if start <= moment:
                current = value
        return current


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


#: The broker drops ``event/called`` after this (contract v1), plus a little network slack:
#: a call arriving older than that, or stamped ahead of this clock, reveals a skewed clock.
ARRIVAL_AGE_LIMIT = dt.timedelta(seconds=CALLED_EXPIRY_S + 5)
FUTURE_SLACK = dt.timedelta(seconds=5)


def trusted_time(call: CallAnnouncement, now: dt.datetime) -> CallAnnouncement:
    """``call`` with a time its age can be measured from on this machine.

    The hub's ``at`` is kept when it agrees with this clock; otherwise (a TV whose clock is
    minutes off) the call is re-stamped with its arrival, so it is still announced and
    still dropped if it then waits longer than ``max_age_s`` here. A naive time is UTC.
    """
    at = call.at if call.at.tzinfo else call.at.replace(tzinfo=dt.timezone.utc)
    arrival_age = now - at
    if -FUTURE_SLACK <= arrival_age <= ARRIVAL_AGE_LIMIT:
        return call
    log.warning("call %s is stamped %.0f s from this clock: is the clock off? timing it "
                "from its arrival", call.label, arrival_age.total_seconds())
    return dataclasses.replace(call, at=now)


class Announcer:
    """Plays call announcements through ``sink``, one at a time, in order.

    Args:
        sink: an :class:`~display.audio.AudioSink` (see :func:`~display.audio.open_sink`).
        builder: makes the audio; default: the default voice of ``sounds_dir``.
        repeats: how many times the phrase is said (the chime once, before).
        max_age_s: a call older than this when its turn comes is dropped.
        volume_by_hour: ``{"HH:MM": volume}``, see :class:`VolumeSchedule`.
        mode, dialect, template, recall_template, sounds_dir, voice: for the default builder.
        clock: the time now (timezone-aware); tests pass a fake one.
        timezone: where "hour of day" is read (the site's zone).
        on_event: called from the worker with each :class:`AnnouncerEvent`.
    """

    def __init__(self, sink: AudioSink, *, builder: AnnouncementBuilder | None = None,
                 repeats: int = 2, max_age_s: float = 60.0,
                 volume_by_hour: Mapping[str, float] | None = None, mode: str = "whole",
                 dialect: str = "north", template: str | None = None,
                 recall_template: str | None = None, sounds_dir=None, voice: str | None = None,
                 clock: Callable[[], dt.datetime] = _utc_now,
                 timezone: str = DEFAULT_TIMEZONE,
                 on_event: Callable[[AnnouncerEvent], None] | None = None) -> None:
        if repeats < 1:
            raise ValueError("repeats: at least 1")
        if max_age_s <= 0:
            raise ValueError("max_age_s: must be positive")
        if builder is None:
            options = {key: value for key, value in
                       (("template", template), ("recall_template", recall_template))
                       if value is not None}
            builder = AnnouncementBuilder(ClipLibrary.open(sounds_dir, voice), mode=mode,
                                          dialect=dialect, **options)
        self.sink = sink
        self.builder = builder
        self.repeats = repeats
        self.max_age = dt.timedelta(seconds=max_age_s)
        self.volumes = VolumeSchedule(volume_by_hour)
        self.clock = clock
        self.timezone = ZoneInfo(timezone)
        self.on_event = on_event
        self._queue: collections.deque[tuple[CallAnnouncement, float]] = collections.deque()
        self._recent: collections.deque[tuple] = collections.deque(maxlen=64)
        self._condition = threading.Condition()
        self._busy = False
        self._closing = False
        missing = builder.library.preload()
        if missing:
            log.warning("voice %s lacks clips %s: calls needing them fall back",
                        builder.library.voice_dir, missing)
        self._worker = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._worker.start()

    def submit(self, call: CallAnnouncement) -> bool:
        """Queue ``call``; return at once. False if it is a repeat of a call already
        queued or played (same ticket, counter, recall and time) or the announcer closed."""
        key = (call.ticket, call.counter, call.recall, call.at)
        with self._condition:
            if self._closing or key in self._recent:
                return False
            self._recent.append(key)
            self._queue.append((trusted_time(call, self.clock()), time.monotonic()))
            self._condition.notify()
        return True

    def pending(self) -> int:
        """Calls waiting, plus the one playing."""
        with self._condition:
            return len(self._queue) + int(self._busy)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued call has been played or dropped; False on timeout."""
        with self._condition:
            return self._condition.wait_for(lambda: not self._queue and not self._busy,
                                            timeout)

    def close(self, *, drain: bool = False, timeout: float = 30.0) -> None:
        """Stop the worker. The call playing is finished, never cut; waiting calls are
        played first with ``drain``, else dropped. The sink is closed."""
        if drain:
            self.wait_idle(timeout)
        with self._condition:
            self._closing = True
            self._queue.clear()
            self._condition.notify_all()
        self._worker.join(timeout)
        self.sink.close()

    def __enter__(self) -> Announcer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            with self._condition:
                self._busy = False
                self._condition.notify_all()
                self._condition.wait_for(lambda: self._queue or self._closing)
                if self._closing:
                    return
                call, submitted = self._queue.popleft()
                self._busy = True
            try:
                self._announce(call, submitted)
            except Exception:  # noqa: BLE001 - the queue must outlive any one call
                log.exception("announcing %s failed", call.label)
                self._emit(AnnouncerEvent("failed", call, submitted, reason="error"))

    def _announce(self, call: CallAnnouncement, submitted: float) -> None:
        now = self.clock()
        # A naive time (a caller's slip) is taken as UTC, like every time on the bus.
        at = call.at if call.at.tzinfo else call.at.replace(tzinfo=dt.timezone.utc)
        age = now - at
        if age > self.max_age:
            log.info("dropped stale call %s (%.0f s old)", call.label, age.total_seconds())
            self._emit(AnnouncerEvent("dropped", call, submitted, reason="stale"))
            return
        began = time.perf_counter()
        utterance = self.builder.build(call.ticket, call.counter, recall=call.recall,
                                       repeats=self.repeats)
        assembly_s = time.perf_counter() - began
        volume = self.volumes.volume_at(now.astimezone(self.timezone).time())
        report = self.sink.play(utterance, volume=volume, label=call.label)
        log.info("announced %s at volume %.2f: %s", call.label, volume,
                 utterance.text or "(chime only)")
        self._emit(AnnouncerEvent("played", call, submitted, utterance=utterance, report=report,
                                  volume=volume, assembly_s=assembly_s))

    def _emit(self, event: AnnouncerEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # noqa: BLE001
            log.exception("announcer on_event hook failed")


#: Keys of the ``[announcer]`` table of the display config, with their defaults.
ANNOUNCER_DEFAULTS: dict[str, object] = {
    "enabled": True,
    "sink": "pygame",          # pygame | wav | null
    "audio_out": "",           # WAV folder: the wav sink's, and pygame's no-sound-card fallback
    "audio_keep": 200,         # newest WAV files kept in audio_out (0: all)
    "audio_driver": "",        # SDL_AUDIODRIVER for pygame ("alsa", "pulse", "dummy"); "": SDL's
    "repeats": 2,
    "max_age_s": 60.0,
    "mode": "whole",           # whole | digits
    "dialect": "north",        # north | south
    "template": "",            # "": the recommended call, with {ticket} and {counter}
    "recall_template": "",     # "": "Xin mời lần nữa công dân có số thứ tự …"
    "voice": "",               # "": the manifest's default voice
    "sounds_dir": "",          # "": the repository's sounds/ (or $MOTCUA_SOUNDS_DIR)
    "timezone": DEFAULT_TIMEZONE,
    "volume_by_hour": {},      # {"07:00": 0.8, "12:00": 0.5}
}


def announcer_from_config(table: Mapping[str, object], *, base_dir=None,
                          audio_out=None, **overrides) -> Announcer | None:
    """The announcer an ``[announcer]`` config table asks for (keys and defaults:
    :data:`ANNOUNCER_DEFAULTS`), or None when ``enabled = false``. Relative paths are
    taken from ``base_dir``; ``audio_out`` (the ``--audio-out DIR`` flag) wins over the
    table and makes the sink ``wav``. ``overrides`` go to :class:`Announcer` (``clock``,
    ``on_event``). Raises ValueError naming the key for a bad value."""
    from pathlib import Path

    from motcua.speech import TemplateError

    from .audio import SINKS, open_sink

    unknown = sorted(set(table) - set(ANNOUNCER_DEFAULTS))
    if unknown:
        raise ValueError(f"announcer.{unknown[0]}: unknown key")
    settings = {**ANNOUNCER_DEFAULTS, **table}
    if not settings["enabled"]:
        return None
    base = Path(base_dir) if base_dir is not None else Path.cwd()

    def path(value) -> Path | None:
        return (base / value) if value else None

    out = Path(audio_out) if audio_out else path(settings["audio_out"])
    sink_name = "wav" if audio_out else settings["sink"]
    if sink_name not in SINKS:
        raise ValueError(f"announcer.sink: expected one of {sorted(SINKS)}")
    if sink_name == "wav" and out is None:
        raise ValueError("announcer.audio_out: the wav sink needs a folder")
    options: dict[str, object] = {}
    if sink_name == "wav":
        options = {"directory": out, "keep": int(settings["audio_keep"])}
    elif sink_name == "pygame":
        options = {"driver": settings["audio_driver"] or None, "fallback_directory": out}
    for key, check in (("mode", ("whole", "digits")), ("dialect", ("north", "south"))):
        if settings[key] not in check:
            raise ValueError(f"announcer.{key}: expected one of {check}")
    try:
        sink = open_sink(sink_name, **options)
        return Announcer(
            sink, repeats=int(settings["repeats"]), max_age_s=float(settings["max_age_s"]),
            volume_by_hour=settings["volume_by_hour"], mode=settings["mode"],
            dialect=settings["dialect"], template=settings["template"] or None,
            recall_template=settings["recall_template"] or None,
            sounds_dir=path(settings["sounds_dir"]), voice=settings["voice"] or None,
            timezone=settings["timezone"], **overrides)
    except TemplateError as exc:
        raise ValueError(f"announcer.template: {exc}") from None
    except (TypeError, ValueError, KeyError) as exc:
        # KeyError: an unknown voice or timezone (ZoneInfoNotFoundError is one).
        raise ValueError(f"announcer: {exc}") from None
