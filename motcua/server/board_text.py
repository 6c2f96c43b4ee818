"""Every word of the web board (``/display``), Vietnamese first, English second.

One table for the server (the board is rendered before any script runs) and for the
browser (``board.js`` gets :func:`catalog` as JSON and renders every live update from it).
``{placeholders}`` are filled on both sides by name; a string never holds markup.
"""

from __future__ import annotations

from .text_catalog import LANGUAGES, TextCatalog  # noqa: F401 (LANGUAGES re-exported)

#: key -> (Vietnamese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Bảng gọi số", "Call board"),
    "counters": ("Quầy", "Counters"),
    "counter": ("Quầy {counter}", "Counter {counter}"),
    "now_calling": ("Mời số", "Now calling"),
    "to_counter": ("đến quầy {counter}", "to counter {counter}"),
    "recall": ("Gọi lại lần {recall}", "Called again ({recall})"),
    "no_call_yet": ("Chưa có số nào được gọi", "No number called yet"),
    "recent": ("Số vừa gọi", "Last calls"),
    "waiting": ("Đang chờ", "Waiting"),
    "waiting_count": ("{count} người", "{count} waiting"),
    "status.open": ("Đang phục vụ", "Open"),
    "status.open_idle": ("Sẵn sàng", "Ready"),
    "status.paused": ("Tạm nghỉ", "On a break"),
    "status.closed": ("Đóng", "Closed"),
    "no_number": ("—", "—"),
    "offline": ("Mất kết nối máy chủ — đang thử lại", "Lost connection to the server — retrying"),
    "sound_hint": ("Bật âm thanh (Turn sound on)", "Turn sound on (Bật âm thanh)"),
    "notice": ("Vui lòng theo dõi số thứ tự trên màn hình và lắng nghe lời mời. Khi được "
               "gọi, xin mời đến đúng quầy. Xin cảm ơn!",
               "Please watch the screen and listen for your number. When it is called, "
               "go to the counter shown. Thank you!"),
    "weekday.0": ("Chủ Nhật", "Sunday"),
    "weekday.1": ("Thứ Hai", "Monday"),
    "weekday.2": ("Thứ Ba", "Tuesday"),
    "weekday.3": ("Thứ Tư", "Wednesday"),
    "weekday.4": ("Thứ Năm", "Thursday"),
    "weekday.5": ("Thứ Sáu", "Friday"),
    "weekday.6": ("Thứ Bảy", "Saturday"),
}


_CATALOG = TextCatalog(TEXTS)
#: ``text(key, language="vi", **params)``: one string, parameters filled in.
text = _CATALOG.text
#: ``catalog()``: ``{"vi": {...}, "en": {...}}`` for the page's script.
catalog = _CATALOG.catalog



def counter_status_key(status: str, ticket: str | None) -> str:
    """The catalog key of a counter's status line (an open counter without a ticket is
    "ready"); the board's script has the same rule."""
    if status == "open" and not ticket:
        return "status.open_idle"
    return f"status.{status}"
