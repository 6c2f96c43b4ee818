"""The kiosk's dossier routes over Flask's test client, with the fake kiosk backend:
lookups (calm messages for each refusal), wedge scans, return-of-results tickets and the
procedure search."""

from __future__ import annotations

import pytest

from kiosk.web import KioskWebSettings, create_kiosk_app
from kiosk.web.catalog import load_catalog
from tests.support.fake_kiosk_backend import SAMPLE_SERVICES, FakeKioskBackend
from tests.support.sample_dossiers import (
    LATE,
    READY,
    RETURN_SERVICE,
    sample_dossiers,
    sample_procedures,
)

REQUEST = "7d1e4c2a-9b3f-4e8d-a1c5-6f2b0e9d8c71"


@pytest.fixture
def backend() -> FakeKioskBackend:
    return FakeKioskBackend(services=SAMPLE_SERVICES + (RETURN_SERVICE,),
                            dossiers=sample_dossiers(), procedures=sample_procedures())


@pytest.fixture
def client(backend):
    return create_kiosk_app(backend, KioskWebSettings(wedge=True)).test_client()


def lookup(client, code, request_id=REQUEST):
    return client.post("/api/lookup", json={"request_id": request_id, "code": code})


# ---- lookup ---------------------------------------------------------------------------

def test_a_known_code_returns_its_masked_dossier(client, backend):
    """Given the late sample dossier, When its code is looked up in lower case with a CR,
    Then the answer is ok with the dossier view (masked applicant, lateness, new date)."""
    response = lookup(client, LATE.lower() + "\r")
    body = response.get_json()
    assert response.status_code == 200
    assert body["ok"] is True and body["error_code"] is None
    dossier = body["dossier"]
    assert (dossier["code"], dossier["applicant"], dossier["lateness"]) == (
        LATE, "Trần T. B.", "late")
    assert (dossier["appointment"], dossier["new_appointment"]) == ("2026-11-13", "2026-12-08")
    assert [step["label"] for step in dossier["timeline"]] == ["Được tiếp nhận", "Đang xử lý"]
    assert backend.lookup_calls[-1].code == LATE.lower() + "\r"


@pytest.mark.parametrize(("error_code", "params", "expected"), [
    ("dossier_not_found", {}, "Chưa tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã, "
                              "hoặc hỏi cán bộ hướng dẫn."),
    ("rate_limited", {"retry_s": 20}, "Quý khách đã tra cứu nhiều lần liên tiếp. Vui lòng "
                                      "chờ 20 giây rồi thử lại."),
    ("hub_unreachable", {}, "Hiện chưa kết nối được máy chủ. Vui lòng thử lại sau ít phút."),
    ("not_available", {"feature": "lookup"}, "Máy này chưa tra cứu được hồ sơ. Vui lòng hỏi "
                                             "cán bộ hướng dẫn."),
])
def test_each_refusal_of_the_hub_is_said_calmly_in_the_kiosks_words(client, backend,
                                                                    error_code, params,
                                                                    expected):
    """Given the hub refuses a lookup (not found, rate limited, unreachable, an old hub),
    When the page asks, Then the answer keeps the code and carries the kiosk's own calm
    Vietnamese text, with its English beside it."""
    backend.refuse_next_lookup(error_code, "hub text", "hub text en", **params)
    body = lookup(client, READY).get_json()
    assert (body["ok"], body["error_code"]) == (False, error_code)
    assert body["message_vi"] == expected
    assert body["message_en"] == load_catalog().text("en", f"lookup.error_{error_code}",
                                                     retry_s=params.get("retry_s", 30))


@pytest.mark.parametrize("garbage", ["<script>alert(1)</script>", "'; DROP TABLE dossier;--",
                                     "000.00.12.H42\x00-261110-0012", "x" * 120, ""])
def test_a_code_the_rule_refuses_is_invalid_code(client, backend, garbage):
    """Given HTML, SQL, a NUL byte, 120 characters or nothing, When looked up, Then the
    answer is invalid_code with the kiosk's text, and no dossier is returned."""
    body = lookup(client, garbage).get_json()
    assert (body["ok"], body["error_code"], body["dossier"]) == (False, "invalid_code", None)
    assert body["message_vi"].startswith("Mã hồ sơ chưa đúng.")


def test_a_malformed_lookup_body_is_a_400_and_nothing_is_looked_up(client, backend):
    """Given bodies with a bad request id, a numeric code, a code over 128 characters or an
    extra field, Then each is a JSON 400 naming the problem and the backend saw none."""
    cases = [({"request_id": "x", "code": READY}, "mã lần chạm"),
             ({"request_id": REQUEST, "code": 42}, "mã hồ sơ"),
             ({"request_id": REQUEST, "code": "9" * 129}, "mã hồ sơ"),
             ({"request_id": REQUEST, "code": READY, "admin": True}, "admin")]
    for body, named in cases:
        response = client.post("/api/lookup", json=body)
        assert response.status_code == 400
        assert named in response.get_json()["error"]["message"]
    assert backend.lookup_calls == []


# ---- wedge scans ----------------------------------------------------------------------

