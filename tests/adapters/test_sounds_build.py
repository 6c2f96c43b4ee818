"""Building the clip library: trimming, loudness, the chime, espeak-ng and gTTS (mocked
HTTP, since the machine is offline), and the committed clips themselves."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import requests
import soundfile

from motcua.speech.sound.build import (
    EspeakEngine,
    GttsEngine,
    build_voice,
    engine_for,
)
from motcua.speech.sound.chime import synthesise_chime
from motcua.speech.sound.library import ClipLibrary, load_manifest
from motcua.speech.sound.pcm import normalise_loudness, read_audio, trim_silence
from tests.conftest import missing_dependency

REPO = Path(__file__).resolve().parents[2]
RATE = 22050


def dbfs(samples: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def tone(seconds: float, frequency: float = 440.0, amplitude: float = 0.3,
         rate: int = RATE) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def padded_tone() -> np.ndarray:
    """0.3 s silence, 0.4 s of 440 Hz, 0.5 s silence."""
    return np.concatenate([np.zeros(int(RATE * 0.3), np.float32), tone(0.4),
                           np.zeros(int(RATE * 0.5), np.float32)])


@pytest.fixture()
def sounds_dir(tmp_path: Path) -> Path:
    """A private copy of the manifest (no clips), so builds never touch the repository."""
    target = tmp_path / "sounds"
    target.mkdir()
    shutil.copy(REPO / "sounds" / "manifest.toml", target / "manifest.toml")
    return target


def need_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        missing_dependency("espeak-ng is not installed (scripts/setup.sh installs it)")


def test_trim_keeps_the_sound_and_a_small_margin() -> None:
    """Given 0.3 s silence + 0.4 s tone + 0.5 s silence, when trimmed, then 0.4 s of tone
    remains plus at most 15 ms of margin and one 10 ms analysis frame either side."""
    trimmed = trim_silence(padded_tone(), RATE)
    assert 0.4 <= trimmed.size / RATE <= 0.4 + 2 * (0.015 + 0.010)


def test_normalise_brings_clips_to_the_same_loudness() -> None:
    """Given a quiet and a loud tone, when normalised, then both are at -20 dBFS RMS; an
    impulse is limited by its -1 dBFS peak instead."""
    for amplitude in (0.01, 0.9):
        assert dbfs(normalise_loudness(tone(0.5, amplitude=amplitude))) == pytest.approx(
            -20.0, abs=0.05)
    impulse = np.zeros(RATE, np.float32)
    impulse[100] = 0.1
    assert np.max(np.abs(normalise_loudness(impulse))) == pytest.approx(10 ** (-1 / 20), 1e-4)


def test_chime_is_two_tones_high_then_low() -> None:
    """Given the synthesised chime, then it lasts 1.25 s, peaks at -8 dBFS, and its first
    0.4 s ring at E5 (659 Hz) and its last part at C5 (523 Hz)."""
    chime = synthesise_chime(RATE)
    assert chime.size == int(RATE * 1.25)
    assert np.max(np.abs(chime)) == pytest.approx(10 ** (-8 / 20), 1e-4)

    def dominant(part: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(part * np.hanning(part.size)))
        return float(np.fft.rfftfreq(part.size, 1 / RATE)[np.argmax(spectrum)])

    assert dominant(chime[:int(RATE * 0.4)]) == pytest.approx(659.25, abs=5)
    assert dominant(chime[int(RATE * 0.5):int(RATE * 1.0)]) == pytest.approx(523.25, abs=5)


def test_gtts_build_trims_and_normalises_the_mp3(sounds_dir: Path, monkeypatch) -> None:
    """Given gTTS answering with an MP3 of 0.3 s silence + 0.4 s tone + 0.5 s silence
    (write_to_fp mocked: no network here), when digit_1 and the chime are built with the
    gtts engine, then gTTS was asked for "một" in vi / com.vn, and the clip is an OGG of
    about 0.4 s at -20 dBFS, made by gtts."""
    from gtts import gTTS

    mp3 = io.BytesIO()
    soundfile.write(mp3, padded_tone(), RATE, format="MP3")
    asked: list[tuple[str, str, str]] = []

    def fake_write_to_fp(self, fp) -> None:
        asked.append((self.text, self.lang, self.tld))
        fp.write(mp3.getvalue())

    monkeypatch.setattr(gTTS, "write_to_fp", fake_write_to_fp)
    manifest = load_manifest(sounds_dir)
    report = build_voice(manifest, sounds_dir, engine=engine_for("gtts", manifest.voice()),
                         only=["digit_1", "chime"])
    assert asked == [("một", "vi", "com.vn")]
    assert report.made_by == {"chime": "python", "digit_1": "gtts"}
    path = sounds_dir / "vi" / "digit_1.ogg"
    assert soundfile.info(str(path)).format == "OGG"
    assert soundfile.info(str(path)).subtype == "VORBIS"
    clip = read_audio(path, RATE)
    assert 0.38 <= clip.size / RATE <= 0.45
    assert dbfs(clip) == pytest.approx(-20.0, abs=0.5)


def _offline(monkeypatch) -> None:
    """Every HTTP request fails as it does on this machine (no route to the internet)."""
    def refuse(self, request, **kwargs):
        raise requests.ConnectionError("Failed to establish a new connection")

    monkeypatch.setattr(requests.Session, "send", refuse)


def test_gtts_offline_fails_each_clip_without_fallback(sounds_dir: Path, monkeypatch) -> None:
    """Given no network, when gtts builds two clips without fallback, then both are
    reported failed with gTTS's error and no file is written."""
    _offline(monkeypatch)
    manifest = load_manifest(sounds_dir)
    report = build_voice(manifest, sounds_dir, engine=GttsEngine(), only=["digit_1", "ten"])
    assert sorted(report.failed) == ["digit_1", "ten"]
    assert "gTTS could not say 'một'" in report.failed["digit_1"]
    assert not (sounds_dir / "vi" / "digit_1.ogg").exists()


