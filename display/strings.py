"""Every text the lobby board shows, Vietnamese first, with the English catalog beside it.

The board speaks to citizens in Vietnamese; :data:`ENGLISH` exists for maintainers and for
centers that add an English line, and keeps the two in one place.
"""

from __future__ import annotations

#: Weekday names, Monday first (``datetime.weekday()`` order).
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

VIETNAMESE = {
    "offline": "Mất kết nối máy chủ — đang thử lại",
    "counter": "Quầy",
    "counter_number": "Quầy {counter}",
    "now_calling": "Xin mời số",
    "to_counter": "đến",
    "recall": "Gọi lại",
    "welcome": "Kính chào quý khách",
    "waiting_title": "Đang chờ",
    "recent_title": "Số vừa gọi",
    "no_ticket": "—",
    "status_open": "Đang mở",
    "status_serving": "Đang phục vụ",
    "status_paused": "Tạm nghỉ",
    "status_closed": "Đóng",
    "status_unknown": "—",
    "waiting_count": "{waiting}",
    "no_counters": "Chưa có quầy nào",
    "waiting_for_hub": "Đang chờ dữ liệu từ máy chủ…",
}

ENGLISH = {
    "offline": "Lost connection to the server — retrying",
    "counter": "Counter",
    "counter_number": "Counter {counter}",
    "now_calling": "Now calling",
    "to_counter": "to",
    "recall": "Recall",
    "welcome": "Welcome",
    "waiting_title": "Waiting",
    "recent_title": "Last calls",
    "no_ticket": "—",
    "status_open": "Open",
    "status_serving": "Serving",
    "status_paused": "On break",
    "status_closed": "Closed",
    "status_unknown": "—",
    "waiting_count": "{waiting}",
    "no_counters": "No counters yet",
    "waiting_for_hub": "Waiting for the server's data…",
}


def text(key: str, **params: object) -> str:
    """The Vietnamese text of ``key`` with ``params`` filled in."""
    return VIETNAMESE[key].format(**params)


def vietnamese_date(day) -> str:
    """``"Thứ Hai, 30/11/2026"`` for a date (or datetime)."""
    return f"{WEEKDAYS_VI[day.weekday()]}, {day.day:02d}/{day.month:02d}/{day.year}"
