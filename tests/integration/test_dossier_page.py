"""The public dossier lookup page ``/tra-cuu`` of a real hub, through Flask's test client.

The hub reads the three dossiers of ``tests/support/dossier_hub.py`` (one ready, one in
progress, one late with an apology) from its own database with its real reader; wrong
codes count against the client's address, on the same limiter as the kiosks'.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from motcua.dossiers.wrong_codes import WrongCodeLimiter
from motcua.server import create_app
from tests.support.dossier_hub import (  # noqa: F401 - pytest fixtures
    FULL_NAME, IN_PROGRESS_CODE, LATE_CODE, READY_CODE, hub, reader, seconds,
)


@pytest.fixture
def client(hub):
    return create_app(hub, {"TESTING": True}).test_client()


def visible_text(html: str) -> str:
    """The page's words without tags, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_form_page_is_vietnamese_first(client):
    """Given no code,
    when /tra-cuu is opened,
    then it is the Vietnamese form (field ma, example code) with an English link, and
    its headers forbid scripts and caching."""
    response = client.get("/tra-cuu")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "<h1>Tra cứu hồ sơ</h1>" in html
    assert 'name="ma"' in html and "Ví dụ: 000.00.12.H42-230915-0001" in html
    assert 'href="/tra-cuu?lang=en"' in html
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_late_dossier_shows_timeline_apology_and_new_date(client):
    """Given a late dossier with an apology,
    when its code is typed into the form,
    then the page shows the procedure, the masked applicant, Quá hạn, the apology with
    its reason, the first appointment date (09/11: 5 working days from 02/11) and the new
    one, and the four steps in order at their Hà Nội times, and never the full name."""
    response = client.get(f"/tra-cuu?ma={LATE_CODE.lower()}")
    text = visible_text(response.get_data(as_text=True))

    assert response.status_code == 200
    assert f"{LATE_CODE} Đăng ký kết hôn Đang xử lý Quá hạn" in text
    assert ("Chúng tôi thành thật xin lỗi vì hồ sơ của ông/bà được giải quyết chậm so với "
            "ngày hẹn. Lý do: Chờ ý kiến của Sở Tư pháp") in text
    assert "Ngày hẹn trả 09/11/2026 Ngày hẹn trả mới 27/11/2026" in text
    assert ("Quá trình xử lý Được tiếp nhận 02/11/2026 09:00 Đang xử lý 03/11/2026 09:00 "
            "Yêu cầu bổ sung giấy tờ 06/11/2026 09:00 Đang xử lý 09/11/2026 09:00") in text
    assert "Người nộp Nguyễn V. A." in text
    assert FULL_NAME not in text


def test_a_ready_dossier_in_english_by_its_address(client):
    """Given a dossier ready for return,
    when /tra-cuu/CODE?lang=en is opened,
    then the page is English: Ready for return, ahead of schedule, the return hint, the
    appointment date 30/11 (5 working days from Friday 20/11, the holiday of 24/11
    skipped), and a link back to Vietnamese."""
    response = client.get(f"/tra-cuu/{READY_CODE}?lang=en")
    html = response.get_data(as_text=True)
    text = visible_text(html)

    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Ready for return Ahead of schedule Your result is ready." in text
    assert "Received 20/11/2026 09:00 Appointment date 30/11/2026" in text
    assert f'href="/tra-cuu/{READY_CODE}?lang=vi"' in html


def test_a_dossier_in_progress_is_on_time_until_its_date(client):
    """Given a dossier received Tuesday 17/11 for a 5-working-day procedure, in progress
    on Monday 23/11,
    when its page is opened,
    then it is Đang xử lý, Đúng hạn, due Wednesday 25/11 (Tuesday 24/11, Ngày Văn hóa
    Việt Nam, is not counted), with its two steps."""
    response = client.get(f"/tra-cuu/{IN_PROGRESS_CODE}")
    text = visible_text(response.get_data(as_text=True))

    assert response.status_code == 200
    assert f"{IN_PROGRESS_CODE} Đăng ký kết hôn Đang xử lý Đúng hạn" in text
    assert ("Ngày tiếp nhận 17/11/2026 09:00 Ngày hẹn trả 25/11/2026 Quá trình xử lý "
            "Được tiếp nhận 17/11/2026 09:00 Đang xử lý 18/11/2026 09:00") in text


