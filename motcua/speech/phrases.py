"""The call-out phrase and the clips that speak it.

Pure: standard library only, no I/O.

``announcement_words("A015", 3)`` -> the words of "Xin mời công dân có số thứ tự A mười lăm
đến quầy số ba"; a recall says "Xin mời lần nữa công dân có số thứ tự …" so the waiting
room hears that the number was already called. ``clips_for(words, manifest)`` maps the
words to clip names, whole fixed phrases first (longest match), then word by word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .manifest import Manifest, normalise_text
from .numbers import LETTER_NAMES, Dialect, Mode, read_counter, read_ticket

#: The recommended call (domain guide, section 6).
DEFAULT_TEMPLATE = "Xin mời công dân có số thứ tự {ticket} đến quầy số {counter}"
#: A recall: the same call with "lần nữa" (once more), so it is heard as a repeat call.
DEFAULT_RECALL_TEMPLATE = "Xin mời lần nữa công dân có số thứ tự {ticket} đến quầy số {counter}"

_PLACEHOLDER = re.compile(r"(\{ticket\}|\{counter\})")
# Punctuation a template may carry for readability; clips have none.
_WORD = re.compile(r"[^\s,.;:!?…]+")


class TemplateError(ValueError):
    """A template must hold {ticket} and {counter} once each and no other placeholder."""


class MissingClip(LookupError):
    """Some words have no clip in the manifest; ``words`` lists them in order."""

    def __init__(self, words: list[str]) -> None:
        super().__init__(f"no clip for: {', '.join(words)}")
        self.words = words


@dataclass(frozen=True)
class ClipPlan:
    """Clip names for the words that have one, and the words that have none."""

    clips: list[str]
    missing: list[str]


def check_template(template: str) -> str:
    """Return ``template`` if it has ``{ticket}`` and ``{counter}`` once each, else raise."""
    if not isinstance(template, str):
        raise TemplateError("a template is text")
    placeholders = _PLACEHOLDER.findall(template)
    if sorted(placeholders) != ["{counter}", "{ticket}"]:
        raise TemplateError(f"{template!r}: needs {{ticket}} and {{counter}} exactly once each")
    rest = _PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        raise TemplateError(f"{template!r}: only {{ticket}} and {{counter}} may be used")
    return template


def announcement_words(
    ticket: str,
    counter: int | str,
    *,
    recall: bool | int = False,
    template: str = DEFAULT_TEMPLATE,
    recall_template: str = DEFAULT_RECALL_TEMPLATE,
    mode: Mode = "whole",
    dialect: Dialect = "north",
) -> list[str]:
    """The words of one call: the template with the ticket read in ``mode`` and the counter
    read whole. A true ``recall`` (or a recall count above 0) uses ``recall_template``.
    Raises BadNumber for a malformed ticket or counter, TemplateError for a bad template."""
    chosen = check_template(recall_template if recall else template)
    fillers = {"{ticket}": read_ticket(ticket, mode, dialect),
               "{counter}": read_counter(counter, dialect)}
    words: list[str] = []
    for part in _PLACEHOLDER.split(chosen):
        words += fillers[part] if part in fillers else _WORD.findall(part)
    return words


def announcement_text(words: list[str]) -> str:
    """The words as one line of text, e.g. for ``motcua sounds words``."""
    return " ".join(words)


def spoken_text(words: list[str]) -> str:
    """The text a speech engine should say: letters replaced by their Vietnamese names."""
    return " ".join(LETTER_NAMES[word] if _is_letter(word) else word for word in words)


def plan_clips(words: list[str], manifest: Manifest) -> ClipPlan:
    """Clip names for ``words``: at each position the longest manifest phrase that matches
    (so a fixed phrase is one recorded clip), else the word's own clip, else the word is
    reported missing. A one-letter upper-case word is a ticket letter."""
    letters = {clip.letter: clip.name for clip in manifest.clips.values() if clip.letter}
    by_text: dict[tuple[str, ...], str] = {}
    for clip in manifest.clips.values():
        if clip.kind in ("word", "phrase"):
            by_text[tuple(normalise_text(clip.text).split())] = clip.name
    longest = max((len(key) for key in by_text), default=1)
    keys = [normalise_text(word) for word in words]
    clips: list[str] = []
    missing: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if _is_letter(word):
            if word in letters:
                clips.append(letters[word])
            else:
                missing.append(word)
            position += 1
            continue
        for size in range(min(longest, len(words) - position), 0, -1):
            name = by_text.get(tuple(keys[position:position + size]))
            if name is not None and not any(map(_is_letter, words[position:position + size])):
                clips.append(name)
                position += size
                break
        else:
            missing.append(word)
            position += 1
    return ClipPlan(clips=clips, missing=missing)


def clips_for(words: list[str], manifest: Manifest) -> list[str]:
    """Clip names that speak ``words`` in order; raise MissingClip naming the words that
    have none (the caller then falls back, see :mod:`motcua.speech.sound.library`)."""
    plan = plan_clips(words, manifest)
    if plan.missing:
        raise MissingClip(plan.missing)
    return plan.clips


def _is_letter(word: str) -> bool:
    return len(word) == 1 and word in LETTER_NAMES
