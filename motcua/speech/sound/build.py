"""``motcua sounds build``: render every clip of the manifest for one voice.

Engines: ``espeak`` (espeak-ng, offline, always available once installed) and ``gtts``
(Google Translate TTS through gTTS: a better voice, but online only). Each clip is
synthesised, converted to the manifest's sample rate, trimmed of leading and trailing
silence, normalised to the same loudness and written as a compact OGG Vorbis file. The
chime is synthesised in Python. With gTTS, a clip it cannot make (no network) is made with
espeak-ng instead unless ``fallback`` is off, and the report says which.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile

from ..manifest import Clip, Manifest, Voice
from .chime import synthesise_chime
from .pcm import normalise_loudness, read_audio, trim_silence, write_clip

log = logging.getLogger(__name__)

ENGINE_NAMES = ("espeak", "gtts")


class EngineError(RuntimeError):
    """The engine could not say a text (not installed, offline, bad voice)."""


class SpeechEngine(Protocol):
    name: str

    def synthesise(self, text: str, sample_rate: int) -> np.ndarray:
        """Mono float32 samples of ``text`` spoken, at ``sample_rate``."""


class EspeakEngine:
    """espeak-ng through its command line (``--stdout`` gives a WAV)."""

    name = "espeak"

    def __init__(self, voice: str = "vi", speed: int = 150, executable: str = "espeak-ng") -> None:
        self.voice, self.speed, self.executable = voice, speed, executable

    def synthesise(self, text: str, sample_rate: int) -> np.ndarray:
        program = shutil.which(self.executable)
        if program is None:
            raise EngineError(f"{self.executable} is not installed "
                              "(Debian: apt-get install espeak-ng)")
        completed = subprocess.run(
            [program, "-v", self.voice, "-s", str(self.speed), "--stdout", text],
            capture_output=True, timeout=30, check=False)
        if completed.returncode != 0 or not completed.stdout:
            raise EngineError(f"espeak-ng failed on {text!r}: "
                              f"{completed.stderr.decode(errors='replace').strip()}")
        return read_audio(io.BytesIO(completed.stdout), sample_rate)


class GttsEngine:
    """gTTS (MP3 from Google Translate), decoded by libsndfile's MP3 support."""

    name = "gtts"

    def __init__(self, lang: str = "vi", tld: str = "com.vn") -> None:
        self.lang, self.tld = lang, tld

    def synthesise(self, text: str, sample_rate: int) -> np.ndarray:
        from gtts import gTTS, gTTSError  # imported here: only the online build needs it

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=self.lang, tld=self.tld).write_to_fp(buffer)
        except (gTTSError, ValueError) as exc:
            raise EngineError(f"gTTS could not say {text!r}: {exc}") from exc
        buffer.seek(0)
        try:
            return read_audio(buffer, sample_rate)
        except (soundfile.LibsndfileError, RuntimeError) as exc:
            raise EngineError(f"gTTS returned audio that cannot be decoded: {exc}") from exc


def engine_for(name: str, voice: Voice) -> SpeechEngine:
    """The engine called ``name`` configured from the voice's manifest entry."""
    factories: dict[str, Callable[[], SpeechEngine]] = {
        "espeak": lambda: EspeakEngine(voice.espeak_voice, voice.espeak_speed),
        "gtts": lambda: GttsEngine(voice.gtts_lang, voice.gtts_tld),
    }
    if name not in factories:
        raise ValueError(f"unknown engine {name!r}; expected one of {ENGINE_NAMES}")
    return factories[name]()


@dataclass
class BuildReport:
    """What a build wrote: clip name -> engine that made it; failures by name."""

    voice_dir: Path
    made_by: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.voice_dir.iterdir() if path.is_file())


def engine_text(clip: Clip) -> str:
    """What the engine is asked to say: hyphenated letter names ("e-lờ") as separate
    syllables, which both engines read more naturally."""
    return clip.text.replace("-", " ")


def render_clip(clip: Clip, engine: SpeechEngine, sample_rate: int) -> np.ndarray:
    """The finished samples of one clip: synthesised, trimmed and normalised."""
    if clip.kind == "chime":
        return synthesise_chime(sample_rate)
    samples = engine.synthesise(engine_text(clip), sample_rate)
    trimmed = trim_silence(samples, sample_rate)
    if trimmed.size == 0:
        raise EngineError(f"{engine.name} produced silence for {clip.text!r}")
    return normalise_loudness(trimmed)


def build_voice(manifest: Manifest, sounds_dir: Path, *, engine: SpeechEngine,
                voice: str | None = None, fallback: SpeechEngine | None = None,
                only: Iterable[str] | None = None, quality: float = 0.3) -> BuildReport:
    """Render the clips of ``voice`` (all, or ``only`` those named) into its folder.

    A clip ``engine`` fails on is made by ``fallback`` when given; otherwise it is
    listed in the report's ``failed``. Existing files are replaced.
    """
    voice_spec = manifest.voice(voice)
    voice_dir = Path(sounds_dir) / voice_spec.directory
    report = BuildReport(voice_dir=voice_dir)
    wanted = set(only) if only is not None else None
    for clip in manifest.clips.values():
        if wanted is not None and clip.name not in wanted:
            continue
        samples, made_by = _render_with_fallback(clip, engine, fallback, manifest.sample_rate,
                                                 report)
        if samples is None:
            continue
        _write(voice_dir / clip.file, samples, manifest.sample_rate, quality)
        report.made_by[clip.name] = made_by
    log.info("built %d clips of voice %s in %s (%d failed)", len(report.made_by),
             voice_spec.name, voice_dir, len(report.failed))
    return report


def _render_with_fallback(clip: Clip, engine: SpeechEngine, fallback: SpeechEngine | None,
                          sample_rate: int, report: BuildReport):
    try:
        return render_clip(clip, engine, sample_rate), ("python" if clip.kind == "chime"
                                                        else engine.name)
    except EngineError as exc:
        if fallback is None:
            log.error("clip %s: %s", clip.name, exc)
            report.failed[clip.name] = str(exc)
            return None, None
        log.warning("clip %s: %s; made with %s instead", clip.name, exc, fallback.name)
    try:
        return render_clip(clip, fallback, sample_rate), fallback.name
    except EngineError as exc:
        log.error("clip %s: %s", clip.name, exc)
        report.failed[clip.name] = str(exc)
        return None, None


def _write(path: Path, samples: np.ndarray, sample_rate: int, quality: float) -> None:
    if path.suffix.lower() == ".ogg":
        write_clip(path, samples, sample_rate, quality=quality)
    else:  # a manifest may name .wav or .flac files; libsndfile picks the format
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(path, samples, sample_rate)


def level_voice(manifest: Manifest, sounds_dir: Path, *, voice: str | None = None,
                quality: float = 0.3) -> BuildReport:
    """Trim and normalise the clips already in a voice's folder (a center's recordings),
    rewriting each in place in the format its name says; unreadable files are reported."""
    voice_dir = Path(sounds_dir) / manifest.voice(voice).directory
    report = BuildReport(voice_dir=voice_dir)
    for clip in manifest.clips.values():
        path = voice_dir / clip.file
        try:
            samples = read_audio(path, manifest.sample_rate)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported
            report.failed[clip.name] = f"cannot read {path.name}: {exc}"
            continue
        trimmed = trim_silence(samples, manifest.sample_rate)
        if trimmed.size == 0:
            report.failed[clip.name] = f"{path.name} is silent"
            continue
        _write(path, normalise_loudness(trimmed), manifest.sample_rate, quality)
        report.made_by[clip.name] = "levelled"
    return report