def test_a_wedge_scan_goes_through_the_code_rule_into_the_view(client, backend):
    """Given a wedge scanner, When it posts a code then HTML, Then the first is a wedge
    scan with the canonical code (seq 1), the second is rejected with the calm text, and
    the live view carries the latest scan."""
    first = client.post("/api/scan", json={"code": READY.lower()}).get_json()
    assert first == {"seq": 1, "source": "wedge", "code": READY, "ok": True}
    second = client.post("/api/scan", json={"code": "<img src=x>"}).get_json()
    assert (second["seq"], second["ok"], second["code"]) == (2, False, None)
    assert second["message_vi"] == ("Mã vừa quét không phải mã hồ sơ. Vui lòng quét lại mã "
                                    "vạch trên giấy hẹn hoặc nhập mã bằng bàn phím.")
    view = client.get("/api/view").get_json()
    assert view["scan"] == {"seq": 2, "source": "wedge", "code": None, "ok": False}


def test_ten_kilobytes_from_a_wedge_are_refused_before_the_backend(client, backend):
    """Given 10 KB typed by a stuck scanner, When posted, Then it is a 413 and no scan is
    recorded."""
    response = client.post("/api/scan", json={"code": "A" * 10_240})
    assert response.status_code == 413
    assert backend.live().scan is None


# ---- return-of-results tickets -----------------------------------------------------------

def test_a_return_ticket_carries_the_dossier_to_the_backend_and_back(client, backend):
    """Given the ready dossier, When the page issues for its return service with the code,
    Then the backend got the dossier and the answer is an R ticket for that dossier."""
    body = client.post("/api/issue", json={"tap_id": REQUEST, "service": "tra-ket-qua",
                                           "priority": "normal", "dossier": READY}).get_json()
    assert (body["ok"], body["dossier"], body["ticket"]["number"]) == (True, READY, "R001")
    assert backend.issue_calls[-1].dossier == READY


def test_a_return_ticket_for_a_dossier_not_ready_is_refused(client, backend):
    """Given the late dossier (in progress), When a return ticket is asked for it, Then
    nothing is issued and the refusal says why."""
    body = client.post("/api/issue", json={"tap_id": REQUEST, "service": "tra-ket-qua",
                                           "priority": "normal", "dossier": LATE}).get_json()
    assert (body["ok"], body["error_code"]) == (False, "dossier_not_ready")
    assert backend.issued == []


# ---- procedure search -----------------------------------------------------------------

def test_searching_without_diacritics_finds_the_procedure(client):
    """Given the sample catalog, When "dang ky ket hon" is searched, Then Đăng ký kết hôn
    comes first with its field, documents, time limit, fee and service."""
    body = client.get("/api/procedures", query_string={"q": "dang ky ket hon"}).get_json()
    assert body["total"] == 8
    first = body["results"][0]
    assert (first["name"], first["field"], first["service"]) == (
        "Đăng ký kết hôn", "Hộ tịch", "ho-tich")
    assert first["documents"][1] == "Giấy xác nhận tình trạng hôn nhân"
    assert (first["processing_days"], first["fee"]) == (0, "Miễn")


def test_an_empty_or_huge_query_answers_nothing_and_never_fails(client):
    """Given an empty query and a 5,000-character one, Then both answer 200 with no
    results, the long query cut to 80 characters."""
    assert client.get("/api/procedures").get_json()["results"] == []
    body = client.get("/api/procedures", query_string={"q": "z" * 5000}).get_json()
    assert (len(body["query"]), body["results"]) == (80, [])


def test_the_view_says_whether_a_catalog_is_there(backend):
    """Given no catalog, then a catalog arriving, Then procedures_version goes from None to
    the catalog's version (the home button shows only with a catalog)."""
    empty = FakeKioskBackend()
    assert empty.live().as_json()["procedures_version"] is None
    empty.set_procedures(sample_procedures(), "2026-11-30T08:00")
    assert empty.live().as_json()["procedures_version"] == "2026-11-30T08:00"
    html = create_kiosk_app(FakeKioskBackend()).test_client().get("/").get_data(as_text=True)
    assert 'id="open-procedures" hidden' in html


def test_the_texts_the_issue_names_are_in_the_vietnamese_catalog():
    """Given the Vietnamese catalog, Then the dossier and procedure screens' texts the issue
    prescribes are there word for word, diacritics included, and the home page shows the
    lookup button before any script runs."""
    vietnamese = load_catalog().messages["vi"]
    assert vietnamese["home.lookup_button"] == "Tra cứu hồ sơ"
    assert vietnamese["home.procedures_button"] == "Tra cứu thủ tục"
    assert vietnamese["scan.instruction"] == "Đưa mã vạch trên giấy hẹn vào máy quét"
    assert vietnamese["dossier.return_button"] == "Lấy số trả kết quả"
    assert vietnamese["procedures.take_number"] == "Lấy số cho thủ tục này"
    assert vietnamese["dossier.late_new_date"] == "Ngày hẹn trả mới: {date}"
    html = create_kiosk_app(FakeKioskBackend()).test_client().get("/").get_data(as_text=True)
    assert ">Tra cứu hồ sơ<" in html
