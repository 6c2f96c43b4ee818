"""Every word of the clerk panel and its login page, Vietnamese first, English second.

One table for the server (pages are rendered in Vietnamese before any script runs) and
the browser (``clerk.js`` gets :func:`catalog` as JSON and re-renders each live update,
or the other language, from it). Errors from the hub are not here: they come with their
own Vietnamese and English messages from the hub's error catalog (:mod:`motcua.errors`).
"""

from __future__ import annotations

from .text_catalog import LANGUAGES, TextCatalog  # noqa: F401 (LANGUAGES re-exported)

#: key -> (Vietnamese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "login.title": ("Đăng nhập quầy", "Counter login"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
    "login.limited": ("Đăng nhập sai quá nhiều lần, vui lòng thử lại sau {retry_s} giây",
                      "Too many failed logins; try again in {retry_s} s"),
    "logout": ("Đăng xuất", "Log out"),
    "title": ("Quầy {counter}", "Counter {counter}"),
    "clerk": ("Cán bộ", "Clerk"),
    "status.open": ("Đang mở", "Open"),
    "status.paused": ("Tạm nghỉ", "Paused"),
    "status.closed": ("Đang đóng", "Closed"),
    "current": ("Đang phục vụ", "Current ticket"),
    "no_current": ("Chưa gọi số nào", "No ticket called"),
    "return_dossier": ("Trả kết quả hồ sơ", "Hand over the result of dossier"),
    "ticket.called": ("Đã gọi, chờ công dân đến", "Called, waiting for the citizen"),
    "ticket.serving": ("Đang giải quyết", "Being served"),
    "waited": ("Thời gian chờ", "Waited"),
    "served_for": ("Thời gian phục vụ", "Service time"),
    "waiting_list": ("Danh sách chờ", "Waiting list"),
    "waiting_now": ("Đang chờ", "Waiting now"),
    "nobody_waiting": ("Không còn ai chờ", "Nobody is waiting"),
    "held_list": ("Đang tạm giữ", "On hold"),
    "served_today": ("Đã phục vụ hôm nay", "Served today"),
    "priority": ("Ưu tiên", "Priority"),
    "action.call_next": ("Gọi số tiếp", "Call next"),
    "action.recall": ("Gọi lại", "Recall"),
    "action.start": ("Bắt đầu", "Start"),
    "action.finish": ("Hoàn thành", "Finish"),
    "action.no_show": ("Vắng mặt", "No-show"),
    "action.hold": ("Tạm giữ", "Hold"),
    "action.call": ("Gọi số…", "Call number…"),
    "action.transfer": ("Chuyển…", "Transfer…"),
    "action.walk_in": ("Tiếp trực tiếp", "Walk-in"),
    "action.set_priority": ("Ưu tiên…", "Priority…"),
    "action.pause": ("Tạm nghỉ", "Pause"),
    "action.resume": ("Tiếp tục", "Resume"),
    "action.open": ("Mở quầy", "Open counter"),
    "action.close": ("Đóng quầy", "Close counter"),
    "ask.ticket": ("Số cần gọi (ví dụ A015)", "Ticket to call (e.g. A015)"),
    "ask.priority_ticket": ("Số cần ưu tiên (ví dụ A015)", "Ticket to prioritise (e.g. A015)"),
    "ask.transfer": ("Chuyển số đang phục vụ đến", "Transfer the current ticket to"),
    "transfer.service": ("Dịch vụ {name}", "Service {name}"),
    "transfer.counter": ("Quầy {counter}", "Counter {counter}"),
    "ok": ("Đồng ý", "OK"),
    "cancel": ("Thôi", "Cancel"),
    "rated": ("Đã ghi nhận đánh giá", "Rating recorded"),
    "done": ("Đã thực hiện: {action}", "Done: {action}"),
    "called": ("Đã gọi số {number}", "Called {number}"),
    "shortcuts": ("Phím tắt", "Shortcuts"),
    "ratings": ("Đánh giá hôm nay", "Today's ratings"),
    "rating.3": ("Rất hài lòng", "Very satisfied"),
    "rating.2": ("Hài lòng", "Satisfied"),
    "rating.1": ("Không hài lòng", "Unsatisfied"),
    "rating.total": ("Tổng", "Total"),
    "rate_prompt": ("Công dân đánh giá", "Citizen's rating"),
    "offline": ("Mất kết nối với máy chủ, đang thử lại…",
                "Connection to the hub lost, retrying…"),
    "network_error": ("Không gửi được yêu cầu, vui lòng thử lại",
                      "Could not send the request; try again"),
    "forbidden_title": ("Không được phép", "Not allowed"),
    "not_found_title": ("Không tìm thấy", "Not found"),
    "forbidden_body": ("Tài khoản {username} không được thao tác quầy {counter}.",
                       "Account {username} may not operate counter {counter}."),
    "your_counters": ("Quầy của bạn", "Your counters"),
    "language": ("English", "Tiếng Việt"),
}


_CATALOG = TextCatalog(TEXTS)
#: ``text(key, language="vi", **params)``: one string, parameters filled in.
text = _CATALOG.text
#: ``catalog()``: ``{"vi": {...}, "en": {...}}`` for the page's script.
catalog = _CATALOG.catalog