def test_bad_and_unknown_codes_get_calm_pages(client, reader):
    """Given HTML typed as a code, and an unknown code,
    when they are looked up,
    then the first is a 400 page saying the code is not valid (the HTML escaped, never
    run), the second a 404 page naming the code; the store is read only for the second."""
    bad = client.get("/tra-cuu", query_string={"ma": "<script>alert(1)</script>"})
    unknown = client.get("/tra-cuu/000.00.12.H42-261120-0999")

    assert bad.status_code == 400
    assert "<script>alert" not in bad.get_data(as_text=True)
    assert ("Mã hồ sơ chưa đúng Mã hồ sơ không hợp lệ, vui lòng quét lại mã trên giấy hẹn "
            "trả kết quả") in visible_text(bad.get_data(as_text=True))
    assert unknown.status_code == 404
    assert "Không tìm thấy hồ sơ 000.00.12.H42-261120-0999" in visible_text(
        unknown.get_data(as_text=True))
    assert reader.reads == ["000.00.12.H42-261120-0999"]


def test_wrong_codes_from_one_address_get_a_429_page(client, seconds):
    """Given the site's 10 wrong codes a minute,
    when one address tries 10 unknown codes,
    then its next lookup, even of a right code, is a 429 page with Retry-After: 6 and
    the calm Vietnamese message."""
    for serial in range(10):
        assert client.get(f"/tra-cuu/000.00.12.H42-261120-{900 + serial:04d}").status_code == 404

    limited = client.get(f"/tra-cuu/{IN_PROGRESS_CODE}")

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "6"
    assert ("Vui lòng thử lại sau Đã nhập sai mã hồ sơ quá nhiều lần, vui lòng chờ 6 giây "
            "rồi thử lại") in visible_text(limited.get_data(as_text=True))


def test_a_kiosk_over_http_takes_a_return_ticket_once(client, hub):
    """Given kiosk 1's device token and a ready dossier,
    when the kiosk posts issue with the dossier twice (two idempotency keys), then for a
    dossier not ready,
    then the first is 201 K001 carrying the code, the second the same ticket, the third
    409 dossier_not_ready."""
    from motcua.devices import add_device

    token = add_device(hub.store.engine, hub.setup.site_id, "kiosk", "1", "Kiosk sảnh")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"service": "tra-ket-qua", "dossier": READY_CODE}

    first = client.post("/api/v1/tickets", json=body,
                        headers={**headers, "Idempotency-Key": "r-1"})
    second = client.post("/api/v1/tickets", json=body,
                         headers={**headers, "Idempotency-Key": "r-2"})
    not_ready = client.post("/api/v1/tickets", json={**body, "dossier": IN_PROGRESS_CODE},
                            headers={**headers, "Idempotency-Key": "r-3"})

    assert first.status_code == 201
    assert (first.json["number"], first.json["dossier"]) == ("K001", READY_CODE)
    assert (second.status_code, second.json["id"]) == (201, first.json["id"])
    assert not_ready.status_code == 409
    assert not_ready.json["error"]["message"] == (
        f"Hồ sơ {IN_PROGRESS_CODE} chưa có kết quả để trả")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(min_size=1, max_size=300))
def test_whatever_is_typed_the_page_stays_calm(client, hub, typed):
    """Given the limit off,
    when anything at all is typed into the form,
    then the page answers 200, 400 or 404 (never a server error) and a refused input is
    shown back only escaped, in the field's value."""
    hub.dossier_lookup.limiter = WrongCodeLimiter(0)

    response = client.get("/tra-cuu", query_string={"ma": typed})
    html = response.get_data(as_text=True)

    assert response.status_code in {200, 400, 404}
    if response.status_code != 200:
        assert f'value="{escape(typed[:200].strip())}"' in html


def test_the_json_route_gets_the_same_wrong_code_budget(client, seconds):
    """Given one address, when it makes 10 wrong codes through GET /api/v1/dossiers/{code},
    then the JSON route refuses its next lookup with lookup_rate_limited (429, 6 s), and the
    page refuses that address too: one budget per address."""
    for _ in range(10):
        assert client.get("/api/v1/dossiers/nope").status_code == 400

    refused = client.get(f"/api/v1/dossiers/{READY_CODE}")

    assert refused.status_code == 429
    assert (refused.get_json()["error"]["code"], refused.get_json()["error"]["params"]) == (
        "lookup_rate_limited", {"retry_s": 6})
    assert client.get(f"/tra-cuu/{READY_CODE}").status_code == 429
