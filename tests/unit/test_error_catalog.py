"""The one error catalog: every code has both messages, every placeholder gets a value."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from motcua import errors as catalog
from motcua.domain import errors as domain_errors
from motcua.domain import DomainError
from motcua.errors import CATALOG, WireError, error_object, placeholders

PACKAGE = Path(__file__).resolve().parents[2] / "motcua"
#: Callables whose first argument is a catalog code and whose keywords fill it.
RAISERS = {"DomainError", "WireError", "ContractError", "ApiError", "error_object"}
#: Keywords of those callables that are not message parameters.
NOT_PARAMS = {"ApiError": {"status", "headers"}, "WireError": {"request_id", "detail"},
              "ContractError": {"request_id", "detail"}}
#: Latin words that give away English inside a Vietnamese message.
ENGLISH_WORDS = re.compile(r"\b(the|is|not|request|error|invalid|unknown|try|again)\b",
                           re.IGNORECASE)


def test_every_queue_refusal_of_the_domain_is_in_the_catalog_with_the_same_words():
    """Given the domain's table (which other work extends), Then each of its codes is in
    the catalog with exactly its messages: the catalog is built from it, not copied."""
    for code, texts in domain_errors.MESSAGES.items():
        assert CATALOG[code] == texts


def test_wire_only_codes_have_left_the_pure_domain():
    """Given the codes only the hub or the wire can give, Then the domain does not list
    them (it keeps queue refusals plus its own argument guards)."""
    wire_only = {"expired", "id_reused", "storage_busy", "storage_full", "storage_error",
                 "conflict", "shutting_down", "not_available", "payload_too_large",
                 "bad_json", "clock_skew", "rate_limited"}
    assert wire_only <= set(catalog.WIRE_MESSAGES)
    assert not wire_only & set(domain_errors.MESSAGES)
    with pytest.raises(KeyError):
        DomainError("expired")


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_code_has_two_different_messages_with_the_same_placeholders(code):
    """Given a catalog code, Then its Vietnamese and English texts are non-empty and
    different, name the same placeholders, and the Vietnamese one has no English in it."""
    vietnamese, english = CATALOG[code]
    assert vietnamese and english and vietnamese != english
    names = lambda text: set(re.findall(r"{(\w+)}", text))  # noqa: E731
    assert names(vietnamese) == names(english) == placeholders(code)
    assert ENGLISH_WORDS.search(re.sub(r"{\w+}", "", vietnamese)) is None


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_placeholder_is_filled_when_its_values_are_given(code):
    """Given a value for each placeholder of `code`, Then neither rendered message keeps a
    brace, `message` is Vietnamese only, and `params` holds exactly those values."""
    params = {name: f"v-{name}" for name in placeholders(code)}
    error = error_object(code, **params, unrelated="x")
    assert "{" not in error["message"] and "{" not in error["message_en"]
    assert " / " not in error["message"]
    assert error["params"] == params


def _raise_sites() -> list[tuple[str, int, str, set[str]]]:
    sites = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in RAISERS or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue  # **params: checked where the params are built
            keywords = {keyword.arg for keyword in node.keywords} - NOT_PARAMS.get(name, set())
            sites.append((path.relative_to(PACKAGE.parent).as_posix(), node.lineno,
                          first.value, keywords))
    return sites


def test_every_error_raised_in_the_code_is_catalogued_and_fills_its_placeholders():
    """Given every `DomainError("code", ...)`, `WireError(...)`, `ContractError(...)`,
    `ApiError(...)` and `error_object(...)` written in motcua/, Then its code is in the
    catalog and its keywords give every placeholder of the code's messages."""
    sites = _raise_sites()
    assert len(sites) > 40  # the scan really found the raise sites
    problems = [f"{path}:{line} {code}" for path, line, code, keywords in sites
                if code not in CATALOG or not placeholders(code) <= keywords]
    assert problems == []


def test_parameters_are_bounded_so_refused_input_is_never_echoed_in_full():
    """Given a 60 KB value in a parameter, Then the error object keeps 64 characters of it
    (ending with …) in params and in both messages."""
    error = WireError("unknown_action", action="x" * 60000).as_dict()
    assert error["params"]["action"] == "x" * 63 + "…"
    assert error["message"] == "Thao tác không hợp lệ: " + "x" * 63 + "…"
    assert len(error["message_en"]) < 100


def test_a_ticket_status_is_named_in_vietnamese_in_the_vietnamese_text():
    """Given ticket A001 refused because it is `called`, Then the Vietnamese message says
    "đã gọi" (no English code inside it), the English one says "called", and params keep
    the stable code."""
    error = DomainError("ticket_not_waiting", ticket="A001", status="called").as_dict()
    assert error["message"] == "Số A001 không còn chờ (trạng thái đã gọi)"
    assert error["message_en"] == "Ticket A001 is not waiting (status called)"
    assert error["params"] == {"ticket": "A001", "status": "called"}


def test_a_feature_not_offered_is_named_in_vietnamese():
    """Given the kiosk `lookup` action this hub does not offer, Then the Vietnamese text
    names it "tra cứu hồ sơ" and the English one keeps the action's name."""
    error = WireError("not_available", feature="lookup")
    assert error.message_vi == "Chức năng tra cứu hồ sơ chưa được bật tại điểm này"
    assert error.message_en == "lookup is not enabled at this site"
