"""Audio sinks: where an assembled announcement goes.

A sink plays one :class:`~motcua.speech.sound.Utterance` at a time and **blocks until it
has been played in full** (the announcer relies on that to never overlap or cut a call).
It reports when the first sample was handed to the audio device (or file) so latency can
be measured. Sinks are chosen by name (:data:`SINKS`, :func:`open_sink`):

* ``pygame``: the pygame mixer on the sound card (SDL); raises :class:`AudioUnavailable`
  when there is none, and :func:`open_sink` can then fall back to ``wav``;
* ``wav``: one WAV file per announcement in a folder: for machines without a sound card,
  for ``make run`` and for tests;
* ``null``: plays nothing (a board without speakers).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from motcua.speech.sound import Utterance
from motcua.speech.sound.pcm import resample, wav_bytes

log = logging.getLogger(__name__)


class AudioUnavailable(RuntimeError):
    """The sink cannot play here (no sound card, no pygame)."""


@dataclass(frozen=True)
class PlayReport:
    """``started``: ``time.monotonic()`` when the first sample was queued to the device or
    file; ``duration_s``: length of the audio; ``path``: the file written, if any."""

    started: float
    duration_s: float
    path: Path | None = None


class AudioSink(Protocol):
    name: str

    def play(self, utterance: Utterance, *, volume: float = 1.0, label: str = "") -> PlayReport:
        """Play ``utterance`` at ``volume`` (0..1) and return once it has been played."""

    def close(self) -> None:
        """Release the device; a sink is not used after this."""


class NullSink:
    """Plays nothing, instantly."""

    name = "null"

    def play(self, utterance: Utterance, *, volume: float = 1.0, label: str = "") -> PlayReport:
        return PlayReport(started=time.monotonic(), duration_s=utterance.duration_s)

    def close(self) -> None:
        pass


class WavSink:
    """Writes each announcement to ``<directory>/<local time>-<label>.wav`` (mono 16-bit).

    With ``realtime`` it then waits as long as the audio lasts, so queueing behaves as on
    a sound card (calls that wait too long are dropped as stale); by default it returns
    as soon as the file is written. Only the newest ``keep`` files are kept (about 0.5 MB
    each), so a board left running for months does not fill its disk; 0 keeps all.
    """

    name = "wav"

    def __init__(self, directory: str | Path, *, realtime: bool = False, keep: int = 200,
                 now: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.realtime = realtime
        self.keep = keep
        self._now = now
        self._serial = itertools.count(1)

    def play(self, utterance: Utterance, *, volume: float = 1.0, label: str = "") -> PlayReport:
        started = time.monotonic()
        data = wav_bytes(utterance.pcm16(volume), utterance.sample_rate)
        path = self.directory / self._file_name(label)
        # Written under a temporary name and renamed, so a reader never sees half a file.
        partial = path.with_suffix(".wav.part")
        partial.write_bytes(data)
        os.replace(partial, path)
        self._prune()
        if self.realtime:
            time.sleep(max(0.0, started + utterance.duration_s - time.monotonic()))
        return PlayReport(started=started, duration_s=utterance.duration_s, path=path)

    def close(self) -> None:
        pass

    def _prune(self) -> None:
        if self.keep <= 0:
            return
        # Names start with the local date and time, then a serial: sorted = oldest first.
        files = sorted(self.directory.glob("*.wav"))
        for old in files[:-self.keep]:
            try:
                old.unlink()
            except OSError as exc:
                log.warning("cannot remove old announcement %s: %s", old, exc)

    def _file_name(self, label: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_") or "call"
        return f"{self._now():%Y%m%d-%H%M%S}-{next(self._serial):04d}-{safe}.wav"


class PygameSink:
    """The pygame mixer. ``driver`` sets ``SDL_AUDIODRIVER`` (e.g. ``"alsa"``, ``"pulse"``,
    ``"dummy"`` for tests) before the mixer starts; otherwise SDL picks one.

    Announcements play on a reserved channel, so no other pygame sound can cut them.
    """

    name = "pygame"

    def __init__(self, *, driver: str | None = None, frequency: int = 44100,
                 buffer: int = 1024) -> None:
        if driver:
            os.environ["SDL_AUDIODRIVER"] = driver
        try:
            import pygame
        except ImportError as exc:
            raise AudioUnavailable("pygame is not installed") from exc
        self._pygame = pygame
        try:
            if pygame.mixer.get_init() is None:
                pygame.mixer.init(frequency=frequency, size=-16, channels=2, buffer=buffer)
        except pygame.error as exc:
            # No sound card (HARDWARE_NOTES: "ALSA: Couldn't open audio device").
            raise AudioUnavailable(f"no audio device: {exc}") from exc
        self._frequency, size, self._channels = pygame.mixer.get_init()
        if size != -16:
            pygame.mixer.quit()
            raise AudioUnavailable(f"mixer runs {size}-bit samples; expected signed 16-bit")
        pygame.mixer.set_reserved(1)
        self._channel = pygame.mixer.Channel(0)
        self._lock = threading.Lock()

    def play(self, utterance: Utterance, *, volume: float = 1.0, label: str = "") -> PlayReport:
        samples = resample(utterance.samples, utterance.sample_rate, self._frequency)
        pcm = np.clip(samples * 32767.0, -32768, 32767).astype("<i2")
        frames = np.repeat(pcm[:, None], self._channels, axis=1) if self._channels > 1 else pcm
        sound = self._pygame.mixer.Sound(buffer=np.ascontiguousarray(frames).tobytes())
        sound.set_volume(max(0.0, min(1.0, volume)))
        with self._lock:
            started = time.monotonic()
            self._channel.play(sound)
            # Wait for the end; the guard only matters if a driver never reports it.
            deadline = started + utterance.duration_s + 2.0
            while self._channel.get_busy() and time.monotonic() < deadline:
                time.sleep(0.02)
        return PlayReport(started=started, duration_s=utterance.duration_s)

    def close(self) -> None:
        with self._lock:
            self._pygame.mixer.quit()


#: Sink factories by configuration name.
SINKS: dict[str, Callable[..., AudioSink]] = {
    "pygame": PygameSink,
    "wav": WavSink,
    "null": NullSink,
}


def open_sink(name: str, *, fallback_directory: str | Path | None = None,
              **options) -> AudioSink:
    """Open the sink called ``name`` with ``options`` (``wav``: ``directory``, ``realtime``,
    ``keep``;
    ``pygame``: ``driver``, ``frequency``, ``buffer``). When it is unavailable (no sound
    card) and ``fallback_directory`` is given, a ``wav`` sink there is returned instead."""
    if name not in SINKS:
        raise ValueError(f"unknown audio sink {name!r}; expected one of {sorted(SINKS)}")
    try:
        return SINKS[name](**options)
    except AudioUnavailable as exc:
        if fallback_directory is None:
            raise
        log.warning("audio sink %s unavailable (%s); writing WAV files to %s instead",
                    name, exc, fallback_directory)
        return WavSink(fallback_directory)
