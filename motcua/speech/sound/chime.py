"""The attention chime, synthesised (no recording to download or license)."""

from __future__ import annotations

import numpy as np

#: Two bell-like tones, high then low ("ding-dong"): E5 then C5.
TONES_HZ = (659.25, 523.25)
TONE_STARTS_S = (0.0, 0.42)
LENGTH_S = 1.25
#: Peak level: the chime is then about as loud (RMS) as the words that follow.
PEAK_DBFS = -8.0


def synthesise_chime(sample_rate: int) -> np.ndarray:
    """A two-tone chime, mono float32, peak at -8 dBFS (about -20 dBFS RMS, as loud as the
    speech clips): each tone a fundamental with two soft partials, a 5 ms attack (no
    click) and an exponential decay."""
    times = np.arange(int(sample_rate * LENGTH_S), dtype=np.float64) / sample_rate
    signal = np.zeros_like(times)
    for frequency, start in zip(TONES_HZ, TONE_STARTS_S):
        local = times - start
        active = local >= 0
        t = local[active]
        envelope = np.minimum(t / 0.005, 1.0) * np.exp(-t / 0.32)
        tone = (np.sin(2 * np.pi * frequency * t)
                + 0.35 * np.sin(2 * np.pi * 2 * frequency * t) * np.exp(-t / 0.15)
                + 0.12 * np.sin(2 * np.pi * 3 * frequency * t) * np.exp(-t / 0.08))
        signal[active] += envelope * tone
    # Fade the tail so the clip ends on silence, not on a cut.
    fade = int(sample_rate * 0.05)
    signal[-fade:] *= np.linspace(1.0, 0.0, fade)
    return (signal / np.max(np.abs(signal)) * 10 ** (PEAK_DBFS / 20)).astype(np.float32)
