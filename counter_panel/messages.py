"""Every text the counter tools show a person: (Vietnamese, English), Vietnamese first."""

from __future__ import annotations

MESSAGES = {
    "sign_show": ("{number}", "{number}"),
    "sign_blink": ("{number} (nhấp nháy)", "{number} (blinking)"),
    "sign_clear": ("(trống)", "(blank)"),
    "sign_offline": ("---- (mất kết nối)", "---- (offline)"),
    "sign_refused": ("Err (từ chối)", "Err (refused)"),
    "pad_on": ("bàn phím đánh giá sáng: 3 rất hài lòng · 2 hài lòng · 1 không hài lòng",
               "rating pad lit: 3 very satisfied · 2 satisfied · 1 unsatisfied"),
    "pad_off": ("bàn phím đánh giá tắt", "rating pad off"),
    "sign_line": ("Quầy @{address:02d} │ {vi}", "Box @{address:02d} │ {en}"),
    "bus_ready": ("Hộp phím mô phỏng trên {path} (địa chỉ {addresses})",
                  "Simulated box on {path} (addresses {addresses})"),
    "help": ("Phím: NEXT RECALL START FINISH NOSHOW HOLD PAUSE CLOSE, TRANSFER n, LOGIN mã, "
             "RATE 1-3, wait giây, @địa-chỉ trước phím; quit để thoát",
             "Keys: NEXT RECALL START FINISH NOSHOW HOLD PAUSE CLOSE, TRANSFER n, LOGIN code, "
             "RATE 1-3, wait seconds, @address before a key; quit to leave"),
    "bad_step": ("Lệnh không hợp lệ: {step} ({error})", "Invalid step: {step} ({error})"),
}


def say(message: str, **params: object) -> str:
    """``message`` in Vietnamese / English, with ``params`` filled in."""
    vietnamese, english = MESSAGES[message]
    return f"{vietnamese.format(**params)} / {english.format(**params)}"


def text(message: str, language: str = "vi", **params: object) -> str:
    """``message`` in one language (``vi`` or ``en``)."""
    return MESSAGES[message][0 if language == "vi" else 1].format(**params)
