"""How the kiosk's touch pages behave: timeouts, language, stream pacing.

One frozen value handed to :func:`kiosk.web.create_kiosk_app`; the kiosk process builds
it from its own config. Every field has a default that suits a kiosk in a public hall.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Languages the message catalog ships; the first is the default.
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class KioskWebSettings:
    """Settings of the touch pages.

    Attributes:
        idle_timeout_s: seconds without a touch before any screen goes back home (and
            back to ``default_language``, for the next citizen).
        result_timeout_s: seconds the result screen stays before going back home.
        default_language: ``"vi"`` or ``"en"``.
        sse_keepalive_s: seconds between keep-alive comments on a quiet ``/events``
            stream (also how soon a closed browser frees its server thread).
        sse_retry_ms: the ``retry:`` the stream tells the browser to wait before it
            reconnects.
        issue_retry_s: how long the page keeps re-sending one tap (same ``tap_id``)
            while the kiosk process does not answer; a little over the contract's
            30 s command expiry, after which the hub would refuse it anyway.
        max_request_bytes: the largest ``POST /api/issue`` body accepted.
        timezone: the IANA zone the page's clock shows (the site's), whatever zone the
            kiosk PC runs in.
        wedge: the page captures a keyboard-wedge scanner (``[scanner] kind = "wedge"``):
            a burst of at least ``wedge_min_chars`` keystrokes at most
            ``wedge_max_gap_ms`` apart, ended by Enter, is posted to ``/api/scan``.
        max_search_chars: the longest procedure search query read.
    """

    idle_timeout_s: float = 45.0
    result_timeout_s: float = 20.0
    default_language: str = "vi"
    sse_keepalive_s: float = 15.0
    sse_retry_ms: int = 2000
    issue_retry_s: float = 35.0
    max_request_bytes: int = 1024
    timezone: str = "Asia/Ho_Chi_Minh"
    wedge: bool = False
    wedge_max_gap_ms: int = 50
    wedge_min_chars: int = 8
    max_search_chars: int = 80

    def __post_init__(self) -> None:
        if self.default_language not in LANGUAGES:
            raise ValueError(f"default_language: {self.default_language!r} is not one of "
                             f"{', '.join(LANGUAGES)}")
        for name in ("idle_timeout_s", "result_timeout_s", "sse_keepalive_s",
                     "issue_retry_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name}: must be above 0")
        if self.sse_retry_ms <= 0 or self.max_request_bytes <= 0:
            raise ValueError("sse_retry_ms and max_request_bytes must be above 0")
