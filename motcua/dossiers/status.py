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


# --- transitions ----------------------------------------------------------------------

S = DossierStatus

#: Statuses after which nothing may follow (refused, withdrawn, stopped, returned).
TERMINAL: frozenset[DossierStatus] = frozenset({S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED})

#: Allowed next statuses of each status. The first status of a dossier may be any: a
#: centre that starts with motcua imports dossiers already in progress. ``4 → 4`` is a
#: hand-over from one office to the next (Mẫu 05); ``5 → 5`` is refused, and a second
#: supplement request after the citizen answered (5 → 4 → 5) is allowed but makes the
#: dossier late (:mod:`motcua.dossiers.lateness`).
TRANSITIONS: dict[DossierStatus, frozenset[DossierStatus]] = {
    S.SUBMITTED: frozenset({S.RECEIVED, S.REFUSED, S.NEEDS_SUPPLEMENT, S.WITHDRAWN}),
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.NEEDS_SUPPLEMENT, S.AWAITING_PAYMENT,
                           S.WITHDRAWN, S.STOPPED, S.READY}),
    S.REFUSED: frozenset(),
    S.IN_PROGRESS: frozenset({S.IN_PROGRESS, S.NEEDS_SUPPLEMENT, S.AWAITING_PAYMENT,
                              S.WITHDRAWN, S.STOPPED, S.READY}),
    S.NEEDS_SUPPLEMENT: frozenset({S.RECEIVED, S.IN_PROGRESS, S.AWAITING_PAYMENT,
                                   S.WITHDRAWN, S.STOPPED, S.READY}),
    S.AWAITING_PAYMENT: frozenset({S.IN_PROGRESS, S.NEEDS_SUPPLEMENT, S.WITHDRAWN,
                                   S.STOPPED, S.READY}),
    S.WITHDRAWN: frozenset(),
    S.STOPPED: frozenset(),
    S.READY: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
}


class TransitionRefused(ValueError):
    """A status may not follow the dossier's current one. ``str()`` is Vietnamese then
    English; ``old`` and ``new`` are the two statuses."""

    def __init__(self, old: DossierStatus, new: DossierStatus) -> None:
        self.old = old
        self.new = new
        self.message_vi = (f"Không thể chuyển hồ sơ từ trạng thái “{old.label}” ({int(old)}) "
                           f"sang “{new.label}” ({int(new)})")
        self.message_en = (f"A dossier cannot go from status {int(old)} ({old.name.lower()}) "
                           f"to {int(new)} ({new.name.lower()})")
        super().__init__(f"{self.message_vi} / {self.message_en}")


def allowed_next(old: DossierStatus | int) -> frozenset[DossierStatus]:
    """The statuses that may follow ``old``."""
    return TRANSITIONS[DossierStatus(old)]


def check_transition(old: DossierStatus | int | None, new: DossierStatus | int) -> None:
    """Return if ``new`` may follow ``old`` (None: the dossier's first status, any is
    allowed); raise :class:`TransitionRefused` otherwise.

    Raises:
        ValueError: ``old`` or ``new`` is not a status 1–10 (``TransitionRefused`` is a
            ValueError too).
    """
    new_status = DossierStatus(new)
    if old is None:
        return
    old_status = DossierStatus(old)
    if new_status not in TRANSITIONS[old_status]:
        raise TransitionRefused(old_status, new_status)
