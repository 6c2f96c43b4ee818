"""The one error catalog of the hub: every code a device or an HTTP client can receive.

Three tables make it, each kept where its code is born:

- :data:`motcua.domain.errors.MESSAGES`: refusals of the queue itself (sold out, counter
  closed, ...), given by the pure engine;
- :data:`WIRE_MESSAGES`: refusals of the hub and the MQTT contract (bad JSON, expired,
  storage errors, rate limits, ...), which the pure domain never gives;
- :data:`HTTP_MESSAGES`: the few that only the HTTP API gives (unauthorized, not found, ...).

:data:`CATALOG` merges them when this module is imported, so a queue refusal added to the
domain is in the catalog (and ``docs/contract.md``) without a second edit. Every error
object on the wire, MQTT reply or HTTP body, has the same shape::

    {"code": "sold_out", "message": "Hết số cho dịch vụ Đất đai",
     "message_en": "No more numbers today for Đất đai", "params": {"service": "Đất đai"}}

``message`` is Vietnamese only; parameters are bounded (:data:`MAX_PARAM_CHARS`), so refused
input is never echoed in full.
"""

from __future__ import annotations

import string

from motcua.domain import errors as domain_errors
from motcua.domain.errors import MAX_PARAM_CHARS, error_dict, public_params, render_pair

__all__ = [
    "CATALOG", "HTTP_MESSAGES", "MAX_PARAM_CHARS", "WIRE_MESSAGES", "WireError",
    "error_object", "placeholders", "public_params", "render",
]

#: Refusals given by the hub and the contract, never by the pure queue engine.
WIRE_MESSAGES: dict[str, tuple[str, str]] = {
    "payload_too_large": (
        "Yêu cầu quá lớn (tối đa {limit} byte)",
        "Request too large (at most {limit} bytes)",
    ),
    "bad_json": (
        "Yêu cầu không phải là một đối tượng JSON hợp lệ",
        "The request is not a valid JSON object",
    ),
    "invalid_argument": ("Tham số không hợp lệ: {field}", "Invalid argument: {field}"),
    "unknown_action": ("Thao tác không hợp lệ: {action}", "Unknown action: {action}"),
    "expired": ("Yêu cầu đã quá hạn, vui lòng bấm lại", "The request expired; press again"),
    # Given by a device to itself: its command got no reply before it expired.
    "hub_unreachable": (
        "Không liên lạc được máy chủ, vui lòng thử lại sau",
        "The hub did not answer; please try again later",
    ),
    "clock_skew": (
        "Đồng hồ của thiết bị chạy nhanh hơn máy chủ {skew_s} giây, vui lòng chỉnh lại giờ",
        "The device clock is {skew_s} s ahead of the hub; set its time",
    ),
    "id_reused": (
        "Mã yêu cầu {id} đã dùng cho một yêu cầu khác",
        "Request id {id} was already used for a different request",
    ),
    "rate_limited": (
        "Thiết bị {device} lấy số quá nhanh, vui lòng chờ {retry_s} giây",
        "Device {device} is issuing too fast; wait {retry_s} s",
    ),
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
    # Dossier lookup and return-of-results tickets (issue 11, motcua.dossiers.finder).
    "invalid_code": (
        "Mã hồ sơ không hợp lệ, vui lòng quét lại mã trên giấy hẹn trả kết quả",
        "Not a valid dossier code; scan the code on your appointment slip again",
    ),
    "dossier_not_found": (
        "Không tìm thấy hồ sơ {dossier}, vui lòng kiểm tra lại mã trên giấy hẹn hoặc hỏi "
        "cán bộ tại quầy",
        "No dossier {dossier}; check the code on your appointment slip or ask at a counter",
    ),
    "dossier_not_ready": (
        "Hồ sơ {dossier} chưa có kết quả để trả",
        "Dossier {dossier} is not ready for return yet",
    ),
    "lookup_rate_limited": (
        "Đã nhập sai mã hồ sơ quá nhiều lần, vui lòng chờ {retry_s} giây rồi thử lại",
        "Too many wrong dossier codes; wait {retry_s} s and try again",
    ),
}

