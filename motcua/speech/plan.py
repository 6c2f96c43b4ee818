"""The full plan of one announcement: which clips play, in which order, after which pause.

Pure: standard library only, no I/O. The pygame/WAV announcer assembles its PCM from this
plan and the hub's web board can play the same clips in the same order from it
(:meth:`AnnouncementPlan.as_json`). Which clip files exist is passed in (``available``),
so the fallbacks are decided here too:

1. the call as asked (template, ``mode``);
2. if a word has no clip or a clip is unavailable: the ticket digit by digit;
3. if that cannot be said either, or the ticket is malformed: the chime alone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .manifest import Manifest
from .numbers import BadNumber, Dialect, Mode
from .phrases import (
    DEFAULT_RECALL_TEMPLATE,
    DEFAULT_TEMPLATE,
    announcement_text,
    announcement_words,
    plan_clips,
)


@dataclass(frozen=True)
class PlannedClip:
    """Play ``clip`` after ``pause_ms`` of silence."""

    clip: str
    pause_ms: int


@dataclass(frozen=True)
class AnnouncementPlan:
    """What one announcement plays. ``fallback`` is None, "digits" or "chime";
    ``problems`` says, for the log, which words or clips were missing and in which reading."""

    words: tuple[str, ...]
    steps: tuple[PlannedClip, ...]
    fallback: str | None
    problems: tuple[str, ...] = ()

    @property
    def clips(self) -> tuple[str, ...]:
        return tuple(step.clip for step in self.steps)

    @property
    def text(self) -> str:
        return announcement_text(list(self.words))

    def as_json(self) -> dict:
        """``{"text", "fallback", "steps": [{"clip", "pause_ms"}, ...]}`` for a web page."""
        return {"text": self.text, "fallback": self.fallback,
                "steps": [{"clip": step.clip, "pause_ms": step.pause_ms} for step in self.steps]}


def plan_announcement(
    ticket: str,
    counter: int | str,
    manifest: Manifest,
    *,
    recall: int = 0,
    repeats: int = 2,
    mode: Mode = "whole",
    dialect: Dialect = "north",
    template: str = DEFAULT_TEMPLATE,
    recall_template: str = DEFAULT_RECALL_TEMPLATE,
    available: Collection[str] | None = None,
) -> AnnouncementPlan:
    """The chime, then the phrase ``repeats`` times, with the manifest's pauses.

    ``available``: names of the clips that can be played (default: every clip of the
    manifest). Raises TemplateError for a bad template; never for a bad ticket (chime).
    """
    usable = set(manifest.clips) if available is None else set(available)
    problems: list[str] = []
    words: list[str] = []
    phrase: list[str] = []
    fallback: str | None = "chime"
    readings: list[Mode] = [mode] + (["digits"] if mode == "whole" else [])
    for attempt, reading in enumerate(readings):
        try:
            candidate = announcement_words(ticket, counter, recall=recall, template=template,
                                           recall_template=recall_template, mode=reading,
                                           dialect=dialect)
        except BadNumber as exc:
            problems.append(f"cannot read: {exc}")
            break
        plan = plan_clips(candidate, manifest)
        unavailable = [name for name in plan.clips if name not in usable]
        if not plan.missing and not unavailable:
            words, phrase, fallback = candidate, plan.clips, ("digits" if attempt else None)
            break
        problems.append(f"{reading} reading: no clip for words {plan.missing}, "
                        f"clips unavailable {unavailable}")
    return AnnouncementPlan(words=tuple(words), steps=tuple(_steps(phrase, manifest, repeats,
                                                                   usable)),
                            fallback=fallback, problems=tuple(problems))


def _steps(phrase: list[str], manifest: Manifest, repeats: int,
           usable: set[str]) -> list[PlannedClip]:
    timing = manifest.timing
    chime = manifest.chime()
    steps: list[PlannedClip] = []
    if chime is not None and chime in usable:
        steps.append(PlannedClip(chime, 0))
    if not phrase:
        return steps
    kinds = [manifest.clips[name].kind for name in phrase]
    for repeat in range(max(1, repeats)):
        for index, name in enumerate(phrase):
            if index:
                pause = (timing.phrase_gap_ms if "phrase" in (kinds[index - 1], kinds[index])
                         else timing.word_gap_ms)
            elif repeat:
                pause = timing.between_repeats_ms
            else:
                pause = timing.after_chime_ms if steps else 0
            steps.append(PlannedClip(name, pause))
    return steps
