"""The web board's voice: the announcer's clips and plans, served to a browser.

The pygame announcer assembles its audio from :func:`motcua.speech.plan_announcement`;
the web board plays the very same plan (same clips, same order, same pauses, same
fallbacks), fetching each clip from the hub. :class:`BoardVoice` reads the manifest once
(pure :mod:`motcua.speech`, no numpy on the hub), notes which clip files of the voice exist
(a missing file makes the plan fall back exactly as the announcer's would) and answers:

- :meth:`BoardVoice.plan`: the plan of one call, as ``plan.as_json()`` (cached: a call is
  planned once however many boards are open);
- :meth:`BoardVoice.clip_file`: the file behind ``/display/sounds/<voice>/<file>``. Only
  a file the manifest names for that voice is ever answered; the URL is compared with the
  manifest's names, never joined to a path, so ``..`` or any other name is just unknown;
- :meth:`BoardVoice.clip_urls`: each clip's URL with a version (size and modification
  time), so browsers may cache them for a year and still get a replaced recording.

Flask config (all optional): ``BOARD_SOUNDS_DIR`` (default ``$MOTCUA_SOUNDS_DIR`` or the
repository's ``sounds/``), ``BOARD_VOICE`` (default: the manifest's), ``BOARD_REPEATS``
(2), ``BOARD_READING_MODE`` (``whole`` | ``digits``), ``BOARD_DIALECT`` (``north`` |
``south``), ``BOARD_TEMPLATE`` and ``BOARD_RECALL_TEMPLATE`` ("" = the defaults) — the
same meaning and defaults as the display's ``[announcer]`` table (docs/voice.md).
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from motcua.speech import (
    DEFAULT_RECALL_TEMPLATE,
    DEFAULT_TEMPLATE,
    Manifest,
    check_template,
    parse_manifest,
    plan_announcement,
)

log = logging.getLogger(__name__)

#: Same variable as :mod:`motcua.speech.sound.library` (not imported: it needs numpy).
SOUNDS_DIR_ENV = "MOTCUA_SOUNDS_DIR"
MANIFEST_NAME = "manifest.toml"
#: Content types of the clip formats the manifest allows.
AUDIO_TYPES = {".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
               ".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg"}
MODES = ("whole", "digits")
DIALECTS = ("north", "south")


def default_sounds_dir() -> Path:
    """``$MOTCUA_SOUNDS_DIR`` if set, else the ``sounds/`` folder of this checkout."""
    configured = os.environ.get(SOUNDS_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "sounds"


@dataclass(frozen=True)
class VoiceSettings:
    """How calls are spoken; the defaults are the display announcer's."""

    sounds_dir: Path
    voice: str = ""
    repeats: int = 2
    mode: str = "whole"
    dialect: str = "north"
    template: str = DEFAULT_TEMPLATE
    recall_template: str = DEFAULT_RECALL_TEMPLATE

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "VoiceSettings":
        """Settings from the Flask config's ``BOARD_*`` keys.

        Raises:
            ValueError: naming the bad key.
        """
        repeats = int(config.get("BOARD_REPEATS", 2))
        if not 1 <= repeats <= 5:
            raise ValueError(f"BOARD_REPEATS: expected 1 to 5, not {repeats}")
        mode = config.get("BOARD_READING_MODE", "whole")
        if mode not in MODES:
            raise ValueError(f"BOARD_READING_MODE: expected one of {MODES}, not {mode!r}")
        dialect = config.get("BOARD_DIALECT", "north")
        if dialect not in DIALECTS:
            raise ValueError(f"BOARD_DIALECT: expected one of {DIALECTS}, not {dialect!r}")
        templates = {}
        for key, default in (("BOARD_TEMPLATE", DEFAULT_TEMPLATE),
                             ("BOARD_RECALL_TEMPLATE", DEFAULT_RECALL_TEMPLATE)):
            templates[key] = config.get(key) or default
            try:
                check_template(templates[key])
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        sounds_dir = config.get("BOARD_SOUNDS_DIR")
        return cls(sounds_dir=Path(sounds_dir) if sounds_dir else default_sounds_dir(),
                   voice=config.get("BOARD_VOICE", ""), repeats=repeats, mode=mode,
                   dialect=dialect, template=templates["BOARD_TEMPLATE"],
                   recall_template=templates["BOARD_RECALL_TEMPLATE"])


class BoardVoice:
    """One voice's clips and plans for the web board; see the module docstring."""

    def __init__(self, settings: VoiceSettings, url_prefix: str = "/display/sounds") -> None:
        self.settings = settings
        self.manifest: Manifest = parse_manifest(
            (settings.sounds_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        voice = self.manifest.voice(settings.voice or None)
        self.voice = voice.name
        self.voice_dir = settings.sounds_dir / voice.directory
        #: file name -> (clip name, path, version) for every clip whose file exists.
        self._files: dict[str, tuple[str, Path, str]] = {}
        missing = []
        for clip in self.manifest.clips.values():
            path = self.voice_dir / clip.file
            try:
                stat = path.stat()
            except OSError:
                missing.append(clip.name)
                continue
            self._files[clip.file] = (clip.name, path, f"{stat.st_size:x}-{stat.st_mtime_ns:x}")
        if missing:
            log.warning("web board voice %s: no file for clips %s (calls fall back)",
                        self.voice, ", ".join(sorted(missing)))
        self.available = frozenset(name for name, _path, _version in self._files.values())
        self._urls = {name: f"{url_prefix}/{self.voice}/{file}?v={version}"
                      for file, (name, _path, version) in self._files.items()}

    @functools.lru_cache(maxsize=512)
    def plan(self, ticket: str, counter: int, recall: int = 0) -> Mapping[str, Any]:
        """``plan_announcement(...).as_json()`` of a call with this voice's settings and
        available clips (never raises for a bad ticket: the plan is then the chime)."""
        settings = self.settings
        planned = plan_announcement(
            ticket, counter, self.manifest, recall=recall, repeats=settings.repeats,
            mode=settings.mode, dialect=settings.dialect, template=settings.template,
            recall_template=settings.recall_template, available=self.available)
        if planned.problems:
            log.warning("web board plan for %s at counter %s: %s", ticket, counter,
                        "; ".join(planned.problems))
        return planned.as_json()

    def clip_urls(self) -> dict[str, str]:
        """Clip name -> versioned URL, for every clip that can be played."""
        return dict(self._urls)

    def clip_file(self, voice: str, file: str) -> Path | None:
        """The file served as ``<voice>/<file>``, or None (unknown voice or file)."""
        if voice != self.voice:
            return None
        entry = self._files.get(file)
        return entry[1] if entry is not None else None

    @staticmethod
    def content_type(path: Path) -> str:
        return AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")
