"""The clip manifest (``sounds/manifest.toml``): which clips exist, what each one says.

Pure: the manifest is parsed from its TOML text (``tomllib``), nothing is read from disk
here; :mod:`motcua.speech.sound.library` loads the files it names.

A clip has a name (ASCII, also its default file stem), a kind and the Vietnamese text it
speaks. Words of an announcement are matched to clips by that text (case and Unicode form
ignored); a one-letter word is a ticket letter and is matched by the clip's ``letter``.
A voice is a directory holding one file per clip (same file names for every voice), so a
center records its own voice by replacing the files named here.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

CLIP_KINDS = ("word", "letter", "phrase", "chime")
ENGINES = ("espeak", "gtts", "recorded")


class ManifestError(ValueError):
    """The manifest is malformed; the message names the key."""


@dataclass(frozen=True)
class Clip:
    """One clip: ``text`` is what it says (for a letter, the letter's spoken name)."""

    name: str
    kind: str
    text: str
    file: str
    letter: str | None = None


@dataclass(frozen=True)
class Voice:
    """A directory of clips and how ``motcua sounds build`` renders it."""

    name: str
    directory: str
    engine: str
    description: str = ""
    espeak_voice: str = "vi"
    espeak_speed: int = 150
    gtts_lang: str = "vi"
    gtts_tld: str = "com.vn"


@dataclass(frozen=True)
class Timing:
    """Silences put between clips when an announcement is assembled, in milliseconds."""

    word_gap_ms: int = 40
    phrase_gap_ms: int = 120
    after_chime_ms: int = 300
    between_repeats_ms: int = 900


@dataclass(frozen=True)
class Manifest:
    """Every clip, every voice, the sample rate clips are played at, and the timing."""

    clips: dict[str, Clip]
    voices: dict[str, Voice]
    default_voice: str
    sample_rate: int = 22050
    timing: Timing = field(default_factory=Timing)

    def voice(self, name: str | None = None) -> Voice:
        """The voice called ``name`` (the default voice when None); KeyError if unknown."""
        key = name or self.default_voice
        if key not in self.voices:
            raise KeyError(f"no voice {key!r} in the manifest (voices: {sorted(self.voices)})")
        return self.voices[key]

    def chime(self) -> str | None:
        """Name of the chime clip, if the manifest has one."""
        return next((clip.name for clip in self.clips.values() if clip.kind == "chime"), None)


def normalise_text(text: str) -> str:
    """The form words are compared in: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def parse_manifest(text: str) -> Manifest:
    """Parse the manifest's TOML text; raise ManifestError naming the first bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"not valid TOML: {exc}") from None
    _only(data, "", {"format", "sample_rate", "default_voice", "timing", "voices", "clips"})
    if data.get("format") != 1:
        raise ManifestError("format: expected 1")
    sample_rate = data.get("sample_rate", 22050)
    if not isinstance(sample_rate, int) or not 8000 <= sample_rate <= 48000:
        raise ManifestError("sample_rate: expected an integer from 8000 to 48000")
    timing_data = _table(data, "timing")
    _only(timing_data, "timing.", set(Timing.__dataclass_fields__))
    for key, value in timing_data.items():
        if not isinstance(value, int) or not 0 <= value <= 5000:
            raise ManifestError(f"timing.{key}: expected milliseconds from 0 to 5000")
    voices = {name: _voice(name, table) for name, table in _table(data, "voices").items()}
    if not voices:
        raise ManifestError("voices: at least one voice is needed")
    default_voice = data.get("default_voice", next(iter(voices)))
    if default_voice not in voices:
        raise ManifestError(f"default_voice: {default_voice!r} is not a voice")
    clips = {name: _clip(name, table) for name, table in _table(data, "clips").items()}
    _no_duplicates(clips)
    return Manifest(clips=clips, voices=voices, default_voice=default_voice,
                    sample_rate=sample_rate, timing=Timing(**timing_data))


def _voice(name: str, table: Any) -> Voice:
    where = f"voices.{name}"
    if not isinstance(table, dict):
        raise ManifestError(f"{where}: expected a table")
    _only(table, where + ".", set(Voice.__dataclass_fields__) - {"name"})
    engine = table.get("engine", "espeak")
    if engine not in ENGINES:
        raise ManifestError(f"{where}.engine: expected one of {ENGINES}")
    directory = table.get("directory", name)
    if not isinstance(directory, str) or not directory or ".." in directory.split("/"):
        raise ManifestError(f"{where}.directory: expected a folder inside sounds/")
    return Voice(name=name, **{**table, "directory": directory, "engine": engine})


def _clip(name: str, table: Any) -> Clip:
    where = f"clips.{name}"
    if not name.isascii() or not name.replace("_", "").isalnum():
        raise ManifestError(f"{where}: clip names are ASCII letters, digits and _")
    if not isinstance(table, dict):
        raise ManifestError(f"{where}: expected a table")
    _only(table, where + ".", {"kind", "text", "file", "letter"})
    kind = table.get("kind", "word")
    if kind not in CLIP_KINDS:
        raise ManifestError(f"{where}.kind: expected one of {CLIP_KINDS}")
    text = table.get("text", "")
    if kind != "chime" and (not isinstance(text, str) or not text.strip()):
        raise ManifestError(f"{where}.text: the words the clip says are required")
    letter = table.get("letter")
    if (kind == "letter") != (letter is not None):
        raise ManifestError(f"{where}.letter: required for letter clips, and only for them")
    if letter is not None and (not isinstance(letter, str) or len(letter) != 1
                               or letter != letter.upper()):
        raise ManifestError(f"{where}.letter: expected one upper-case letter")
    file = table.get("file", f"{name}.ogg")
    if not isinstance(file, str) or "/" in file or file.startswith("."):
        raise ManifestError(f"{where}.file: expected a file name inside the voice folder")
    return Clip(name=name, kind=kind, text=unicodedata.normalize("NFC", text).strip(),
                file=file, letter=letter)


def _no_duplicates(clips: dict[str, Clip]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for clip in clips.values():
        if clip.kind == "chime":
            continue
        key = ("letter", clip.letter) if clip.letter else ("text", normalise_text(clip.text))
        if key in seen:
            raise ManifestError(f"clips.{clip.name}: says the same as clips.{seen[key]}")
        seen[key] = clip.name


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ManifestError(f"{key}: expected a table")
    return value


def _only(table: dict, where: str, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ManifestError(f"{where}{unknown[0]}: unknown key")
