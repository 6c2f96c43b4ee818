"""Vietnamese call-out speech: reading numbers, building the phrase, naming its clips.

The modules imported here are pure (standard library only, no I/O) so the hub's web board
can reuse them; the audio side (decoding clips, assembling PCM, building the library)
lives in :mod:`motcua.speech.sound`, which needs numpy and soundfile.
"""

from .manifest import Clip, Manifest, ManifestError, Timing, Voice, normalise_text, parse_manifest
from .numbers import (
    DIGITS,
    LETTER_NAMES,
    BadNumber,
    letter_name,
    read_counter,
    read_number,
    read_ticket,
    split_ticket,
)
from .plan import AnnouncementPlan, PlannedClip, plan_announcement
from .phrases import (
    DEFAULT_RECALL_TEMPLATE,
    DEFAULT_TEMPLATE,
    ClipPlan,
    MissingClip,
    TemplateError,
    announcement_text,
    announcement_words,
    check_template,
    clips_for,
    plan_clips,
    spoken_text,
)

__all__ = [name for name in dir() if not name.startswith("_")]
