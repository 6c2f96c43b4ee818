"""Every word printed on a ticket, Vietnamese first, with the English catalog beside it.

Tickets print in Vietnamese (``lang="vi"``); the English entries keep the catalog whole
for a future bilingual ticket and for the docs. Formatting of times and durations lives
here too, so the layout never builds a sentence itself.
"""

from __future__ import annotations

import datetime

CATALOG: dict[str, dict[str, str]] = {
    "vi": {
        "number_label": "Số thứ tự",
        "priority": "Ưu tiên: {label}",
        "issued_at": "Giờ lấy số: {time} ngày {date}",
        "waiting_ahead": "Số người chờ trước bạn: {count}",
        "nobody_ahead": "Không có ai chờ trước bạn",
        "est_wait": "Ước tính chờ: khoảng {duration}",
        "est_wait_short": "Ước tính chờ: dưới 1 phút",
        "est_wait_unknown": "Ước tính chờ: chưa có số liệu",
        "minutes": "{minutes} phút",
        "hours": "{hours} giờ {minutes:02d} phút",
        "qr_caption": "Quét mã QR để theo dõi số của bạn",
        "return_banner": "TRẢ KẾT QUẢ",
        "dossier_label": "Mã hồ sơ",
        "test_title": "TRANG IN THỬ - motcua",
        "test_profile": "Hồ sơ: {name}",
        "test_width": "Khổ in: {dots} điểm ({mm} mm, {dpi} dpi)",
        "test_mode": "Tiếng Việt: {mode}",
        "test_vietnamese": "Số thứ tự, Đăng ký kinh doanh, Người cao tuổi, Ước tính chờ",
        "test_letters": "ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳỷỹỵ đĐ",
        "test_ascii": "ASCII 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "test_qr_hint": "Không thấy mã QR ở trên? Đặt native_qr = false trong hồ sơ.",
    },
    "en": {
        "number_label": "Ticket number",
        "priority": "Priority: {label}",
        "issued_at": "Issued at {time} on {date}",
        "waiting_ahead": "People ahead of you: {count}",
        "nobody_ahead": "Nobody is ahead of you",
        "est_wait": "Estimated wait: about {duration}",
        "est_wait_short": "Estimated wait: under 1 minute",
        "est_wait_unknown": "Estimated wait: not available",
        "minutes": "{minutes} min",
        "hours": "{hours} h {minutes:02d} min",
        "qr_caption": "Scan the QR code to follow your ticket",
        "return_banner": "RETURN OF RESULTS",
        "dossier_label": "Dossier code",
        "test_title": "TEST PAGE - motcua",
        "test_profile": "Profile: {name}",
        "test_width": "Print width: {dots} dots ({mm} mm, {dpi} dpi)",
        "test_mode": "Vietnamese: {mode}",
        "test_vietnamese": "Số thứ tự, Đăng ký kinh doanh, Người cao tuổi, Ước tính chờ",
        "test_letters": "ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳỷỹỵ đĐ",
        "test_ascii": "ASCII 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "test_qr_hint": "No QR code above? Set native_qr = false in the profile.",
    },
}


def text(key: str, lang: str = "vi", **params: object) -> str:
    """The catalog entry ``key`` in ``lang``, formatted with ``params``."""
    return CATALOG[lang][key].format(**params)


def issued_line(issued_at: datetime.datetime, tz: datetime.tzinfo | None,
                lang: str = "vi") -> str:
    """``Giờ lấy số: 08:15 ngày 30/11/2026`` in ``tz``; with None, in ``issued_at``'s own
    offset: the hub stamps tickets in the site's zone, whatever the kiosk PC's zone is."""
    local = issued_at if tz is None else issued_at.astimezone(tz)
    return text("issued_at", lang, time=local.strftime("%H:%M"),
                date=local.strftime("%d/%m/%Y"))


def ahead_line(count: int, lang: str = "vi") -> str:
    """How many people wait before this ticket."""
    if count <= 0:
        return text("nobody_ahead", lang)
    return text("waiting_ahead", lang, count=count)


def wait_line(est_wait_s: int | None, lang: str = "vi") -> str:
    """The estimated wait, rounded up to whole minutes (an estimate is never exact, and
    rounding down would promise too short a wait)."""
    if est_wait_s is None:
        return text("est_wait_unknown", lang)
    if est_wait_s < 60:
        return text("est_wait_short", lang)
    minutes = -(-est_wait_s // 60)
    if minutes < 60:
        duration = text("minutes", lang, minutes=minutes)
    else:
        duration = text("hours", lang, hours=minutes // 60, minutes=minutes % 60)
    return text("est_wait", lang, duration=duration)
