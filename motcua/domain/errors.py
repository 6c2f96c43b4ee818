"""Queue refusals with stable codes and bilingual messages.

Every refusal the queue itself can give is listed in :data:`MESSAGES`, Vietnamese first, so
the devices show the same words and a new code cannot be added without a translation.
Refusals that only the wire or the hub can give (expired, storage, rate limits, ...) live
in :mod:`motcua.errors`, which merges this table into the one catalog of the hub.
"""

from __future__ import annotations

#: code -> (Vietnamese, English). ``{name}`` placeholders are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_action": ("Thao tác không hợp lệ: {action}", "Unknown action: {action}"),
    "invalid_argument": ("Tham số không hợp lệ: {field}", "Invalid argument: {field}"),
    "unknown_service": ("Không có dịch vụ {service}", "Unknown service: {service}"),
    "unknown_counter": ("Không có quầy số {counter}", "Unknown counter: {counter}"),
    "unknown_ticket": ("Không tìm thấy số {ticket}", "Unknown ticket: {ticket}"),
    "counter_closed": ("Quầy số {counter} đang đóng", "Counter {counter} is closed"),
    "counter_paused": ("Quầy số {counter} đang tạm nghỉ", "Counter {counter} is paused"),
    "counter_not_paused": (
        "Quầy số {counter} không ở trạng thái tạm nghỉ",
        "Counter {counter} is not paused",
    ),
    "queue_empty": ("Không còn công dân chờ", "Nobody is waiting"),
    "no_active_ticket": (
        "Quầy số {counter} không có số đang phục vụ",
        "Counter {counter} has no current ticket",
    ),
    "ticket_not_called": ("Số {ticket} chưa được gọi", "Ticket {ticket} has not been called"),
    "ticket_not_callable": (
        "Số {ticket} không thể gọi (trạng thái {status})",
        "Ticket {ticket} cannot be called (status {status})",
    ),
    "ticket_not_waiting": (
        "Số {ticket} không còn chờ (trạng thái {status})",
        "Ticket {ticket} is not waiting (status {status})",
    ),
    "ticket_in_progress": (
        "Quầy số {counter} còn đang phục vụ số {ticket}: hãy kết thúc số này trước",
        "Counter {counter} is still on ticket {ticket}: finish it first",
    ),
    "service_not_served": (
        "Quầy số {counter} không phục vụ dịch vụ {service}",
        "Counter {counter} does not serve {service}",
    ),
    "ticket_not_cancellable": (
        "Số {ticket} không thể huỷ (trạng thái {status})",
        "Ticket {ticket} cannot be cancelled (status {status})",
    ),
    "same_counter": ("Không thể chuyển về chính quầy này", "Cannot transfer to the same counter"),
    "outside_hours": ("Ngoài giờ lấy số", "Outside issuing hours"),
    "sold_out": ("Hết số cho dịch vụ {service}", "No more numbers today for {service}"),
    "service_inactive": ("Dịch vụ {service} tạm ngừng", "Service {service} is not available"),
    "nothing_to_rate": ("Chưa có lượt phục vụ để đánh giá", "No served ticket to rate"),
    "already_rated": ("Số {ticket} đã được đánh giá", "Ticket {ticket} is already rated"),
    "not_rateable_here": (
        "Số {ticket} không phải lượt vừa phục vụ tại quầy {counter}",
        "Ticket {ticket} is not the visit just served at counter {counter}",
    ),
    "clock_backwards": (
        "Đồng hồ máy chủ lùi về ngày {today}, trước ngày làm việc {business_day}",
        "The clock went back to {today}, before business day {business_day}",
    ),
}


#: Longest text a parameter keeps in a message: refused input is echoed, never unbounded.
MAX_PARAM_CHARS = 64


#: Vietnamese words for parameter values that are codes, so no English code ends up in a
#: Vietnamese message (``status`` is a ticket status in every message that names one).
VIETNAMESE_VALUES: dict[str, dict[str, str]] = {
    "status": {
        "waiting": "đang chờ", "called": "đã gọi", "serving": "đang phục vụ",
        "held": "tạm giữ", "done": "đã xong", "no_show": "vắng mặt", "cancelled": "đã hủy",
        "expired": "hết hạn",
    },
}


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def public_params(params: dict | None) -> dict[str, object]:
    """``params`` as JSON-safe values (numbers and booleans kept, anything else text),
    each text cut to :data:`MAX_PARAM_CHARS` characters, ending with "…" when cut."""
    cleaned: dict[str, object] = {}
    for key, value in (params or {}).items():
        if not isinstance(value, (bool, int, float)):
            value = str(value)
            if len(value) > MAX_PARAM_CHARS:
                value = value[: MAX_PARAM_CHARS - 1] + "…"
        cleaned[str(key)] = value
    return cleaned


def render_pair(templates: tuple[str, str], params: dict | None,
                vietnamese_values: dict[str, dict[str, str]] = VIETNAMESE_VALUES,
                ) -> tuple[str, str]:
    """Fill a (Vietnamese, English) pair of templates; a missing value stays ``{name}``.
    A value listed in ``vietnamese_values`` for its parameter is worded so in Vietnamese."""
    values = {k: str(v) for k, v in public_params(params).items()}
    vietnamese = {k: vietnamese_values.get(k, {}).get(v, v) for k, v in values.items()}
    vi, en = templates
    return vi.format_map(_SafeDict(vietnamese)), en.format_map(_SafeDict(values))


def render(code: str, params: dict | None = None) -> tuple[str, str]:
    """Return the (Vietnamese, English) messages of ``code`` with ``params`` filled in."""
    return render_pair(MESSAGES.get(code, (code, code)), params)


def error_dict(code: str, message_vi: str, message_en: str, params: dict | None) -> dict:
    """The ``error`` object of a reply: ``{"code", "message", "message_en", "params"}``;
    ``message`` is Vietnamese only, ``params`` the bounded values the texts were filled with."""
    return {"code": code, "message": message_vi, "message_en": message_en,
            "params": public_params(params)}


class DomainError(Exception):
    """A refused command. It changed nothing; ``code`` is stable, messages are for people."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message for error code {code!r}")
        self.code = code
        self.params = params
        self.message_vi, self.message_en = render(code, params)
        super().__init__(f"{code}: {self.message_en}")

    def as_dict(self) -> dict:
        """The ``error`` object of a reply (see :func:`error_dict`)."""
        return error_dict(self.code, self.message_vi, self.message_en, self.params)
