"""Dossier status codes 1–10 (DOMAIN.md section 3), with their Vietnamese names.

"Late" is not a status: see :mod:`motcua.dossiers.lateness`. ``Stage`` is the coarser
step a citizen's timeline shows on the kiosk and the public lookup page.
"""

from __future__ import annotations

import enum


class DossierStatus(enum.IntEnum):
    SUBMITTED = 1          # Mới đăng ký: submitted online, not yet accepted
    RECEIVED = 2           # Được tiếp nhận
    REFUSED = 3            # Không được tiếp nhận
    IN_PROGRESS = 4        # Đang xử lý
    NEEDS_SUPPLEMENT = 5   # Yêu cầu bổ sung giấy tờ
    AWAITING_PAYMENT = 6   # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7          # Công dân yêu cầu rút hồ sơ
    STOPPED = 8            # Dừng xử lý
    READY = 9              # Đã xử lý xong: ready to return
    RETURNED = 10          # Đã trả kết quả

    @property
    def label(self) -> str:
        """The Vietnamese name, as the national portal's list writes it."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.SUBMITTED: "Mới đăng ký",
    DossierStatus.RECEIVED: "Được tiếp nhận",
    DossierStatus.REFUSED: "Không được tiếp nhận",
    DossierStatus.IN_PROGRESS: "Đang xử lý",
    DossierStatus.NEEDS_SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    DossierStatus.AWAITING_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.READY: "Đã xử lý xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
}

#: The step a citizen sees for each status (kiosk timeline, public lookup page).
STAGES: dict[DossierStatus, str] = {
    DossierStatus.SUBMITTED: "submitted",
    DossierStatus.RECEIVED: "received",
    DossierStatus.REFUSED: "refused",
    DossierStatus.IN_PROGRESS: "in_progress",
    DossierStatus.NEEDS_SUPPLEMENT: "supplement",
    DossierStatus.AWAITING_PAYMENT: "payment",
    DossierStatus.WITHDRAWN: "withdrawn",
    DossierStatus.STOPPED: "stopped",
    DossierStatus.READY: "ready",
    DossierStatus.RETURNED: "returned",
}
