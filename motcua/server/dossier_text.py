"""Every word of the public dossier lookup page ``/tra-cuu``, Vietnamese first.

Status names in Vietnamese are the national list's (:data:`motcua.dossiers.status.
STATUS_LABELS`), never retyped here; the English beside them is ours.
"""

from __future__ import annotations

import datetime as dt

from motcua.dossiers.status import STATUS_LABELS, DossierStatus

from .text_catalog import LANGUAGES, TextCatalog  # noqa: F401 (LANGUAGES re-exported)

_STATUS_EN: dict[DossierStatus, str] = {
    DossierStatus.SUBMITTED: "Submitted online",
    DossierStatus.RECEIVED: "Received",
    DossierStatus.REFUSED: "Not accepted",
    DossierStatus.IN_PROGRESS: "In progress",
    DossierStatus.NEEDS_SUPPLEMENT: "Documents to add",
    DossierStatus.AWAITING_PAYMENT: "Fees or taxes to pay",
    DossierStatus.WITHDRAWN: "Withdrawn by the citizen",
    DossierStatus.STOPPED: "Processing stopped",
    DossierStatus.READY: "Ready for return",
    DossierStatus.RETURNED: "Result returned",
}

#: key -> (Vietnamese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Tra cứu hồ sơ", "Dossier lookup"),
    "intro": ("Nhập mã hồ sơ in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
              "Type the dossier code printed on your appointment slip."),
    "code_label": ("Mã hồ sơ", "Dossier code"),
    "submit": ("Tra cứu", "Look up"),
    "language": ("English", "Tiếng Việt"),
    "procedure": ("Thủ tục", "Procedure"),
    "field": ("Lĩnh vực", "Field"),
    "applicant": ("Người nộp", "Applicant"),
    "received": ("Ngày tiếp nhận", "Received"),
    "appointment": ("Ngày hẹn trả", "Appointment date"),
    "new_appointment": ("Ngày hẹn trả mới", "New appointment date"),
    "status": ("Tình trạng", "Status"),
    "timeline": ("Quá trình xử lý", "Progress"),
    "lateness.early": ("Sớm hạn", "Ahead of schedule"),
    "lateness.on_time": ("Đúng hạn", "On schedule"),
    "lateness.late": ("Quá hạn", "Late"),
    "apology": ("Chúng tôi thành thật xin lỗi vì hồ sơ của ông/bà được giải quyết chậm so "
                "với ngày hẹn.",
                "We sincerely apologise: your dossier is taking longer than promised."),
    "apology_reason": ("Lý do: {reason}", "Reason: {reason}"),
    "ready_hint": ("Hồ sơ đã có kết quả. Mời ông/bà mang giấy hẹn đến Bộ phận Tiếp nhận và "
                   "Trả kết quả; tại ki-ốt, quét mã hồ sơ để lấy số trả kết quả.",
                   "Your result is ready. Bring your appointment slip to the centre; at the "
                   "kiosk, scan the dossier code to take a number for the return."),
    "masked_note": ("Thông tin cá nhân được che bớt để bảo vệ người nộp.",
                    "Personal details are partly hidden to protect the applicant."),
    "not_found_title": ("Không tìm thấy hồ sơ", "Dossier not found"),
    "invalid_title": ("Mã hồ sơ chưa đúng", "Not a dossier code"),
    "limited_title": ("Vui lòng thử lại sau", "Please try again later"),
    "unavailable_title": ("Chưa có tra cứu hồ sơ", "Dossier lookup unavailable"),
    "error_title": ("Chưa tra cứu được", "Lookup failed"),
    "example": ("Ví dụ: {code}", "Example: {code}"),
    **{f"status.{int(s)}": (STATUS_LABELS[s], _STATUS_EN[s]) for s in DossierStatus},
}

_CATALOG = TextCatalog(TEXTS)
#: ``text(key, language="vi", **params)``: one string, parameters filled in.
text = _CATALOG.text


def day_text(day: dt.date | None) -> str:
    """``25/11/2026`` (as Vietnamese forms write dates), "" for None."""
    return f"{day:%d/%m/%Y}" if day is not None else ""


def moment_text(moment: dt.datetime, timezone: dt.tzinfo) -> str:
    """``20/11/2026 09:00`` in the site's time zone."""
    return f"{moment.astimezone(timezone):%d/%m/%Y %H:%M}"
