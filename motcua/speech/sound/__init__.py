"""The audio side of the call-out voice (numpy + soundfile): clips, assembly, building."""

from .library import (
    AnnouncementBuilder,
    ClipLibrary,
    Utterance,
    default_sounds_dir,
    load_manifest,
)

__all__ = ["AnnouncementBuilder", "ClipLibrary", "Utterance", "default_sounds_dir",
           "load_manifest"]
