"""A sample ticket with every Vietnamese difficulty, for previews, tests and the bench."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from kiosk.printing.model import TicketContent

#: The zone sample tickets are printed in (Vietnam has one zone, no daylight saving).
SAMPLE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def sample_ticket() -> TicketContent:
    """A fixed ticket: 08:15 local time on 30/11/2026, priority, a wait, two footer lines."""
    return TicketContent(
        center_name="Trung tâm Phục vụ hành chính công thành phố Đà Nẵng",
        service_name="Đăng ký kinh doanh",
        number="A015",
        priority_label="Người cao tuổi",
        # Stamped as the hub stamps tickets: in the site's zone.
        issued_at=datetime.datetime(2026, 11, 30, 8, 15, tzinfo=SAMPLE_TZ),
        waiting_ahead=7,
        est_wait_s=12 * 60 + 5,
        url="https://motcua.example/t/Xq3vB8kZp2LmN9rT4wYc6A",
        footer=("Vui lòng chờ gọi số trên màn hình", "Hotline: 0236 3 888 999"),
    )


#: A dossier code in the national form (DOMAIN.md section 4).
SAMPLE_DOSSIER = "000.00.12.H42-261115-0007"


def sample_return_ticket() -> TicketContent:
    """A fixed return-of-results ticket (trả kết quả) for :data:`SAMPLE_DOSSIER`."""
    return TicketContent(
        center_name="Trung tâm Phục vụ hành chính công thành phố Đà Nẵng",
        service_name="Nhận kết quả giải quyết hồ sơ",
        number="R004",
        priority_label=None,
        issued_at=datetime.datetime(2026, 11, 30, 9, 40, tzinfo=SAMPLE_TZ),
        waiting_ahead=2,
        est_wait_s=4 * 60,
        url="https://motcua.example/t/Rk7pQ2vX9mBn4LsT8wYd3C",
        footer=("Vui lòng mang theo giấy hẹn trả kết quả",),
        dossier=SAMPLE_DOSSIER,
    )
