"""The printer's answer to ``DLE EOT 4`` (paper sensor status), read strictly.

python-escpos's ``paper_status()`` reports an empty answer as "paper adequate"; here an
empty, missing or malformed answer is ``unknown``: a printer that does not answer is
never ``ok``.
"""

from __future__ import annotations

#: Real-time status request, paper sensors (DLE EOT 4).
PAPER_STATUS_REQUEST = b"\x10\x04\x04"

#: Bits fixed in every status byte: bit 1 and bit 4 set, bits 0 and 7 clear.
_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12
#: Bits 2-3: roll paper near-end sensor; bits 5-6: roll paper end sensor.
_NEAR_END, _PAPER_END = 0x0C, 0x60


def paper_state(reply: bytes | None) -> str:
    """``ok``, ``paper_low`` or ``paper_out`` from the status byte, else ``unknown``.

    Only the last byte counts (a late answer to an earlier query may precede it).
    """
    if not reply:
        return "unknown"
    byte = reply[-1]
    if byte & _FIXED_MASK != _FIXED_VALUE:
        return "unknown"
    if byte & _PAPER_END:
        return "paper_out"
    if byte & _NEAR_END:
        return "paper_low"
    return "ok"
