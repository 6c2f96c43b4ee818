"""The kiosk pages' message catalog: both languages complete, every used key present."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from kiosk.backend import LOOKUP_ERRORS
from kiosk.web.catalog import CatalogError, check_catalog, load_catalog, parameters
from motcua.contract.payloads import DossierStage, Lateness

WEB = Path(__file__).resolve().parents[2] / "kiosk" / "web"
#: How each kind of file names a catalog key.
KEY_USES = {
    "templates/kiosk.html": [r'data-i18n="([a-z_.]+)"', r'say\("([a-z_.]+)"\)'],
    "static/kiosk.js": [r'\bt\("([a-z_.]+)"', r'catalog\.(?:vi|en)\["([a-z_.]+)"\]',
                        r'label: "([a-z_.]+)"'],
    "app.py": [r'"((?:errors|scan|lookup)\.[a-z_]+)"'],
    "issue_request.py": [r'"(errors\.[a-z_]+)"'],
}


#: Keys the script and the server build from a contract value (``t("stage." + stage)``):
#: every value the contract allows must have its text.
STAGES = typing.get_args(DossierStage)
KEY_FAMILIES = {
    "static/kiosk.js": {
        *(f"stage.{stage}" for stage in STAGES),
        *(f"dossier.{lateness}" for lateness in typing.get_args(Lateness)),
        *(f"dossier.{stage}" for stage in ("supplement", "payment", "refused", "withdrawn",
                                           "stopped", "ready", "returned")),
        *(f"dossier.step_{step}" for step in ("received", "in_progress", "ready", "returned")),
    },
    "app.py": {f"lookup.error_{code}" for code in LOOKUP_ERRORS},
}


def used_keys() -> dict[str, set[str]]:
    uses: dict[str, set[str]] = {}
    for name, patterns in KEY_USES.items():
        text = (WEB / name).read_text("utf-8")
        found = {key for pattern in patterns for key in re.findall(pattern, text)}
        # "dossier." + stage: a prefix, counted through KEY_FAMILIES instead
        uses[name] = {key for key in found if not key.endswith((".", "_"))}
        uses[name] |= KEY_FAMILIES.get(name, set())
    return uses


def test_the_script_builds_the_families_of_keys_the_test_expects():
    """Given the script, Then it builds its dynamic keys from the prefixes the families
    above list (so a renamed prefix fails here, not on screen)."""
    script = (WEB / "static/kiosk.js").read_text("utf-8")
    for prefix in ('t("stage." + stage)', 't("dossier." + view.lateness)',
                   't("dossier." + view.stage)', 't("dossier.step_" + name)'):
        assert prefix in script, prefix
    assert 'f"lookup.error_{code}"' in (WEB / "app.py").read_text("utf-8")


def test_both_languages_have_exactly_the_same_keys_and_parameters():
    """Given the shipped vi.toml and en.toml, When loaded, Then they have the same keys,
    each with the same {parameters}, and no text is empty."""
    catalog = load_catalog()
    assert set(catalog.messages) == {"vi", "en"}
    assert catalog.messages["vi"].keys() == catalog.messages["en"].keys()
    for key in catalog.keys():
        vietnamese, english = catalog.messages["vi"][key], catalog.messages["en"][key]
        assert vietnamese.strip() and english.strip(), key
        assert parameters(vietnamese) == parameters(english), key


def test_every_key_the_page_and_the_server_use_exists():
    """Given the template, the script and the server modules, When their catalog keys
    are collected, Then each is in the catalog (a typo would show a bare key on screen)."""
    keys = load_catalog().keys()
    uses = used_keys()
    assert len(uses["templates/kiosk.html"]) >= 20
    assert len(uses["static/kiosk.js"]) >= 10
    for name, found in uses.items():
        assert found, f"no catalog key found in {name}: the pattern is stale"
        assert found <= keys, f"{name} uses keys missing from the catalog: {found - keys}"


def test_every_catalog_key_is_used_somewhere():
    """Given the catalog, Then no key is dead: each appears in a template, the script or
    the server code."""
    used = set().union(*used_keys().values())
    assert load_catalog().keys() - used == set()


def test_the_texts_the_issue_names_are_in_the_vietnamese_catalog():
    """Given the Vietnamese catalog, Then the screen texts the issue prescribes are there
    word for word, diacritics included."""
    vietnamese = load_catalog().messages["vi"]
    assert vietnamese["home.not_issuing"] == "Hết số / tạm ngừng cấp số"
    assert vietnamese["result.ahead"] == "Số người đang chờ trước bạn"
    assert vietnamese["result.take_ticket"] == "Vui lòng nhận phiếu"
    assert vietnamese["result.printer_failed"] == (
        "Máy in gặp sự cố — vui lòng chụp ảnh mã QR này để theo dõi số")
    assert vietnamese["confirm.question"] == "Bạn thuộc đối tượng ưu tiên: {label}?"
    assert (vietnamese["confirm.confirm"], vietnamese["confirm.back"]) == ("Xác nhận", "Quay lại")
    assert vietnamese["offline.heading"] == "Tạm ngừng phục vụ"
    assert vietnamese["priority.normal"] == "Thường"


def test_text_fills_parameters_in_the_asked_language():
    """Given a text with a parameter, When filled in each language, Then each reads with
    the value in place."""
    catalog = load_catalog()
    assert catalog.text("vi", "home.waiting", count=7) == "Đang chờ: 7"
    assert catalog.text("en", "home.waiting", count=7) == "Waiting: 7"
    assert catalog.text("vi", "errors.too_large", limit=1024) == "Yêu cầu quá lớn: tối đa 1024 byte."


def test_a_missing_translation_is_refused_naming_the_key():
    """Given an English catalog lacking one key, When checked, Then the error names it."""
    with pytest.raises(CatalogError, match=r"^home\.waiting: missing in en\.toml$"):
        check_catalog({"vi": {"home.heading": "Chọn", "home.waiting": "Chờ {count}"},
                       "en": {"home.heading": "Choose"}})


def test_an_extra_key_is_refused_naming_the_key():
    """Given an English catalog with a key Vietnamese lacks, When checked, Then refused."""
    with pytest.raises(CatalogError, match=r"^home\.extra: in en\.toml but not in vi\.toml$"):
        check_catalog({"vi": {"home.heading": "Chọn"},
                       "en": {"home.heading": "Choose", "home.extra": "More"}})


def test_a_parameter_mismatch_is_refused_naming_the_key():
    """Given a translation that renames a parameter, When checked, Then the error names
    the key and both parameter lists."""
    with pytest.raises(CatalogError, match=r"^home\.waiting: en\.toml uses \['n'\], "
                                           r"vi\.toml \['count'\]$"):
        check_catalog({"vi": {"home.waiting": "Chờ {count}"}, "en": {"home.waiting": "Wait {n}"}})
