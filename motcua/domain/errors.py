"""Domain errors with stable codes and bilingual messages.

Every refusal the queue can give is listed in :data:`MESSAGES`, Vietnamese first, so the
devices show the same words and a new code cannot be added without a translation.
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
    "clock_backwards": (
        "Đồng hồ máy chủ lùi về ngày {today}, trước ngày làm việc {business_day}",
        "The clock went back to {today}, before business day {business_day}",
    ),
    "id_reused": (
        "Mã yêu cầu {id} đã dùng cho một yêu cầu khác",
        "Request id {id} was already used for a different request",
    ),
    "expired": ("Yêu cầu đã quá hạn, vui lòng bấm lại", "The request expired; press again"),
    "storage_busy": (
        "Cơ sở dữ liệu đang bận, vui lòng thử lại",
        "The database is busy; try again",
    ),
    "storage_full": ("Ổ đĩa cơ sở dữ liệu đã đầy", "The database disk is full"),
    "storage_error": ("Lỗi lưu dữ liệu, không có thay đổi", "Storage error; nothing was changed"),
    "conflict": (
        "Dữ liệu đã thay đổi đồng thời, không có thay đổi",
        "Concurrent change detected; nothing was changed",
    ),
    "shutting_down": ("Máy chủ đang dừng", "The hub is shutting down"),
    "not_available": (
        "Chức năng {feature} chưa được bật tại điểm này",
        "{feature} is not enabled at this site",
    ),
}


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(code: str, params: dict | None = None) -> tuple[str, str]:
    """Return the (Vietnamese, English) messages of ``code`` with ``params`` filled in."""
    vi, en = MESSAGES.get(code, (code, code))
    values = _SafeDict({k: str(v) for k, v in (params or {}).items()})
    return vi.format_map(values), en.format_map(values)


class DomainError(Exception):
    """A refused command. It changed nothing; ``code`` is stable, messages are for people."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message for error code {code!r}")
        self.code = code
        self.params = params
        self.message_vi, self.message_en = render(code, params)
        super().__init__(f"{code}: {self.message_en}")

    def as_dict(self) -> dict[str, str]:
        """The ``error`` object of a reply: stable code plus "Vietnamese / English" message."""
        return {"code": self.code, "message": f"{self.message_vi} / {self.message_en}"}
