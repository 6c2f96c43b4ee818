"""A procedure of the catalog (thủ tục hành chính): what a citizen needs and how long it takes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Procedure:
    """One procedure. ``code`` is the national procedure code (``1.000234``, or a local
    form such as ``1.000234.000.00.00.H42``), never a dossier code.

    ``processing_days`` is the legal time limit in working days (0: within the day; None:
    no fixed limit, so dossiers of it need their appointment date given on import).
    ``service`` is the queue service a citizen takes a number for to submit it (None: the
    kiosk offers no number for it).
    """

    code: str
    name: str
    field: str
    documents: tuple[str, ...] = ()
    processing_days: int | None = None
    processing_note: str = ""
    fee: str = ""
    service: str | None = None
    active: bool = True
