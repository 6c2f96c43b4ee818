"""The clip library of one voice, and announcements assembled from it.

:class:`ClipLibrary` decodes the clips a manifest names from a voice folder (once, then
kept in memory); :class:`AnnouncementBuilder` turns a call into an :class:`Utterance`:
the chime, then the phrase ``repeats`` times, as PCM ready for a sink. Nothing is
synthesised at call time.

A clip that is missing or unreadable never stops a call: the ticket is read digit by
digit instead (its clips are the plainest), and when even that cannot be said, the chime
alone is played. Every missing clip is logged by name.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..manifest import Manifest, parse_manifest
from ..numbers import Dialect, Mode
from ..phrases import (
    DEFAULT_RECALL_TEMPLATE,
    DEFAULT_TEMPLATE,
    announcement_words,
    check_template,
)
from ..plan import AnnouncementPlan, plan_announcement
from .pcm import read_audio, silence, to_int16

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"
#: Environment override of the sounds folder (else the repository's ``sounds/``).
SOUNDS_DIR_ENV = "MOTCUA_SOUNDS_DIR"


def default_sounds_dir() -> Path:
    """``$MOTCUA_SOUNDS_DIR`` if set, else the ``sounds/`` folder of this checkout."""
    configured = os.environ.get(SOUNDS_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "sounds"


def load_manifest(sounds_dir: Path | None = None) -> Manifest:
    """Read and parse ``<sounds_dir>/manifest.toml``."""
    directory = sounds_dir or default_sounds_dir()
    return parse_manifest((directory / MANIFEST_NAME).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Utterance:
    """One announcement as mono PCM (float32 samples) with what it is made of."""

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    clips: tuple[str, ...]
    words: tuple[str, ...]
    text: str
    #: None when spoken as asked; "digits" or "chime" when clips were missing.
    fallback: str | None = None

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate

    def pcm16(self, volume: float = 1.0) -> bytes:
        """Signed 16-bit little-endian PCM at ``volume`` (0..1)."""
        return to_int16(self.samples, volume)


class ClipLibrary:
    """The decoded clips of one voice, at the manifest's sample rate."""

    def __init__(self, manifest: Manifest, voice_dir: Path) -> None:
        self.manifest = manifest
        self.voice_dir = Path(voice_dir)
        self.sample_rate = manifest.sample_rate
        self._clips: dict[str, np.ndarray | None] = {}

    @classmethod
    def open(cls, sounds_dir: Path | None = None, voice: str | None = None) -> ClipLibrary:
        """The library of ``voice`` (default: the manifest's) under ``sounds_dir``."""
        directory = Path(sounds_dir) if sounds_dir else default_sounds_dir()
        manifest = load_manifest(directory)
        return cls(manifest, directory / manifest.voice(voice).directory)

    def path(self, name: str) -> Path:
        return self.voice_dir / self.manifest.clips[name].file

    def clip(self, name: str) -> np.ndarray | None:
        """The samples of clip ``name``, or None (logged once) if it is missing or bad."""
        if name not in self._clips:
            self._clips[name] = self._load(name)
        return self._clips[name]

    def preload(self) -> list[str]:
        """Decode every clip now (so the first call is not slower); return the missing."""
        return [name for name in self.manifest.clips if self.clip(name) is None]

    def size_bytes(self) -> int:
        """Bytes on disk of the clips of this voice that exist."""
        return sum(self.path(name).stat().st_size for name in self.manifest.clips
                   if self.path(name).is_file())

    def _load(self, name: str) -> np.ndarray | None:
        if name not in self.manifest.clips:
            log.warning("clip %s is not in the manifest", name)
            return None
        path = self.path(name)
        try:
            samples = read_audio(path, self.sample_rate)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is "missing"
            log.warning("clip %s missing or unreadable (%s): %s", name, path, exc)
            return None
        if samples.size == 0:
            log.warning("clip %s is empty (%s)", name, path)
            return None
        return samples


class AnnouncementBuilder:
    """Builds the utterance of a call from a :class:`ClipLibrary`.

    ``template``/``recall_template`` are phrase templates with ``{ticket}`` and
    ``{counter}``; ``mode`` is "whole" or "digits"; ``dialect`` "north" or "south".
    """

    def __init__(self, library: ClipLibrary, *, template: str = DEFAULT_TEMPLATE,
                 recall_template: str = DEFAULT_RECALL_TEMPLATE, mode: Mode = "whole",
                 dialect: Dialect = "north") -> None:
        self.library = library
        self.template = check_template(template)
        self.recall_template = check_template(recall_template)
        self.mode = mode
        self.dialect = dialect

    def words(self, ticket: str, counter: int, *, recall: int = 0,
              mode: Mode | None = None) -> list[str]:
        """The words of the call (no fallback): what ``motcua sounds words`` prints."""
        return announcement_words(ticket, counter, recall=recall, template=self.template,
                                  recall_template=self.recall_template,
                                  mode=mode or self.mode, dialect=self.dialect)

    def available(self) -> set[str]:
        """Names of the clips of the voice that can be played (loaded on first use)."""
        return {name for name in self.library.manifest.clips
                if self.library.clip(name) is not None}

    def plan(self, ticket: str, counter: int, *, recall: int = 0,
             repeats: int = 1) -> AnnouncementPlan:
        """The clips and pauses of the call, fallbacks decided on the clips available."""
        return plan_announcement(ticket, counter, self.library.manifest, recall=recall,
                                 repeats=repeats, mode=self.mode, dialect=self.dialect,
                                 template=self.template, recall_template=self.recall_template,
                                 available=self.available())

    def build(self, ticket: str, counter: int, *, recall: int = 0,
              repeats: int = 1) -> Utterance:
        """Chime, then the phrase ``repeats`` times; falls back to digit-by-digit reading,
        then to the chime alone, when clips are missing (each problem logged)."""
        plan = self.plan(ticket, counter, recall=recall, repeats=repeats)
        for problem in plan.problems:
            log.warning("call %s at counter %s: %s", ticket, counter, problem)
        rate = self.library.sample_rate
        parts: list[np.ndarray] = []
        for step in plan.steps:
            if step.pause_ms:
                parts.append(silence(rate, step.pause_ms))
            parts.append(self.library.clip(step.clip))
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return Utterance(samples=samples, sample_rate=rate, clips=plan.clips,
                         words=plan.words, text=plan.text, fallback=plan.fallback)
