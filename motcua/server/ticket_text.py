"""Every word of the public ticket page, Vietnamese first, English second.

One table for the server (the page is rendered in Vietnamese before any script runs) and
for the browser (``ticket.js`` gets :func:`catalog` as JSON and re-renders each live
update, or the other language, from it). ``{placeholders}`` are filled on both sides by
name; a string never holds markup.
"""

from __future__ import annotations

from typing import Mapping

from .text_catalog import LANGUAGES, TextCatalog  # noqa: F401 (LANGUAGES re-exported)

#: key -> (Vietnamese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Số thứ tự {number}", "Ticket {number}"),
    "your_number": ("Số thứ tự của bạn", "Your number"),
    "status.waiting": ("Đang chờ", "Waiting"),
    "status.called": ("Mời đến quầy {counter}", "Please go to counter {counter}"),
    "status.serving": ("Đang phục vụ tại quầy {counter}", "Being served at counter {counter}"),
    "status.held": ("Tạm giữ", "On hold"),
    "status.done": ("Đã xong", "Done"),
    "status.no_show": ("Vắng mặt", "Missed: you were absent"),
    "status.cancelled": ("Đã hủy", "Cancelled"),
    "status.expired": ("Hết hạn", "Expired"),
    "ahead": ("Số người trước bạn", "People ahead of you"),
    "wait": ("Thời gian chờ ước tính", "Estimated wait"),
    "wait.under_minute": ("dưới 1 phút", "under 1 minute"),
    "wait.minutes": ("khoảng {minutes} phút", "about {minutes} min"),
    "wait.hours": ("khoảng {hours} giờ {minutes} phút", "about {hours} h {minutes} min"),
    "issued": ("Lấy số lúc", "Issued at"),
    "counter": ("Quầy", "Counter"),
    "called_hint": ("Vui lòng đến quầy ngay.", "Please go to the counter now."),
    "held_hint": ("Cán bộ đang tạm giữ hồ sơ; bạn sẽ được gọi lại.",
                  "Your file is on hold; you will be called again."),
    "no_show_hint": ("Bạn đã không có mặt khi được gọi. Hãy hỏi quầy nếu bạn vẫn ở đây.",
                     "You were not there when called. Ask a counter if you are still here."),
    "final_hint": ("Số này đã kết thúc.", "This ticket is finished."),
    "past_day": ("Số của ngày {day}, đã kết thúc.", "Ticket of {day}, finished."),
    "sound_on": ("Bật âm báo", "Turn on sound"),
    "sound_enabled": ("Đã bật âm báo", "Sound is on"),
    "cancel": ("Hủy số", "Cancel ticket"),
    "cancel_question": ("Bạn chắc chắn muốn hủy số {number}? Không thể hoàn tác.",
                        "Cancel ticket {number}? This cannot be undone."),
    "cancel_yes": ("Hủy số", "Cancel it"),
    "cancel_no": ("Không", "Keep it"),
    "cancel_failed": ("Không hủy được số: {reason}", "Could not cancel: {reason}"),
    "offline": ("Mất kết nối, đang thử lại…", "Connection lost, retrying…"),
    "live_note": ("Trang tự cập nhật, không cần tải lại.",
                  "This page updates by itself; no need to reload."),
    "language": ("English", "Tiếng Việt"),
    "missing_title": ("Không tìm thấy số thứ tự", "Ticket not found"),
    "missing_body": ("Mã trên đường dẫn không đúng hoặc số không còn được lưu. Vui lòng quét "
                     "lại mã QR trên phiếu, hoặc hỏi cán bộ tại quầy hướng dẫn.",
                     "The link is wrong or the ticket is no longer kept. Scan the QR code on "
                     "your ticket again, or ask at the information desk."),
}


_CATALOG = TextCatalog(TEXTS)
#: ``text(key, language="vi", **params)``: one string, parameters filled in.
text = _CATALOG.text
#: ``catalog()``: ``{"vi": {...}, "en": {...}}`` for the page's script.
catalog = _CATALOG.catalog



def wait_text(seconds: int, language: str = "vi") -> str:
    """An estimated wait in words: under a minute, minutes, or hours and minutes."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return text("wait.under_minute", language)
    if minutes < 60:
        return text("wait.minutes", language, minutes=minutes)
    return text("wait.hours", language, hours=minutes // 60, minutes=minutes % 60)


def status_text(view: Mapping[str, object], language: str = "vi") -> str:
    """The ticket's status in words (with its counter when called or served)."""
    return text(f"status.{view['status']}", language, counter=view.get("counter") or "")


#: The line under the status, by status (None: no line); the page script has the same table.
HINTS: dict[str, str | None] = {
    "waiting": None, "called": "called_hint", "serving": None, "held": "held_hint",
    "no_show": "no_show_hint", "done": "final_hint", "cancelled": "final_hint",
    "expired": "final_hint",
}


def hint_text(view: Mapping[str, object], today: bool, language: str = "vi") -> str:
    """The line under the status ("" for none); a past day's ticket says which day."""
    if not today:
        return text("past_day", language, day=issued_day(view))
    key = HINTS.get(str(view["status"]))
    return text(key, language) if key else ""


def issued_day(view: Mapping[str, object]) -> str:
    """The site-local day of issue, ``23/11/2026`` (from ``issued_at``, which carries the
    site's offset, so the phone's time zone never shifts it)."""
    year, month, day = str(view["issued_at"])[:10].split("-")
    return f"{day}/{month}/{year}"
