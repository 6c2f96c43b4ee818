"""The clip library on disk: fallbacks for missing clips, a center's own recordings, the
pygame sink on SDL's dummy driver, and the ``motcua sounds`` commands."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from motcua.cli import main
from motcua.speech.sound import AnnouncementBuilder, ClipLibrary

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def sounds_copy(tmp_path: Path) -> Path:
    """A private copy of the committed sounds folder, safe to damage."""
    target = tmp_path / "sounds"
    shutil.copytree(REPO / "sounds", target)
    return target


def test_missing_number_word_falls_back_to_digits(sounds_copy: Path, caplog) -> None:
    """Given the "lăm" clip deleted, when A015 is built, then it is read digit by digit
    (never mixed), the fallback is reported, and the log names the missing clip; A011,
    which needs no "lăm", is still read whole."""
    (sounds_copy / "vi" / "five_after_ten.ogg").unlink()
    builder = AnnouncementBuilder(ClipLibrary.open(sounds_copy))
    with caplog.at_level(logging.WARNING):
        utterance = builder.build("A015", 3)
    assert utterance.fallback == "digits"
    assert utterance.text == "Xin mời công dân có số thứ tự A không một năm đến quầy số ba"
    assert utterance.clips[3:6] == ("digit_0", "digit_1", "digit_5")
    assert "five_after_ten" in caplog.text
    whole = builder.build("A011", 3)
    assert (whole.fallback, whole.text.split("A ")[1]) == (None, "mười một đến quầy số ba")


def test_missing_phrase_falls_back_to_the_chime(sounds_copy: Path, caplog) -> None:
    """Given the "đến quầy số" clip deleted, when a call is built, then only the chime is
    played and the log names phrase_to_counter."""
    (sounds_copy / "vi" / "phrase_to_counter.ogg").unlink()
    library = ClipLibrary.open(sounds_copy)
    with caplog.at_level(logging.WARNING):
        utterance = AnnouncementBuilder(library).build("A015", 3, repeats=2)
    assert utterance.clips == ("chime",)
    assert utterance.fallback == "chime"
    assert utterance.samples.size == library.clip("chime").size
    assert "phrase_to_counter" in caplog.text


def test_a_centers_own_recording_replaces_a_clip(sounds_copy: Path) -> None:
    """Given digit_3.ogg replaced by a 44.1 kHz stereo recording of 0.5 s, when loaded, then
    it is used as 0.5 s of mono audio at the manifest's 22050 Hz."""
    t = np.arange(22050) / 44100
    stereo = np.stack([np.sin(2 * np.pi * 300 * t)] * 2, axis=1).astype(np.float32) * 0.4
    soundfile.write(sounds_copy / "vi" / "digit_3.ogg", stereo, 44100, format="OGG",
                    subtype="VORBIS")
    library = ClipLibrary.open(sounds_copy)
    clip = library.clip("digit_3")
    assert clip.size == pytest.approx(11025, abs=2)
    assert np.max(np.abs(clip)) == pytest.approx(0.4, abs=0.05)
    assert AnnouncementBuilder(library).build("A001", 3).clips[-1] == "digit_3"


