"""The public view of a dossier: what the kiosk and ``GET /api/v1/dossiers/{code}`` show.

Personal data is masked here (:mod:`.masking`), lateness computed here (:mod:`.lateness`),
labels come from :mod:`.status`: one function, so every public surface shows the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from motcua.contract import DossierStep, DossierView, ProcedureRef
from motcua.contract.fields import MAX_NAME_CHARS

from .calendar import WorkCalendar
from .lateness import lateness
from .masking import mask_name, mask_phone
from .procedures import Procedure
from .status import STAGES, DossierStatus

#: Vietnam has one time zone; a site's own comes from its setup.
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _text(value: Any) -> str:
    return str(value or "")[:MAX_NAME_CHARS]


def _local_day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return at.astimezone(tz).date()


def public_view(dossier_row: Mapping[str, Any], events: Sequence[Mapping[str, Any]],
                procedure: Procedure | None, calendar: WorkCalendar, now: dt.datetime,
                return_service: str | None, tz: dt.tzinfo = DEFAULT_TZ) -> DossierView:
    """The masked :class:`DossierView` of a stored dossier as of ``now``.

    ``dossier_row`` has the columns of the ``dossier`` table, ``events`` those of
    ``dossier_event`` (oldest first). ``procedure`` None (no longer in the catalog) shows
    the procedure code as its name. ``returnable`` is true at status 9 only;
    ``return_service`` is given only then. ``apology`` is the note of the latest event that
    set a new appointment date, shown only while the dossier is late.
    """
    status = DossierStatus(dossier_row["status"])
    history = [(int(e["status"]), _local_day(e["at"], tz)) for e in events]
    if not history:  # a dossier always has an event; guard a hand-edited database
        history = [(int(status), _local_day(dossier_row["received_at"], tz))]
    computed = lateness(dossier_row["appointment_date"], history, _local_day(now, tz),
                        calendar)
    apology = None
    if computed == "late":
        apology = next((_text(e["note"]) for e in reversed(events)
                        if e.get("new_appointment_date") is not None), None)
    code = dossier_row["procedure_code"]
    reference = ProcedureRef(code=code, name=_text(procedure.name if procedure else code),
                             field=_text(procedure.field if procedure else ""))
    returnable = status is DossierStatus.READY
    return DossierView(
        code=dossier_row["code"],
        procedure=reference,
        applicant=mask_name(dossier_row["applicant_name"]),
        phone=mask_phone(dossier_row.get("applicant_phone") or ""),
        status=int(status),
        label=status.label,
        stage=STAGES[status],
        received_at=dossier_row["received_at"].astimezone(tz),
        appointment=dossier_row["appointment_date"],
        new_appointment=dossier_row.get("new_appointment_date"),
        apology=apology,
        lateness=computed,
        returnable=returnable,
        return_service=return_service if returnable else None,
        timeline=[DossierStep(status=int(e["status"]), label=DossierStatus(e["status"]).label,
                              stage=STAGES[DossierStatus(e["status"])], at=e["at"].astimezone(tz),
                              note=_text(e["note"]))
                  for e in events],
    )
