"""The call-out phrase, its clips, and the committed manifest."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from motcua.speech import (
    LETTER_NAMES,
    ManifestError,
    MissingClip,
    TemplateError,
    announcement_text,
    announcement_words,
    clips_for,
    parse_manifest,
    plan_announcement,
    plan_clips,
    read_ticket,
    spoken_text,
)

REPO = Path(__file__).resolve().parents[2]
MANIFEST = parse_manifest((REPO / "sounds" / "manifest.toml").read_text(encoding="utf-8"))


def test_the_recommended_call() -> None:
    """Given A015 at counter 3, when the call is built, then it is the domain guide's
    sentence word for word."""
    words = announcement_words("A015", 3)
    assert announcement_text(words) == (
        "Xin mời công dân có số thứ tự A mười lăm đến quầy số ba")


def test_recall_wording() -> None:
    """Given a recall (bool or count), when the call is built, then it says "lần nữa"."""
    expected = "Xin mời lần nữa công dân có số thứ tự B một trăm linh năm đến quầy số mười hai"
    assert announcement_text(announcement_words("B105", 12, recall=True)) == expected
    assert announcement_text(announcement_words("B105", 12, recall=2)) == expected
    assert "lần nữa" not in announcement_text(announcement_words("B105", 12, recall=0))


def test_digit_mode_keeps_the_counter_whole() -> None:
    """Given digit-by-digit mode, when A015 is called to counter 21, then the ticket is
    read digit by digit and the counter whole."""
    assert announcement_text(announcement_words("A015", 21, mode="digits")) == (
        "Xin mời công dân có số thứ tự A không một năm đến quầy số hai mươi mốt")


def test_custom_template_with_punctuation() -> None:
    """Given a template with a comma and another order, when built, then punctuation is
    dropped from the words and the placeholders are filled."""
    words = announcement_words("C021", 4, template="Mời quầy số {counter}, số {ticket}.")
    assert words == ["Mời", "quầy", "số", "bốn", "số", "C", "hai", "mươi", "mốt"]


@pytest.mark.parametrize("template", [
    "Xin mời số {ticket}", "{ticket} {ticket} {counter}", "Mời {ticket} quầy {counter} {name}",
])
def test_bad_templates_are_refused(template: str) -> None:
    """Given a template missing a placeholder, repeating one or using an unknown one, when
    a call is built, then TemplateError is raised."""
    with pytest.raises(TemplateError):
        announcement_words("A015", 3, template=template)


# Phrase -> exact clip list (fixed phrases as whole clips).
CLIP_LISTS = [
    ("A015", 3, 0, "whole",
     ["phrase_invite", "letter_a", "ten", "five_after_ten", "phrase_to_counter", "digit_3"]),
    ("A015", 3, 0, "digits",
     ["phrase_invite", "letter_a", "digit_0", "digit_1", "digit_5", "phrase_to_counter",
      "digit_3"]),
    ("B121", 21, 1, "whole",
     ["phrase_invite_again", "letter_b", "digit_1", "hundred", "digit_2", "tens",
      "one_after_tens", "phrase_to_counter", "digit_2", "tens", "one_after_tens"]),
    ("C1005", 10, 0, "whole",
     ["phrase_invite", "letter_c", "digit_1", "thousand_north", "digit_0", "hundred",
      "zero_tens_north", "digit_5", "phrase_to_counter", "ten"]),
    ("H025", 15, 0, "whole",
     ["phrase_invite", "letter_h", "digit_2", "tens", "five_after_ten", "phrase_to_counter",
      "ten", "five_after_ten"]),
]


@pytest.mark.parametrize(("ticket", "counter", "recall", "mode", "clips"), CLIP_LISTS)
def test_phrase_to_exact_clip_list(ticket, counter, recall, mode, clips) -> None:
    """Given a call, when its words are mapped to the committed manifest, then the clip list
    is exact: each fixed phrase one clip, then one clip per word."""
    words = announcement_words(ticket, counter, recall=recall, mode=mode)
    assert clips_for(words, MANIFEST) == clips


def test_south_clips() -> None:
    """Given the Southern dialect, when C1005 is mapped, then ngàn and lẻ clips are used."""
    words = announcement_words("C1005", 1, dialect="south")
    assert clips_for(words, MANIFEST)[2:8] == [
        "digit_1", "thousand_south", "digit_0", "hundred", "zero_tens_south", "digit_5"]


def test_words_without_a_clip_are_reported() -> None:
    """Given a template word the manifest has no clip for, when mapped, then MissingClip
    names it and plan_clips keeps the clips it found."""
    words = announcement_words("A015", 3, template="Kính mời {ticket} đến quầy số {counter}")
    with pytest.raises(MissingClip) as caught:
        clips_for(words, MANIFEST)
    assert caught.value.words == ["Kính", "mời"]
    plan = plan_clips(words, MANIFEST)
    assert plan.clips == ["letter_a", "ten", "five_after_ten", "phrase_to_counter", "digit_3"]


def test_spoken_text_names_the_letters() -> None:
    """Given words with a letter, when made into engine text, then B is said bê."""
    assert spoken_text(read_ticket("B015")) == "bê mười lăm"


def test_manifest_covers_every_word_and_letter() -> None:
    """Given the committed manifest, then every digit, number word (both dialects), letter
    and default phrase has a clip, and the manifest has a chime and the vi voice."""
    words = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười",
             "mươi", "mốt", "tư", "lăm", "trăm", "linh", "lẻ", "nghìn", "ngàn"]
    assert len(plan_clips(words, MANIFEST).clips) == len(words)
    assert plan_clips(list(LETTER_NAMES), MANIFEST).missing == []
    assert MANIFEST.chime() == "chime"
    assert MANIFEST.voice().directory == "vi"
    assert MANIFEST.clips["letter_b"].text == "bê"
    assert MANIFEST.clips["phrase_invite_again"].text == "Xin mời lần nữa công dân có số thứ tự"


@pytest.mark.parametrize(("text", "message"), [
    ("format = 2", "format"),
    ("format = 1\n[voices.vi]\nengine = 'festival'", "voices.vi.engine"),
    ("format = 1\n[voices.vi]\n[clips.x]\nkind = 'word'", "clips.x.text"),
    ("format = 1\n[voices.vi]\n[clips.a]\ntext='a'\n[clips.b]\ntext='A'", "clips.b"),
    ("format = 1\n[voices.vi]\n[clips.x]\ntext='a'\nfile='../x.ogg'", "clips.x.file"),
    ("format = 1\n[voices.vi]\ncolour = 1", "colour"),
])
def test_malformed_manifests_name_the_key(text: str, message: str) -> None:
    """Given a bad manifest, when parsed, then ManifestError names the offending key."""
    with pytest.raises(ManifestError, match=message.replace(".", r"\.")):
        parse_manifest(text)


def test_pure_modules_import_only_the_standard_library() -> None:
    """Given motcua/speech's pure modules, then they import nothing outside the standard
    library and the package (so the hub's web board can reuse them)."""
    for name in ("__init__", "numbers", "phrases", "manifest", "plan"):
        tree = ast.parse((REPO / "motcua" / "speech" / f"{name}.py").read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                assert root in sys.stdlib_module_names or root == "__future__", (name, root)


def test_announcement_plan_steps_and_pauses() -> None:
    """Given A015 at counter 3 said twice with the committed timing (words 30 ms, around
    phrases 120 ms, 300 ms after the chime, 900 ms between repeats), when planned, then
    the steps are exact and serialise for a web page."""
    plan = plan_announcement("A015", 3, MANIFEST, repeats=2)
    phrase = [("letter_a", 120), ("ten", 30), ("five_after_ten", 30),
              ("phrase_to_counter", 120), ("digit_3", 120)]
    assert [(step.clip, step.pause_ms) for step in plan.steps] == [
        ("chime", 0), ("phrase_invite", 300), *phrase, ("phrase_invite", 900), *phrase]
    assert plan.fallback is None and plan.problems == ()
    document = plan.as_json()
    assert document["text"] == "Xin mời công dân có số thứ tự A mười lăm đến quầy số ba"
    assert document["steps"][:2] == [{"clip": "chime", "pause_ms": 0},
                                     {"clip": "phrase_invite", "pause_ms": 300}]


def test_announcement_plan_fallbacks() -> None:
    """Given "lăm" unavailable, A015 is planned digit by digit; given "đến quầy số" and
    the chime unavailable, or a malformed ticket, only what can play is planned."""
    everything = set(MANIFEST.clips)
    digits = plan_announcement("A015", 3, MANIFEST, repeats=1,
                               available=everything - {"five_after_ten"})
    assert digits.fallback == "digits"
    assert digits.text == "Xin mời công dân có số thứ tự A không một năm đến quầy số ba"
    assert "five_after_ten" in digits.problems[0]
    chime = plan_announcement("A015", 3, MANIFEST, available=everything - {"phrase_to_counter"})
    assert (chime.clips, chime.fallback, chime.words) == (("chime",), "chime", ())
    silent = plan_announcement("A015", 3, MANIFEST,
                               available=everything - {"phrase_to_counter", "chime"})
    assert silent.steps == ()
    malformed = plan_announcement("A-15", 3, MANIFEST)
    assert malformed.clips == ("chime",) and "cannot read" in malformed.problems[0]