def test_sounds_words_prints_the_phrase_and_clips(capsys) -> None:
    """Given `motcua sounds words A015 3 --clips`, then it prints the sentence and the
    clip names; a malformed ticket exits 2 with a Vietnamese message."""
    assert main(["sounds", "words", "A015", "3", "--clips"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Xin mời công dân có số thứ tự A mười lăm đến quầy số ba",
        "phrase_invite letter_a ten five_after_ten phrase_to_counter digit_3"]
    assert main(["sounds", "words", "A-15", "3"]) == 2
    assert "không đọc được" in capsys.readouterr().err


def test_sounds_say_writes_the_announcement(tmp_path: Path, capsys) -> None:
    """Given `motcua sounds say B105 12 --output FILE`, then FILE is a mono WAV as long as
    the builder's utterance (chime + phrase twice), and the recall wording is used."""
    output = tmp_path / "call.wav"
    assert main(["sounds", "say", "B105", "12", "--recall", "1", "--output", str(output)]) == 0
    expected = AnnouncementBuilder(ClipLibrary.open()).build("B105", 12, recall=1, repeats=2)
    with wave.open(str(output), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getnframes() == expected.samples.size
    assert "Xin mời lần nữa công dân có số thứ tự B một trăm linh năm" in capsys.readouterr().out


def test_sounds_check_lists_missing_clips(sounds_copy: Path, capsys) -> None:
    """Given a voice missing letter_z, when `motcua sounds check` runs, then it exits 1
    and names the clip."""
    (sounds_copy / "vi" / "letter_z.ogg").unlink()
    assert main(["sounds", "--sounds-dir", str(sounds_copy), "check"]) == 1
    output = capsys.readouterr().out
    assert "50 of 51 clips" in output and "missing: letter_z (letter_z.ogg)" in output


PYGAME_SCRIPT = """
import sys, time
from display.audio import PygameSink, open_sink
from motcua.speech.sound import AnnouncementBuilder, ClipLibrary
sink = open_sink("pygame", driver="dummy")
utterance = AnnouncementBuilder(ClipLibrary.open()).build("A001", 1, repeats=1)
began = time.monotonic()
report = sink.play(utterance, volume=0.5)
elapsed = time.monotonic() - began
sink.close()
print(type(sink).__name__, round(utterance.duration_s, 2), round(elapsed, 2),
      report.started >= began)
"""


def test_pygame_sink_plays_to_the_end_on_the_dummy_driver() -> None:
    """Given pygame with SDL's dummy audio driver, when an announcement plays, then play()
    returns only after about the audio's duration (never cut short)."""
    pytest.importorskip("pygame")
    completed = subprocess.run([sys.executable, "-c", PYGAME_SCRIPT], cwd=REPO,
                               capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    name, duration, elapsed, started_ok = completed.stdout.split()[-4:]
    assert name == "PygameSink" and started_ok == "True"
    assert float(duration) - 0.1 <= float(elapsed) <= float(duration) + 2.1


def test_no_sound_card_falls_back_to_wav_files(tmp_path: Path) -> None:
    """Given pygame whose SDL audio driver does not exist here, when the pygame sink is
    opened with a fallback folder, then a WAV sink writing there is returned."""
    pytest.importorskip("pygame")
    script = ("from display.audio import open_sink\n"
              "sink = open_sink('pygame', driver='nosuchdriver',"
              f" fallback_directory={str(tmp_path)!r})\n"
              "print(sink.name, sink.directory)")
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                               text=True, timeout=60, check=False,
                               env={**os.environ, "PYGAME_HIDE_SUPPORT_PROMPT": "1"})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["wav", str(tmp_path)]


def test_sounds_level_trims_and_levels_a_recording(sounds_copy: Path, capsys) -> None:
    """Given a quiet recording of digit_3 with 0.5 s of silence either side, when `motcua
    sounds level --voice vi` runs, then the file is trimmed to about its 0.4 s of sound and
    brought to -20 dBFS, and every clip is reported levelled."""
    rate = 22050
    t = np.arange(int(rate * 0.4)) / rate
    quiet = np.concatenate([np.zeros(rate // 2), 0.02 * np.sin(2 * np.pi * 300 * t),
                            np.zeros(rate // 2)]).astype(np.float32)
    soundfile.write(sounds_copy / "vi" / "digit_3.ogg", quiet, rate, format="OGG",
                    subtype="VORBIS")
    assert main(["sounds", "--sounds-dir", str(sounds_copy), "level", "--voice", "vi"]) == 0
    assert "51 clips levelled, 0 failed" in capsys.readouterr().out
    clip = ClipLibrary.open(sounds_copy).clip("digit_3")
    assert 0.4 <= clip.size / rate <= 0.46
    rms_db = 20 * np.log10(np.sqrt(np.mean(clip.astype(np.float64) ** 2)))
    assert rms_db == pytest.approx(-20.0, abs=0.5)


def test_sounds_words_json_prints_the_plan(capsys) -> None:
    """Given `motcua sounds words A015 3 --json`, then the plan's text, no fallback, and
    the first steps (chime, then the invitation after 300 ms) are printed as JSON."""
    import json

    assert main(["sounds", "words", "A015", "3", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["text"] == "Xin mời công dân có số thứ tự A mười lăm đến quầy số ba"
    assert document["fallback"] is None
    assert document["steps"][:2] == [{"clip": "chime", "pause_ms": 0},
                                     {"clip": "phrase_invite", "pause_ms": 300}]
    assert len(document["steps"]) == 1 + 2 * 6