#: Codes only the HTTP side gives.
HTTP_MESSAGES: dict[str, tuple[str, str]] = {
    "unauthorized": (
        "Thiếu hoặc sai mã truy cập của thiết bị",
        "Missing or invalid device token",
    ),
    "not_found": ("Không có địa chỉ {path}", "Not found: {path}"),
    "method_not_allowed": (
        "Không hỗ trợ phương thức {method} tại {path}",
        "Method {method} is not allowed on {path}",
    ),
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "headers_too_large": ("Phần đầu yêu cầu quá lớn", "Request headers too large"),
    "http_error": ("Lỗi HTTP {status}", "HTTP error {status}"),
    "internal_error": ("Lỗi máy chủ, không có thay đổi", "Internal server error"),
    "hub_timeout": (
        "Máy chủ chưa trả lời kịp, vui lòng thử lại",
        "The hub did not answer in time; try again",
    ),
    "not_ready": ("Máy chủ đang khởi động", "The hub is starting"),
    "live_busy": (
        "Quá nhiều trang đang theo dõi trực tiếp (tối đa {limit}), đang thử lại",
        "Too many live pages open (at most {limit}); retrying",
    ),
    # The clerk panel (motcua.server.clerk_panel).
    "login_required": ("Vui lòng đăng nhập", "Please log in"),
    "login_rate_limited": (
        "Đăng nhập sai quá nhiều lần, vui lòng thử lại sau {retry_s} giây",
        "Too many failed logins; try again in {retry_s} s",
    ),
    "csrf_failed": (
        "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ, vui lòng tải lại trang",
        "Missing or invalid CSRF token; reload the page",
    ),
    "counter_forbidden": (
        "Tài khoản {username} không được thao tác quầy {counter}",
        "Account {username} may not operate counter {counter}",
    ),
    "manager_required": (
        "Chỉ lãnh đạo bộ phận hoặc quản trị viên được xem",
        "Managers and admins only",
    ),
    # Dossiers (motcua.server.dossier_api, issue 11).
    "dossier_rows_refused": (
        "{count} dòng bị từ chối (xem report.errors); các dòng hợp lệ đã được lưu",
        "{count} rows refused (see report.errors); the valid rows were stored",
    ),
}


#: Vietnamese words for code-valued parameters of hub refusals (``not_available``).
VIETNAMESE_VALUES: dict[str, dict[str, str]] = {
    **domain_errors.VIETNAMESE_VALUES,
    "feature": {"lookup": "tra cứu hồ sơ", "return_ticket": "lấy số trả kết quả",
                "cancel": "hủy số", "issue": "lấy số",
                "printer": "báo trạng thái máy in", "board_sound": "âm thanh bảng gọi số"},
}


def _merge(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        for code, texts in table.items():
            # The domain may keep invalid_argument / unknown_action to guard its own
            # inputs; the words must then be the same everywhere.
            if code in merged and merged[code] != texts:
                raise ValueError(f"error code {code!r} has two different messages")
            merged[code] = texts
    return merged


#: code -> (Vietnamese, English) for every code the hub can answer with.
CATALOG: dict[str, tuple[str, str]] = _merge(
    domain_errors.MESSAGES, WIRE_MESSAGES, HTTP_MESSAGES)


def placeholders(code: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` of ``code``'s two messages."""
    return frozenset(name for template in CATALOG[code]
                     for _, name, _, _ in string.Formatter().parse(template) if name)


def _used(code: str, params: dict[str, object]) -> dict[str, object]:
    # An error object carries the values its messages show, not whatever a caller passed.
    names = placeholders(code)
    return {key: value for key, value in params.items() if key in names}


def render(code: str, **params: object) -> tuple[str, str]:
    """The (Vietnamese, English) messages of ``code`` with ``params`` filled in.

    Raises:
        KeyError: ``code`` is not in :data:`CATALOG`.
    """
    return render_pair(CATALOG[code], params, VIETNAMESE_VALUES)


def error_object(code: str, **params: object) -> dict:
    """The error object ``{"code", "message", "message_en", "params"}`` of ``code``.

    Raises:
        KeyError: ``code`` is not in :data:`CATALOG`.
    """
    vietnamese, english = render(code, **params)
    return error_dict(code, vietnamese, english, _used(code, params))


class WireError(Exception):
    """A refusal given by the hub or the contract (not by the queue). Nothing was done.

    Attributes:
        code: stable machine code, a key of :data:`CATALOG`.
        params: values of the message's placeholders (bounded when rendered).
        message_vi, message_en: the filled-in texts.
        request_id: the command's ``id`` when it could be read, so the reply correlates.
        detail: technical detail for logs (never shown to citizens; bounded).
    """

    def __init__(self, code: str, *, request_id: str | None = None, detail: str = "",
                 **params: object) -> None:
        if code not in CATALOG:
            raise KeyError(f"no message for error code {code!r}")
        self.code = code
        self.params = params
        self.request_id = request_id
        self.detail = detail[:200]
        self.message_vi, self.message_en = render(code, **params)
        super().__init__(f"{code}: {self.message_en}" + (f" ({self.detail})" if detail else ""))

    def as_dict(self) -> dict:
        """The ``error`` object of a reply (see :func:`error_object`)."""
        return error_dict(self.code, self.message_vi, self.message_en,
                          _used(self.code, self.params))
