"""PCM helpers: decode, convert, trim, normalise and encode mono audio.

Samples are float32 numpy arrays in [-1, 1], mono. Decoding and encoding go through
libsndfile (the ``soundfile`` wheel bundles it with Vorbis, Opus, FLAC and MP3), so no
ffmpeg or sox is needed at build time or at run time.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile

#: Loudness every clip is brought to (RMS of the voiced part), and the peak ceiling.
TARGET_RMS_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0


def read_audio(source: str | Path | BinaryIO, sample_rate: int) -> np.ndarray:
    """Decode any file libsndfile reads (OGG, Opus, FLAC, WAV, MP3) to mono float32 at
    ``sample_rate``. Raises ``soundfile.LibsndfileError``/``OSError`` when it cannot."""
    data, rate = soundfile.read(source, dtype="float32", always_2d=True)
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return resample(mono, rate, sample_rate)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Linear-interpolation resampling: good enough for speech clips recorded at another
    rate (a center's own recordings), and cheap."""
    if from_rate == to_rate or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    count = max(1, round(samples.size * to_rate / from_rate))
    positions = np.arange(count, dtype=np.float64) * (from_rate / to_rate)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def trim_silence(samples: np.ndarray, sample_rate: int, *, threshold_db: float = -40.0,
                 pad_ms: float = 15.0) -> np.ndarray:
    """Cut leading and trailing silence: 10 ms frames quieter than ``threshold_db`` below the
    loudest frame go, keeping ``pad_ms`` either side so consonants are not clipped."""
    frame = max(1, sample_rate // 100)
    count = samples.size // frame
    if count == 0:
        return samples
    frames = samples[:count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    if rms.max() <= 0:
        return samples[:0]
    loud = np.nonzero(rms >= rms.max() * 10 ** (threshold_db / 20))[0]
    pad = int(sample_rate * pad_ms / 1000)
    start = max(0, loud[0] * frame - pad)
    end = min(samples.size, (loud[-1] + 1) * frame + pad)
    return samples[start:end]


def normalise_loudness(samples: np.ndarray, *, target_rms_dbfs: float = TARGET_RMS_DBFS,
                       peak_ceiling_dbfs: float = PEAK_CEILING_DBFS) -> np.ndarray:
    """Scale so the RMS is ``target_rms_dbfs``, but never push the peak past the ceiling:
    every clip then sounds equally loud when the words are strung together."""
    if samples.size == 0:
        return samples
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    peak = float(np.max(np.abs(samples)))
    if rms <= 0 or peak <= 0:
        return samples
    gain = min(10 ** (target_rms_dbfs / 20) / rms, 10 ** (peak_ceiling_dbfs / 20) / peak)
    return (samples * gain).astype(np.float32)


def silence(sample_rate: int, milliseconds: float) -> np.ndarray:
    return np.zeros(int(sample_rate * milliseconds / 1000), dtype=np.float32)


def to_int16(samples: np.ndarray, volume: float = 1.0) -> bytes:
    """Little-endian signed 16-bit PCM of ``samples`` scaled by ``volume`` (0..1)."""
    scaled = np.clip(samples * float(volume), -1.0, 1.0) * 32767.0
    return np.round(scaled).astype("<i2").tobytes()


def wav_bytes(pcm16: bytes, sample_rate: int) -> bytes:
    """A complete mono 16-bit WAV file holding ``pcm16``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm16)
    return buffer.getvalue()


def write_clip(path: Path, samples: np.ndarray, sample_rate: int, *, quality: float = 0.3) -> None:
    """Write a compact OGG Vorbis clip (``quality`` 0..1, libsndfile's VBR quality)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # libsndfile sets the Vorbis quality to 1 - compression_level.
    soundfile.write(path, samples.astype(np.float32), sample_rate, format="OGG",
                    subtype="VORBIS", compression_level=1.0 - quality)
