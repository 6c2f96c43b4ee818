"""A USB HID keypad (read with evdev) as the keys of a counter without a serial box.

The key map (``[keypad.keys]`` in the bridge config, over :data:`DEFAULT_KEYMAP`) names
what each evdev key does: a box key (``NEXT``, ``RECALL``...), a digit, ``ENTER`` or
``CANCEL``. ``LOGIN`` and ``TRANSFER`` start a number typed in digits and confirmed with
``ENTER`` (``CANCEL`` drops it); ``ENTER`` on its own is ``FINISH``.

:class:`KeypadTranslator` is pure (tests feed it fake events); :class:`KeypadReader`
reads a real device and needs ``python-evdev`` (``pip install 'motcua[counter-hid]'``),
imported only there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from counter_panel.protocol import BUTTON_KEYS, LOGIN_CODE, MAX_TRANSFER_TARGET

log = logging.getLogger(__name__)

DIGITS = tuple("0123456789")
ENTRY_KEYS = ("LOGIN", "TRANSFER")
#: A common 17-key numeric keypad with Esc and Tab.
DEFAULT_KEYMAP: dict[str, str] = {
    "KEY_KPPLUS": "NEXT",
    "KEY_KPASTERISK": "RECALL",
    "KEY_KPDOT": "START",
    "KEY_KPENTER": "ENTER",
    "KEY_KPMINUS": "NOSHOW",
    "KEY_KPSLASH": "HOLD",
    "KEY_ESC": "PAUSE",
    "KEY_TAB": "TRANSFER",
    "KEY_NUMLOCK": "LOGIN",
    "KEY_BACKSPACE": "CANCEL",
    **{f"KEY_KP{digit}": digit for digit in DIGITS},
}
KEY_DOWN = 1  # evdev values: 0 up, 1 down, 2 auto-repeat
ALLOWED_TARGETS = frozenset((*BUTTON_KEYS, "LOGIN", "ENTER", "CANCEL", *DIGITS))


class KeypadUnavailable(RuntimeError):
    """python-evdev is missing or the device cannot be read; ``str()`` says what to do."""


@dataclass(frozen=True)
class KeyPress:
    """One press for the station: a box key and its argument (a code, a counter)."""

    key: str
    argument: str | None = None


def keymap_with(overrides: Mapping[str, str]) -> dict[str, str]:
    """:data:`DEFAULT_KEYMAP` with ``overrides`` on top.

    Raises:
        ValueError: naming an override whose target is not a key, a digit, ENTER or CANCEL.
    """
    bad = sorted(name for name, target in overrides.items() if target not in ALLOWED_TARGETS)
    if bad:
        raise ValueError(f"keypad keys with an unknown target: {', '.join(bad)}")
    return {**DEFAULT_KEYMAP, **overrides}


class KeypadTranslator:
    """Turns evdev key events into :class:`KeyPress` es; see the module docstring."""

    def __init__(self, keymap: Mapping[str, str] = DEFAULT_KEYMAP) -> None:
        self._keymap = dict(keymap)
        self._entry: str | None = None  # LOGIN or TRANSFER while digits are typed
        self._digits = ""

    def translate(self, key_name: str, value: int) -> KeyPress | None:
        """The press that the event completes, or None (key up, repeat, digit, unmapped)."""
        if value != KEY_DOWN:
            return None
        target = self._keymap.get(key_name)
        if target is None:
            log.info("keypad: %s is not mapped", key_name)
            return None
        if target in DIGITS:
            if self._entry is None:
                log.info("keypad: digit %s outside LOGIN/TRANSFER ignored", target)
            elif len(self._digits) < 8:
                self._digits += target
            return None
        if target == "CANCEL":
            self._entry, self._digits = None, ""
            return None
        if target == "ENTER":
            if self._entry is None:
                return KeyPress("FINISH")
            return self._complete_entry()
        self._entry, self._digits = None, ""
        if target in ENTRY_KEYS:
            self._entry = target
            return None
        return KeyPress(target)

    def _complete_entry(self) -> KeyPress | None:
        entry, digits = self._entry, self._digits
        self._entry, self._digits = None, ""
        if entry == "LOGIN" and LOGIN_CODE.fullmatch(digits):
            return KeyPress("LOGIN", digits)
        if (entry == "TRANSFER" and digits.isdigit() and not digits.startswith("0")
                and int(digits) <= MAX_TRANSFER_TARGET):
            return KeyPress("TRANSFER", digits)
        log.warning("keypad: %s with %d digit(s) is not valid: dropped", entry, len(digits))
        return None


class KeypadReader:
    """Reads key events from an evdev device on a thread; reopens it after an unplug."""

    def __init__(self, device_path: str, translator: KeypadTranslator,
                 on_press: Callable[[KeyPress], None], *, reopen_s: float = 1.0) -> None:
        self._path = device_path
        self._translator = translator
        self._on_press = on_press
        self._reopen_s = reopen_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keypad", daemon=True)

    def start(self) -> None:
        evdev_module()  # fail at start, with the message, rather than on the thread
        self._thread.start()

    def close(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        evdev = evdev_module()
        while not self._stop.is_set():
            try:
                device = evdev.InputDevice(self._path)
                device.grab()  # the clerk's keys must not also type into a desktop
                for event in device.read_loop():
                    if self._stop.is_set():
                        return
                    if event.type != evdev.ecodes.EV_KEY:
                        continue
                    names = evdev.ecodes.KEY.get(event.code, f"KEY_{event.code}")
                    name = names[0] if isinstance(names, (list, tuple)) else names
                    press = self._translator.translate(name, event.value)
                    if press is not None:
                        self._on_press(press)
            except OSError as error:
                log.warning("keypad %s: %s: reopening", self._path, error)
                self._stop.wait(self._reopen_s)


def evdev_module():
    """Import python-evdev, or raise :class:`KeypadUnavailable` saying how to install it."""
    try:
        import evdev
    except ImportError:
        raise KeypadUnavailable(
            "USB keypads need python-evdev: pip install 'motcua[counter-hid]' "
            "(bàn phím USB cần python-evdev)") from None
    return evdev
