"""Dossiers and procedures as the hub would send them to a kiosk, for page tests and demos.

Built through the contract's own models (``DossierView``, ``ProcedureInfo``), so a sample
that does not fit the contract fails here, not on screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.backend import ServiceChoice
from motcua.contract import DossierView, ProcedureInfo
from motcua.dossiers.status import STAGES, DossierStatus

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: The service return-of-results tickets are taken for.
RETURN_SERVICE = ServiceChoice("tra-ket-qua", "Trả kết quả", "R", "Trả kết quả", waiting=2,
                               est_wait_s=300)

ON_TIME = "000.00.12.H42-261120-0031"
LATE = "000.00.12.H42-261002-0007"
READY = "000.00.12.H42-261110-0012"
SUPPLEMENT = "000.00.12.H42-261118-0004"


def _at(day: str, time: str = "08:30") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TZ)


def _step(status: DossierStatus, at: dt.datetime, note: str = "") -> dict[str, Any]:
    return {"status": int(status), "label": status.label, "stage": STAGES[status], "at": at,
            "note": note}


def _view(code: str, procedure: tuple[str, str, str], applicant: str,
          steps: list[dict[str, Any]], appointment: str, lateness: str, *,
          new_appointment: str | None = None, apology: str | None = None,
          returnable: bool = False) -> dict[str, Any]:
    last = steps[-1]
    view = DossierView(
        code=code,
        procedure={"code": procedure[0], "name": procedure[1], "field": procedure[2]},
        applicant=applicant, phone="09xx xxx 123", status=last["status"],
        label=last["label"], stage=last["stage"], received_at=steps[0]["at"],
        appointment=dt.date.fromisoformat(appointment),
        new_appointment=dt.date.fromisoformat(new_appointment) if new_appointment else None,
        apology=apology, lateness=lateness, returnable=returnable,
        return_service=RETURN_SERVICE.code if returnable else None, timeline=steps)
    return view.model_dump(mode="json")


def sample_dossiers() -> dict[str, dict[str, Any]]:
    """Four dossiers by code: on time, late with an apology, ready, needing documents."""
    marriage = ("1.000894", "Đăng ký kết hôn", "Hộ tịch")
    land = ("1.004227", "Đăng ký biến động quyền sử dụng đất", "Đất đai")
    business = ("2.000720", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động "
                "của hộ kinh doanh")
    building = ("1.009974", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Hoạt động xây dựng")
    return {
        ON_TIME: _view(ON_TIME, land, "Nguyễn V. A.", [
            _step(DossierStatus.RECEIVED, _at("2026-11-20", "09:12")),
            _step(DossierStatus.IN_PROGRESS, _at("2026-11-23", "14:05"),
                  "Chuyển Văn phòng đăng ký đất đai"),
        ], "2026-12-04", "on_time"),
        LATE: _view(LATE, building, "Trần T. B.", [
            _step(DossierStatus.RECEIVED, _at("2026-10-02", "10:20")),
            _step(DossierStatus.IN_PROGRESS, _at("2026-10-05", "08:45")),
        ], "2026-11-13", "late", new_appointment="2026-12-08",
            apology="Cần thẩm định lại hiện trạng công trình"),
        READY: _view(READY, business, "Lê H. C.", [
            _step(DossierStatus.RECEIVED, _at("2026-11-10", "08:05")),
            _step(DossierStatus.IN_PROGRESS, _at("2026-11-10", "15:30")),
            _step(DossierStatus.READY, _at("2026-11-12", "16:10")),
        ], "2026-11-13", "early", returnable=True),
        SUPPLEMENT: _view(SUPPLEMENT, marriage, "Phạm T. D.", [
            _step(DossierStatus.RECEIVED, _at("2026-11-18", "09:40")),
            _step(DossierStatus.NEEDS_SUPPLEMENT, _at("2026-11-19", "11:00"),
                  "Bổ sung giấy xác nhận tình trạng hôn nhân"),
        ], "2026-11-23", "on_time"),
    }


def sample_procedures() -> tuple[ProcedureInfo, ...]:
    """A few procedures across fields, with the services of the fake kiosk's sample."""
    rows = [
        ("1.000894", "Đăng ký kết hôn", "Hộ tịch",
         ["Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân",
          "Căn cước công dân của hai bên"], 0, "Miễn", "ho-tich"),
        ("1.001193", "Đăng ký khai sinh", "Hộ tịch",
         ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"], 0, "Miễn", "ho-tich"),
        ("1.000656", "Đăng ký khai tử", "Hộ tịch",
         ["Tờ khai đăng ký khai tử", "Giấy báo tử"], 0, "Miễn", "ho-tich"),
        ("2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực",
         ["Bản chính giấy tờ", "Bản sao cần chứng thực"], 0, "2.000 đồng/trang",
         "chung-thuc"),
        ("1.004227", "Đăng ký biến động quyền sử dụng đất", "Đất đai",
         ["Đơn đăng ký biến động", "Giấy chứng nhận đã cấp", "Hợp đồng chuyển nhượng"],
         10, "Theo quy định của tỉnh", "dat-dai"),
        ("2.000720", "Đăng ký thành lập hộ kinh doanh", "Hộ kinh doanh",
         ["Giấy đề nghị đăng ký hộ kinh doanh", "Căn cước của chủ hộ"], 3, "100.000 đồng",
         "kinh-doanh"),
        ("1.009974", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Hoạt động xây dựng",
         ["Đơn đề nghị cấp giấy phép xây dựng", "Giấy tờ về quyền sử dụng đất",
          "Bản vẽ thiết kế"], 15, "75.000 đồng", "xay-dung"),
        ("1.003003", "Xác nhận thông tin hộ tịch", "Hộ tịch",
         ["Tờ khai"], 3, "", None),
    ]
    return tuple(ProcedureInfo(code=code, name=name, field=field, documents=documents,
                               processing_days=days, fee=fee, service=service)
                 for code, name, field, documents, days, fee, service in rows)
