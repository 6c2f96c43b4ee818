"""The procedure catalog on the bus and the web, through real Mosquitto and a real hub:
retained at start and after a broker restart, republished when an import changes it,
searched by ``GET /api/v1/procedures?q=``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from motcua import contract
from motcua.bus import BusSettings, connect_bus
from motcua.catalog_publisher import CatalogPublisher, build_catalog, catalog_version
from motcua.dossiers.procedures import Procedure
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from motcua.server import create_app
from motcua.store import create_database_engine, upgrade
from motcua.store.procedure_store import load_demo_catalog, load_procedures, upsert_procedures
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

SITE = "van-lam"
TOPIC = f"motcua/v1/{SITE}/procedures"


def retained_catalog(broker, timeout: float = 10.0, until=None) -> dict:
    """The catalog a kiosk connecting now receives: a message with the retain flag."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        late = MqttProbe(broker.url())
        try:
            late.subscribe(TOPIC)
            try:
                message = late.wait_for(TOPIC, 1.0)
            except TimeoutError:
                continue
            body = json.loads(message.payload)
            if message.retain and (until is None or until(body)):
                return body
        finally:
            late.close()
        time.sleep(0.1)
    raise AssertionError(f"no retained catalog on {TOPIC} within {timeout} s")


@pytest.fixture
def engine(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path}/hub.db")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def hub(tmp_path, engine, mosquitto_broker) -> Iterator[Hub]:
    clock = ManualClock()
    load_demo_catalog(engine, SITE, clock())
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0)
    with Hub(config, clock=clock, serve_http=False) as running:
        yield running


def test_the_hub_publishes_the_stored_catalog_retained_at_start(hub, engine, mosquitto_broker):
    """Given the demo catalog stored,
    when the hub has started,
    then a kiosk connecting later receives the 43 procedures, retained, valid for the
    contract, stamped in the site's time, with the version of their content and
    "Đăng ký kết hôn" exact."""
    body = retained_catalog(mosquitto_broker)

    catalog = contract.ProcedureCatalog.model_validate(body)
    assert len(catalog.procedures) == 43
    assert catalog.version == catalog_version(catalog.procedures)
    assert len(catalog.version) == 12
    assert body["at"].endswith("+07:00")
    ket_hon = next(p for p in body["procedures"] if p["code"] == "1.000894")
    assert ket_hon == {
        "code": "1.000894", "name": "Đăng ký kết hôn", "field": "Hộ tịch",
        "documents": ["Tờ khai đăng ký kết hôn theo mẫu",
                      "Giấy tờ tùy thân của hai bên nam, nữ (xuất trình)",
                      "Giấy xác nhận tình trạng hôn nhân, nếu đăng ký kết hôn ở xã không "
                      "phải nơi thường trú"],
        "processing_days": 0,
        "processing_note": "Ngay trong ngày làm việc; nếu cần xác minh thì không quá 05 ngày "
                           "làm việc",
        "fee": "Miễn lệ phí", "service": "ho-tich"}


def test_after_a_broker_restart_the_catalog_is_retained_again(hub, mosquitto_broker):
    """Given a running hub with its catalog published,
    when the broker restarts and loses its retained messages,
    then the hub's reconnect publishes the same catalog (same version) again."""
    before = retained_catalog(mosquitto_broker)["version"]

    mosquitto_broker.restart()

    assert retained_catalog(mosquitto_broker)["version"] == before


def test_a_running_publisher_republishes_an_imported_change_and_only_a_change(
        engine, mosquitto_broker):
    """Given a publisher re-reading the table every 0.2 s, with the demo catalog published,
    when a procedure is imported (as ``motcua procedure import`` does from another process),
    then the new catalog with a new version is published within seconds; and when
    nothing changes, nothing more is published."""
    clock = ManualClock()
    load_demo_catalog(engine, SITE, clock())
    bus = connect_bus(BusSettings(url=mosquitto_broker.url(), client_id="catalog-test"))
    publisher = CatalogPublisher.for_site(engine, SITE, contract.Topics(SITE), clock,
                                          refresh_s=0.2).start(bus)
    watcher = MqttProbe(mosquitto_broker.url())
    try:
        watcher.subscribe(TOPIC)
        first = json.loads(watcher.wait_for(TOPIC).payload)
        new = Procedure(code="demo.moi.01", name="Đăng ký nuôi con nuôi thực tế",
                        field="Hộ tịch", processing_days=5, service="ho-tich")

        upsert_procedures(engine, SITE, [new], clock())

        second = json.loads(watcher.wait_for(TOPIC, 5.0).payload)
        assert second["version"] != first["version"]
        assert "demo.moi.01" in [p["code"] for p in second["procedures"]]
        assert len(second["procedures"]) == 44
        with pytest.raises(TimeoutError):
            watcher.wait_for(TOPIC, 1.0)
    finally:
        watcher.close()
        publisher.stop()
        bus.close()


def test_a_stored_procedure_that_breaks_the_contract_is_left_out_not_the_catalog():
    """Given three procedures, one retired and one whose service is not a slug (written
    around the importer),
    when the payload is built,
    then only the valid active one is in it, and its version is that of its content."""
    good = Procedure(code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch", service="ho-tich")
    retired = Procedure(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", active=False)
    bad = Procedure(code="demo.x", name="Thủ tục", field="", service="Hộ Tịch")

    catalog = build_catalog([good, retired, bad], ManualClock()())

    assert [p.code for p in catalog.procedures] == ["1.000894"]
    assert catalog.version == build_catalog([good], ManualClock()()).version


# --- the web ---------------------------------------------------------------------------------


@pytest.fixture
def web(hub):
    return create_app(hub, {"TESTING": True}).test_client()


def test_the_web_finds_a_procedure_typed_without_diacritics(web):
    """Given the running hub with the demo catalog,
    when the web asks for q=dang ky ket hon,
    then the first item is "Đăng ký kết hôn" as the contract's ProcedureInfo."""
    response = web.get("/api/v1/procedures", query_string={"q": "dang ky ket hon"})

    assert response.status_code == 200
    first = response.get_json()[0]
    assert (first["code"], first["name"], first["service"]) == (
        "1.000894", "Đăng ký kết hôn", "ho-tich")
    contract.ProcedureInfo.model_validate(first)


def test_the_web_lists_the_whole_catalog_without_q_and_limits_with_it(web, engine):
    """Given the demo catalog,
    when listed without q, and searched for "dang" with limit=3,
    then all 43 active procedures come in code order, and then exactly 3."""
    everything = web.get("/api/v1/procedures").get_json()
    limited = web.get("/api/v1/procedures?q=dang&limit=3").get_json()

    assert [p["code"] for p in everything] == [p.code for p in load_procedures(engine, SITE)]
    assert len(everything) == 43
    assert len(limited) == 3


def test_a_bad_limit_is_a_400_naming_it(web):
    """Given the web API, when limit is not a number from 1 to 100, then 400
    invalid_argument names the field."""
    for limit in ("0", "101", "abc", "-1", "１"):
        response = web.get(f"/api/v1/procedures?q=dang&limit={limit}")
        assert response.status_code == 400, limit
        assert response.get_json()["error"]["code"] == "invalid_argument"
        assert response.get_json()["error"]["params"] == {"field": "limit"}