def test_gtts_offline_falls_back_to_espeak(sounds_dir: Path, monkeypatch) -> None:
    """Given no network, when gtts builds with the espeak-ng fallback, then the clip is
    made by espeak and is non-silent speech of plausible length."""
    need_espeak()
    _offline(monkeypatch)
    manifest = load_manifest(sounds_dir)
    report = build_voice(manifest, sounds_dir, engine=GttsEngine(),
                         fallback=EspeakEngine("vi"), only=["digit_1"])
    assert report.made_by == {"digit_1": "espeak"} and report.failed == {}
    clip = read_audio(sounds_dir / "vi" / "digit_1.ogg", RATE)
    assert 0.1 <= clip.size / RATE <= 1.0
    assert dbfs(clip) == pytest.approx(-20.0, abs=1.0)


def test_espeak_builds_a_whole_voice(sounds_dir: Path) -> None:
    """Given espeak-ng, when every clip of the default voice is built, then all 51 clips
    load, none fails, each starts on sound (trimmed) and the voice is under 400 KB."""
    need_espeak()
    manifest = load_manifest(sounds_dir)
    report = build_voice(manifest, sounds_dir, engine=engine_for("espeak", manifest.voice()))
    assert report.failed == {} and len(report.made_by) == len(manifest.clips) == 51
    library = ClipLibrary(manifest, sounds_dir / "vi")
    assert library.preload() == []
    assert library.size_bytes() < 400_000
    phrase = library.clip("phrase_invite")
    assert 1.0 <= phrase.size / RATE <= 4.0
    first_loud = np.argmax(np.abs(phrase) > 0.01) / RATE
    assert first_loud < 0.05


def test_committed_clips_are_complete_and_compact() -> None:
    """Given the committed vi voice, then every clip of the manifest is an OGG Vorbis mono
    file of at most 3 s that is not silent, and the folder is under 400 KB."""
    manifest = load_manifest(REPO / "sounds")
    total = 0
    for clip in manifest.clips.values():
        path = REPO / "sounds" / "vi" / clip.file
        info = soundfile.info(str(path))
        assert (info.format, info.subtype, info.channels) == ("OGG", "VORBIS", 1), clip.name
        assert 0.1 <= info.duration <= 3.0, clip.name
        assert dbfs(read_audio(path, RATE)) > -30, clip.name
        total += path.stat().st_size
    assert total < 400_000
