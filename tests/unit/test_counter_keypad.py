"""The USB keypad's key map, fed fake evdev events (the device itself is hardware)."""

from __future__ import annotations

import pytest

from counter_panel.keypad import (
    DEFAULT_KEYMAP,
    KeypadTranslator,
    KeypadUnavailable,
    KeyPress,
    evdev_module,
    keymap_with,
)

DOWN, UP, REPEAT = 1, 0, 2


def press_all(translator: KeypadTranslator, names: list[str]) -> list[KeyPress]:
    presses = []
    for name in names:
        for value in (DOWN, REPEAT, UP):
            press = translator.translate(name, value)
            if press is not None:
                presses.append(press)
    return presses


def test_single_keys_map_to_box_keys_on_key_down_only():
    """Given the default map, when +, *, ., -, /, Esc and Enter are pressed (down, repeat,
    up each), then each gives one press: NEXT, RECALL, START, NOSHOW, HOLD, PAUSE, FINISH."""
    presses = press_all(KeypadTranslator(), ["KEY_KPPLUS", "KEY_KPASTERISK", "KEY_KPDOT",
                                             "KEY_KPMINUS", "KEY_KPSLASH", "KEY_ESC",
                                             "KEY_KPENTER"])
    assert [p.key for p in presses] == ["NEXT", "RECALL", "START", "NOSHOW", "HOLD", "PAUSE",
                                        "FINISH"]


def test_login_and_transfer_take_digits_confirmed_with_enter():
    """Given the default map, when NumLock 1 2 3 4 Enter, then Tab 3 Enter are typed, then
    the presses are LOGIN 1234 and TRANSFER 3."""
    translator = KeypadTranslator()
    presses = press_all(translator, ["KEY_NUMLOCK", "KEY_KP1", "KEY_KP2", "KEY_KP3", "KEY_KP4",
                                     "KEY_KPENTER", "KEY_TAB", "KEY_KP3", "KEY_KPENTER"])
    assert presses == [KeyPress("LOGIN", "1234"), KeyPress("TRANSFER", "3")]


def test_cancel_bad_entries_and_stray_digits_send_nothing():
    """Given the default map, when a login is cancelled with Backspace, a 2-digit code is
    confirmed, a transfer to counter 0 is confirmed and digits are typed alone, then no
    press comes out, and the next + is still NEXT."""
    translator = KeypadTranslator()
    presses = press_all(translator, [
        "KEY_NUMLOCK", "KEY_KP1", "KEY_BACKSPACE", "KEY_KPENTER",  # cancel, then Enter=FINISH
        "KEY_NUMLOCK", "KEY_KP1", "KEY_KP2", "KEY_KPENTER",
        "KEY_TAB", "KEY_KP0", "KEY_KPENTER",
        "KEY_KP5", "KEY_KP6", "KEY_F13", "KEY_KPPLUS"])
    assert presses == [KeyPress("FINISH"), KeyPress("NEXT")]


def test_a_key_map_from_config_overrides_the_default_and_rejects_unknown_targets():
    """Given a config map sending KEY_F1 to NEXT and KEY_KPPLUS to RECALL, then F1 is NEXT
    and + is RECALL; a target that is no key is refused naming the evdev key."""
    translator = KeypadTranslator(keymap_with({"KEY_F1": "NEXT", "KEY_KPPLUS": "RECALL"}))
    assert press_all(translator, ["KEY_F1", "KEY_KPPLUS", "KEY_KPDOT"]) == [
        KeyPress("NEXT"), KeyPress("RECALL"), KeyPress("START")]
    assert DEFAULT_KEYMAP["KEY_KPPLUS"] == "NEXT"  # the default is not changed
    with pytest.raises(ValueError, match="KEY_F2"):
        keymap_with({"KEY_F2": "DANCE"})


def test_a_missing_evdev_is_reported_with_the_install_hint():
    """Given python-evdev not installed (it is not in the test environment), when the
    keypad reader needs it, then the error says which extra to install."""
    try:
        import evdev  # noqa: F401
    except ImportError:
        with pytest.raises(KeypadUnavailable, match=r"motcua\[counter-hid\]"):
            evdev_module()
    else:
        assert evdev_module() is not None
