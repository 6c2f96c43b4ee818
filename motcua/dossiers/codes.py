"""The dossier code on the appointment slip (mã hồ sơ), as a scanner or a keyboard gives it.

The national form is ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`` (DOMAIN.md section 4), e.g.
``000.00.12.H42-230915-0001``; provinces print variants and the format may change, so the
check is a configurable pattern and lenient about what scanners add around the code:
surrounding spaces, a trailing CR/LF or tab, lower-case letters. Anything else that is
not in the pattern (HTML, SQL, control characters, 10 KB of garbage) is refused before
it reaches the hub. Stdlib only: the kiosk imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: DOMAIN.md section 4: unit code (4 dot-separated parts), date received, serial of the day.
DEFAULT_CODE_PATTERN = r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}-\d{6}-\d{4,6}"
#: Longest input looked at: a longer scan is garbage, whatever it contains.
MAX_INPUT_CHARS = 64
_TRIM = " \t\r\n\x00"


@dataclass(frozen=True)
class CodeRule:
    """Which codes are accepted: ``pattern`` must match the whole (upper-cased) code."""

    pattern: str = DEFAULT_CODE_PATTERN
    max_chars: int = MAX_INPUT_CHARS
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            compiled = re.compile(self.pattern)
        except re.error as error:
            raise ValueError(f"dossier code pattern {self.pattern!r} is not a regular "
                             f"expression: {error}") from None
        object.__setattr__(self, "_compiled", compiled)

    def clean(self, raw: object) -> str | None:
        """Return the code in its canonical form (trimmed, upper case), or None when
        ``raw`` is not a dossier code by this rule. Never raises for any input."""
        if not isinstance(raw, str) or len(raw) > self.max_chars + 8:
            return None
        text = raw.strip(_TRIM).upper()
        if not text or len(text) > self.max_chars:
            return None
        if not text.isascii() or not text.isprintable():
            return None
        return text if self._compiled.fullmatch(text) else None


DEFAULT_RULE = CodeRule()


def clean_code(raw: object, rule: CodeRule = DEFAULT_RULE) -> str | None:
    """``rule.clean(raw)``: the canonical code or None."""
    return rule.clean(raw)
