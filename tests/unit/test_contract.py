"""MQTT contract v1: topics, command validation, payload shapes and the generated document."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from motcua import contract
from motcua.cli import main as motcua_main
from motcua.contract import (
    Board,
    BoardCounter,
    BoardService,
    CalledEvent,
    CommandEnvelope,
    ContractError,
    ErrorInfo,
    ParsedTopic,
    Presence,
    RecentCall,
    Reply,
    Ticket,
    TopicKind,
    Topics,
    check_clock_skew,
    dump,
    dump_view,
    expiry_is_trusted,
    honoured_expiry_s,
    parse_command,
)
from motcua import errors as catalog
from motcua.contract_doc import render_contract_markdown

ICT = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2024, 5, 2, 8, 15, 0, tzinfo=ICT)
REPO_ROOT = Path(__file__).resolve().parents[2]
SITE = Topics("hcm-q1")
COUNTER = TopicKind.COUNTER_CMD
KIOSK = TopicKind.KIOSK_CMD


def _command(**fields: object) -> bytes:
    return json.dumps({"id": "req-1", **fields}, ensure_ascii=False).encode()


def _refusal(kind: TopicKind, payload: bytes) -> ContractError:
    with pytest.raises(ContractError) as caught:
        parse_command(kind, payload)
    return caught.value


# ----------------------------------------------------------------------------- topics


def test_topic_builders_give_the_exact_contract_topics():
    """Given site hcm-q1, When every builder is called, Then topics sit under motcua/v1/hcm-q1."""
    root = "motcua/v1/hcm-q1"
    assert SITE.counter_cmd(3) == f"{root}/counter/3/cmd"
    assert SITE.counter_reply(3) == f"{root}/counter/3/reply"
    assert SITE.counter_state(3) == f"{root}/counter/3/state"
    assert SITE.kiosk_cmd("1") == f"{root}/kiosk/1/cmd"
    assert SITE.kiosk_reply("sanh-a") == f"{root}/kiosk/sanh-a/reply"
    assert SITE.service_state("dat-dai") == f"{root}/service/dat-dai/state"
    assert SITE.board() == f"{root}/board"
    assert SITE.event_called() == f"{root}/event/called"
    assert SITE.event_issued() == f"{root}/event/issued"
    assert SITE.device_status("kiosk", "1") == f"{root}/device/kiosk/1/status"
    assert SITE.device_status("counter", 3) == f"{root}/device/counter/3/status"
    assert SITE.hub_status() == f"{root}/hub/status"


def test_subscription_filters_use_single_level_wildcards():
    """Given site hcm-q1, When filters are built, Then they match one device level only."""
    root = "motcua/v1/hcm-q1"
    assert SITE.counter_cmd_filter() == f"{root}/counter/+/cmd"
    assert SITE.kiosk_cmd_filter() == f"{root}/kiosk/+/cmd"
    assert SITE.counter_reply_filter(3) == f"{root}/counter/3/reply/#"
    assert SITE.counter_subtree(3) == f"{root}/counter/3/#"
    assert SITE.service_state_filter() == f"{root}/service/+/state"
    assert SITE.site_filter() == f"{root}/#"


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("counter/3/cmd", ParsedTopic(TopicKind.COUNTER_CMD, 3)),
        ("counter/12/reply", ParsedTopic(TopicKind.COUNTER_REPLY, 12)),
        ("counter/3/reply/panel-7/42", ParsedTopic(TopicKind.COUNTER_REPLY, 3)),
        ("counter/3/state", ParsedTopic(TopicKind.COUNTER_STATE, 3)),
        ("kiosk/sanh-a/cmd", ParsedTopic(TopicKind.KIOSK_CMD, "sanh-a")),
        ("kiosk/1/reply", ParsedTopic(TopicKind.KIOSK_REPLY, "1")),
        ("service/dat-dai/state", ParsedTopic(TopicKind.SERVICE_STATE, "dat-dai")),
        ("board", ParsedTopic(TopicKind.BOARD, None)),
        ("event/called", ParsedTopic(TopicKind.EVENT_CALLED, None)),
        ("event/issued", ParsedTopic(TopicKind.EVENT_ISSUED, None)),
        ("device/display/tv-1/status", ParsedTopic(TopicKind.DEVICE_STATUS, ("display", "tv-1"))),
        ("hub/status", ParsedTopic(TopicKind.HUB_STATUS, None)),
    ],
)
def test_parse_recognises_every_contract_topic(topic, expected):
    """Given a topic of the site, When parsed, Then its kind and key come back."""
    assert SITE.parse(f"motcua/v1/hcm-q1/{topic}") == expected


@pytest.mark.parametrize(
    ("topic", "device", "source", "is_command"),
    [
        ("counter/3/cmd", ("counter", "3"), "counter/3", True),
        ("kiosk/sanh-a/cmd", ("kiosk", "sanh-a"), "kiosk/sanh-a", True),
        ("kiosk/sanh-a/reply/x", ("kiosk", "sanh-a"), "kiosk/sanh-a", False),
        ("device/kiosk/1/status", ("kiosk", "1"), "kiosk/1", False),
        ("service/dat-dai/state", None, None, False),
        ("board", None, None, False),
    ],
)
def test_parsed_topics_name_their_device_and_request_source(topic, device, source, is_command):
    """Given a parsed topic, Then `device`, `source` (the idempotence key the hub uses)
    and `is_command` come from the parser, never from slicing the topic string."""
    parsed = SITE.parse(f"motcua/v1/hcm-q1/{topic}")
    assert (parsed.device, parsed.source, parsed.is_command) == (device, source, is_command)


@pytest.mark.parametrize(
    "topic",
    [
        "motcua/v1/other-site/counter/3/cmd",
        "motcua/v2/hcm-q1/counter/3/cmd",
        "motcua/v1/hcm-q1",
        "motcua/v1/hcm-q1/counter/03/cmd",
        "motcua/v1/hcm-q1/counter/0/cmd",
        "motcua/v1/hcm-q1/counter/x/cmd",
        "motcua/v1/hcm-q1/counter/3/cmd/extra",
        "motcua/v1/hcm-q1/counter/3/reply/",
        "motcua/v1/hcm-q1/kiosk/1/state",
        "motcua/v1/hcm-q1/kiosk/Big/cmd",
        "motcua/v1/hcm-q1/service/+/state",
        "motcua/v1/hcm-q1/device/printer/1/status",
        "motcua/v1/hcm-q1/event/other",
        "motcua/v1/hcm-q1/board/x",
    ],
)
def test_parse_returns_none_outside_the_contract(topic):
    """Given a topic the contract does not define, When parsed, Then the result is None."""
    assert SITE.parse(topic) is None


def test_parse_topic_finds_the_site_of_any_contract_topic():
    """Given topics of two sites, Then parse_topic returns each site with the parsed topic."""
    assert contract.parse_topic("motcua/v1/hn-bd/board") == (
        "hn-bd", ParsedTopic(TopicKind.BOARD, None)
    )
    assert contract.parse_topic("motcua/v1/hcm-q1/kiosk/2/cmd") == (
        "hcm-q1", ParsedTopic(TopicKind.KIOSK_CMD, "2")
    )
    for outside in ("motcua/v1/Bad/board", "motcua/v1//board", "other/v1/x/board", "motcua/v1"):
        assert contract.parse_topic(outside) is None


def test_reply_topic_for_maps_each_command_topic_to_its_reply():
    """Given counter and kiosk command topics, Then their reply topics are the sibling reply."""
    assert SITE.reply_topic_for(SITE.counter_cmd(3)) == SITE.counter_reply(3)
    assert SITE.reply_topic_for(SITE.kiosk_cmd("1")) == SITE.kiosk_reply("1")
    with pytest.raises(ValueError):
        SITE.reply_topic_for(SITE.counter_state(3))


@pytest.mark.parametrize(
    ("response_topic", "allowed"),
    [
        ("motcua/v1/hcm-q1/counter/3/reply", True),
        ("motcua/v1/hcm-q1/counter/3/reply/panel/17", True),
        ("motcua/v1/hcm-q1/counter/4/reply", False),
        ("motcua/v1/hcm-q1/counter/3/replyx", False),
        ("motcua/v1/hcm-q1/counter/3/reply/", False),
        ("motcua/v1/hcm-q1/counter/3/reply//x", False),
        ("motcua/v1/hcm-q1/counter/3/reply/+", False),
        ("motcua/v1/hcm-q1/counter/3/reply/#", False),
        ("motcua/v1/hcm-q1/board", False),
        ("motcua/v1/hcm-q1/counter/3/reply/" + "x" * 1100, False),
    ],
)
def test_response_topic_must_lie_in_the_requesters_reply_subtree(response_topic, allowed):
    """Given a command from counter 3, When it asks for a response topic, Then only its own
    reply topic or a topic below it is honoured."""
    assert SITE.response_topic_allowed(SITE.counter_cmd(3), response_topic) is allowed


@pytest.mark.parametrize(
    "bad_slug", ["", "+", "#", "a/b", "A", "-a", "dat dai", "đất", "x" * 64, "a\n"]
)
def test_builders_reject_ids_that_are_not_topic_safe_slugs(bad_slug):
    """Given an id with a wildcard, slash, capital or non-ASCII letter, When a topic is
    built with it, Then ValueError is raised instead of widening the topic."""
    with pytest.raises(ValueError):
        SITE.kiosk_cmd(bad_slug)
    with pytest.raises(ValueError):
        SITE.service_state(bad_slug)
    with pytest.raises(ValueError):
        Topics(bad_slug)


@pytest.mark.parametrize("bad_number", [0, -1, True, "3", 3.0, None])
def test_counter_numbers_must_be_positive_ints(bad_number):
    """Given a counter number that is not a positive int, When a topic is built, Then it fails."""
    with pytest.raises(ValueError):
        SITE.counter_cmd(bad_number)


def test_slug_of_63_characters_is_accepted():
    """Given the longest allowed slug, Then it builds a topic."""
    assert SITE.service_state("a" * 63).endswith("/service/" + "a" * 63 + "/state")


def test_qos_and_retain_follow_the_design_table():
    """Given the contract table, Then only state, board, the procedure catalog and presence
    are retained, and only event/issued is QoS 0."""
    retained = {kind for kind, spec in contract.TOPIC_SPECS.items() if spec.retained}
    qos0 = {kind for kind, spec in contract.TOPIC_SPECS.items() if spec.qos == 0}
    assert retained == {
        TopicKind.COUNTER_STATE, TopicKind.SERVICE_STATE, TopicKind.BOARD,
        TopicKind.PROCEDURES, TopicKind.DEVICE_STATUS, TopicKind.HUB_STATUS,
    }
    assert qos0 == {TopicKind.EVENT_ISSUED}
    assert contract.spec_of(TopicKind.EVENT_CALLED).message_expiry_s == 60
    assert contract.spec_of(TopicKind.COUNTER_CMD).message_expiry_s == 30


# ----------------------------------------------------------------------------- commands


def test_valid_counter_command_returns_checked_args_with_defaults():
    """Given a call command with sent_at and an unknown extra field, When parsed, Then id,
    action, aware sent_at and only the known args come back."""
    payload = _command(action="call", ticket="A015", sent_at="2024-05-02T08:15:00+07:00",
                       firmware="2.1")

    command = parse_command(COUNTER, payload)

    assert (command.id, command.action, command.args) == ("req-1", "call", {"ticket": "A015"})
    assert command.sent_at == AT


def test_kiosk_issue_defaults_priority_to_normal():
    """Given an issue command without priority, When parsed, Then priority is normal."""
    command = parse_command(KIOSK, _command(action="issue", service="dat-dai"))
    assert command.args == {"service": "dat-dai", "priority": "normal", "dossier": None}
    assert command.sent_at is None


def test_command_envelope_new_round_trips_through_parse_command():
    """Given a device building a command with CommandEnvelope.new, When the hub parses the
    dumped bytes, Then it reads the same id, action, time and args."""
    envelope = CommandEnvelope.new("transfer", AT, to_counter=4)

    command = parse_command(COUNTER, dump(envelope))

    assert command.id == envelope.id and len(command.id) == 32
    assert command.args == {"to_service": None, "to_counter": 4}
    assert command.sent_at == AT


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"{" + b" " * contract.MAX_PAYLOAD_BYTES + b"}", "payload_too_large"),
        (b"\xff\xfe{}", "bad_json"),
        (b'{"id": "x", "action": "call_next"', "bad_json"),
        (b"", "bad_json"),
        (b"[]", "bad_json"),
        (b'"call_next"', "bad_json"),
        (b"null", "bad_json"),
        (b"[" * 4000 + b"]" * 4000, "bad_json"),
        (b'{"action": "call_next"}', "invalid_argument"),
        (b'{"id": "", "action": "call_next"}', "invalid_argument"),
        (b'{"id": 7, "action": "call_next"}', "invalid_argument"),
        (('{"id": "' + "x" * 65 + '", "action": "call_next"}').encode(), "invalid_argument"),
        (b'{"id": "a"}', "invalid_argument"),
        (b'{"id": "a", "action": 1}', "invalid_argument"),
        (b'{"id": "a", "action": "issue"}', "unknown_action"),
        (b'{"id": "a", "action": "CALL_NEXT"}', "invalid_argument"),
        (b'{"id": "a", "action": "dance"}', "unknown_action"),
        (b'{"id": "a\\u0000b", "action": "call_next"}', "invalid_argument"),
    ],
)
def test_each_malformed_payload_class_gets_its_error_code(payload, code):
    """Given a malformed counter command, When parsed, Then it is refused with the right code."""
    assert _refusal(COUNTER, payload).code == code


def test_payload_of_exactly_the_limit_is_read():
    """Given a payload of exactly MAX_PAYLOAD_BYTES (8 KiB), Then the size check lets it
    through, and one byte more is payload_too_large."""
    assert contract.MAX_PAYLOAD_BYTES == 8192
    head = b'{"id":"a","action":"call_next","pad":"'
    payload = head + b"x" * (contract.MAX_PAYLOAD_BYTES - len(head) - 2) + b'"}'
    assert len(payload) == contract.MAX_PAYLOAD_BYTES
    assert parse_command(COUNTER, payload).action == "call_next"
    assert _refusal(COUNTER, payload + b" ").code == "payload_too_large"


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (COUNTER, {"action": "rate", "score": "3"}, "score"),
        (COUNTER, {"action": "rate", "score": 6}, "score"),
        (COUNTER, {"action": "rate", "score": 0}, "score"),
        (COUNTER, {"action": "rate", "score": True}, "score"),
        (COUNTER, {"action": "rate", "score": 3.0}, "score"),
        (COUNTER, {"action": "rate"}, "score"),
        (COUNTER, {"action": "open"}, "clerk"),
        (COUNTER, {"action": "open", "clerk": "lan", "services": "dat-dai"}, "services"),
        (COUNTER, {"action": "open", "clerk": "lan", "services": ["ok", "Đất"]}, "services.1"),
        (COUNTER, {"action": "call", "ticket": 15}, "ticket"),
        (COUNTER, {"action": "transfer", "to_counter": "4"}, "to_counter"),
        (COUNTER, {"action": "transfer", "to_counter": 0}, "to_counter"),
        (COUNTER, {"action": "transfer"}, "to_service|to_counter"),
        (COUNTER, {"action": "transfer", "to_service": "ho-tich", "to_counter": 4},
         "to_service|to_counter"),
        (COUNTER, {"action": "set_priority", "ticket": "A015", "priority": "vip"}, "priority"),
        (COUNTER, {"action": "walk_in", "service": "dat/dai"}, "service"),
        (COUNTER, {"action": "call_next", "sent_at": 1714612500}, "sent_at"),
        (COUNTER, {"action": "call_next", "sent_at": "2024-05-02T08:15:00"}, "sent_at"),
        (COUNTER, {"action": "call_next", "sent_at": "yesterday"}, "sent_at"),
        (KIOSK, {"action": "issue"}, "service"),
        (KIOSK, {"action": "issue", "service": "dat-dai", "priority": 1}, "priority"),
        (KIOSK, {"action": "lookup", "code": ""}, "code"),
        (KIOSK, {"action": "printer", "status": "good"}, "status"),
        (COUNTER, {"action": "open", "clerk": "Lan\x00"}, "clerk"),
        (COUNTER, {"action": "open", "clerk": "Lan\nHoa"}, "clerk"),
        (COUNTER, {"action": "open", "clerk": "\x1b[2J"}, "clerk"),
        (COUNTER, {"action": "open", "clerk": "x" * 65}, "clerk"),
        (COUNTER, {"action": "call", "ticket": "A0\x7f15"}, "ticket"),
        (COUNTER, {"action": "cancel", "ticket": ""}, "ticket"),
        (COUNTER, {"action": "set_priority", "ticket": "A015", "priority": "elderly",
                   "reason": "a\u0085b"}, "reason"),
        (KIOSK, {"action": "lookup", "code": "x" * 65}, "code"),
        (COUNTER, {"action": "x" * 33}, "action"),
        (COUNTER, {"action": "call_next", "sent_at": "2024-05-02T08:15:00+07:00" + " " * 40},
         "sent_at"),
    ],
)
def test_wrong_argument_types_are_refused_naming_the_field(kind, fields, field):
    """Given a command with a wrong argument, When parsed, Then invalid_argument names the
    field in Vietnamese and English and keeps the request id for the reply."""
    error = _refusal(kind, _command(**fields))

    assert error.code == "invalid_argument"
    assert error.request_id == "req-1"
    assert error.message_vi == f"Tham số không hợp lệ: {field}"
    assert error.message_en == f"Invalid argument: {field}"


def test_every_action_of_each_kind_is_accepted_with_valid_args():
    """Given one valid example per action, When parsed on its own kind, Then it passes, and
    kiosk actions are unknown on counter topics (and the reverse)."""
    examples = {
        "open": {"clerk": "lan", "services": ["dat-dai"]}, "call": {"ticket": "A015"},
        "cancel": {"ticket": "A015"},
        "transfer": {"to_service": "ho-tich"}, "walk_in": {},
        "set_priority": {"ticket": "A015", "priority": "elderly", "reason": "Người cao tuổi"},
        "rate": {"score": 5}, "issue": {"service": "dat-dai", "priority": "pregnant"},
        "lookup": {"code": "000.00.12.H12-240501-0001"}, "printer": {"status": "paper_low"},
    }
    for kind, actions in contract.ACTIONS.items():
        other = KIOSK if kind is COUNTER else COUNTER
        for action in actions:
            payload = _command(action=action, **examples.get(action, {}))
            assert parse_command(kind, payload).action == action
            assert _refusal(other, payload).code == "unknown_action"


def test_unknown_action_reply_keeps_id_and_names_the_action():
    """Given an unknown action, Then the error keeps the id and names the action, with the
    Vietnamese text alone in message."""
    error = _refusal(COUNTER, _command(action="dance"))
    assert error.request_id == "req-1"
    assert error.as_dict() == {
        "code": "unknown_action",
        "message": "Thao tác không hợp lệ: dance",
        "message_en": "Unknown action: dance",
        "params": {"action": "dance"},
    }


def test_a_huge_action_is_refused_without_echoing_it():
    """Given a 4 KB action name (under the payload limit), When parsed, Then it is
    invalid_argument on `action` and neither the error object nor the exception text
    carries more than a few dozen characters of it."""
    error = _refusal(COUNTER, _command(action="a" * 4000))

    assert (error.code, error.params) == ("invalid_argument", {"field": "action"})
    assert len(json.dumps(error.as_dict())) < 300
    assert len(str(error)) < 400


def test_the_kiosk_cancel_by_counter_action_takes_a_ticket():
    """Given `cancel` with ticket A015 on a counter topic, Then it parses with that ticket;
    on a kiosk topic it is unknown."""
    assert parse_command(COUNTER, _command(action="cancel", ticket="A015")).args == {
        "ticket": "A015"}
    assert _refusal(KIOSK, _command(action="cancel", ticket="A015")).code == "unknown_action"


def test_only_a_short_broker_expiry_is_trusted_and_longer_ones_are_cut():
    """Given v5 expiries of none, 12 s, 30 s, 31 s and 4,294,967,295 s, Then the hub honours
    none, 12, 30, 30 and 30 s, and trusts the broker's judgement of age only for 12 and 30."""
    expiries = [None, 12, 30, 31, 4_294_967_295]
    assert [honoured_expiry_s(e) for e in expiries] == [None, 12, 30, 30, 30]
    assert [expiry_is_trusted(e) for e in expiries] == [False, True, True, False, False]


@pytest.mark.parametrize(("ahead_s", "refused"), [(0, False), (5, False), (6, True),
                                                   (86400 * 365, True)])
def test_sent_at_ahead_of_the_hub_clock_is_clock_skew(ahead_s, refused):
    """Given a command stamped `ahead_s` seconds after the hub's now, Then up to 5 s it
    passes, and beyond it is refused with clock_skew naming the whole seconds ahead."""
    sent_at = AT + dt.timedelta(seconds=ahead_s)
    command = parse_command(COUNTER, _command(action="call_next", sent_at=sent_at.isoformat()))
    if not refused:
        check_clock_skew(command, AT)
        return
    with pytest.raises(ContractError) as caught:
        check_clock_skew(command, AT)
    assert (caught.value.code, caught.value.request_id) == ("clock_skew", "req-1")
    assert caught.value.message_vi == (
        f"Đồng hồ của thiết bị chạy nhanh hơn máy chủ {ahead_s} giây, vui lòng chỉnh lại giờ")


def test_contract_error_codes_need_a_message():
    """Given a code missing from the catalog, When raised, Then KeyError stops the typo."""
    with pytest.raises(KeyError):
        ContractError("no_such_code")
    assert contract.ERROR_MESSAGES is catalog.CATALOG


# ----------------------------------------------------------------------------- payloads


def _ticket(**changes: object) -> Ticket:
    fields = dict(id="tk_9f3a", number="A015", service="dat-dai", prefix="A",
                  priority="elderly", status="called", counter=3, issued_at=AT,
                  waiting_ahead=0, est_wait_s=None)
    return Ticket(**{**fields, **changes})


def test_reply_dumps_compact_utf8_json():
    """Given a successful reply with a ticket, When dumped, Then the bytes are compact JSON
    with the fields in contract order."""
    reply = Reply(id="req-1", ok=True, ticket=_ticket())

    assert dump(reply) == (
        b'{"id":"req-1","ok":true,"ticket":{"id":"tk_9f3a","number":"A015",'
        b'"service":"dat-dai","prefix":"A","priority":"elderly","status":"called",'
        b'"counter":3,"issued_at":"2024-05-02T08:15:00+07:00","waiting_ahead":0,'
        b'"est_wait_s":null},"error":null}'
    )


def test_error_reply_keeps_vietnamese_text_unescaped():
    """Given a refusal built from a ContractError, When dumped, Then diacritics stay UTF-8."""
    error = ContractError("bad_json")
    reply = Reply(id=None, ok=False, error=ErrorInfo(**error.as_dict()))

    assert dump(reply) == (
        '{"id":null,"ok":false,"ticket":null,"error":{"code":"bad_json","message":'
        '"Yêu cầu không phải là một đối tượng JSON hợp lệ",'
        '"message_en":"The request is not a valid JSON object","params":{}}}'
    ).encode("utf-8")


def test_a_hub_built_view_dumps_to_exact_compact_utf8_bytes():
    """Given a view the hub built (Vietnamese text, a quote, a control character, nested
    lists, a counter-number key, null and booleans),
    When dumped with dump_view,
    Then the bytes are compact UTF-8 JSON in the dict's order, exactly what the standard
    library writes with ensure_ascii=False, with the number key as text."""
    view = {"number": "A015", "clerk": 'Cán bộ "Hà"\n', "counters": [3, 12],
            "waiting": {7: 2}, "est_wait_s": None, "ok": True, "tab": "\x1f"}

    text = dump_view(view)

    assert text == (
        '{"number":"A015","clerk":"Cán bộ \\"Hà\\"\\n","counters":[3,12],'
        '"waiting":{"7":2},"est_wait_s":null,"ok":true,"tab":"\\u001f"}'
    ).encode("utf-8")
    assert text == json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()


def test_reply_error_must_match_ok():
    """Given ok=true with an error, or ok=false without one, Then the reply is rejected."""
    with pytest.raises(ValidationError):
        Reply(id="a", ok=True, error=ErrorInfo(code="x", message="y"))
    with pytest.raises(ValidationError):
        Reply(id="a", ok=False)


def test_presence_last_will_is_exactly_online_false():
    """Given the offline presence, Then it is the LWT payload {"online":false}."""
    assert contract.offline_presence() == b'{"online":false}'
    assert dump(Presence(online=True, version="0.1.0", printer="paper_low")) == (
        b'{"online":true,"version":"0.1.0","printer":"paper_low"}'
    )


def test_board_dumps_counters_services_and_recent_calls():
    """Given a board, When dumped, Then epoch, seq, time and lists appear as the contract says."""
    board = Board(
        epoch="e1", seq=41, at=AT,
        counters=[BoardCounter(counter=3, name="Quầy 3", status="open", ticket="A015")],
        services=[BoardService(code="dat-dai", name="Đất đai", waiting=4)],
        recent=[RecentCall(ticket="A015", counter=3, service="dat-dai", at=AT)],
    )
    assert json.loads(dump(board)) == {
        "epoch": "e1", "seq": 41, "at": "2024-05-02T08:15:00+07:00",
        "counters": [{"counter": 3, "name": "Quầy 3", "status": "open", "ticket": "A015"}],
        "services": [{"code": "dat-dai", "name": "Đất đai", "waiting": 4}],
        "recent": [{"ticket": "A015", "counter": 3, "service": "dat-dai",
                    "at": "2024-05-02T08:15:00+07:00"}],
    }


def test_received_payloads_ignore_unknown_fields_and_reject_wrong_types():
    """Given a display reading event/called, Then an unknown field is ignored but a counter
    sent as text is rejected."""
    good = ('{"epoch":"e1","seq":42,"ticket":"A015","counter":3,"service":"dat-dai",'
            '"recall":0,"at":"2024-05-02T08:15:00+07:00","colour":"red"}')
    event = CalledEvent.model_validate_json(good)
    assert (event.counter, event.at) == (3, AT)
    with pytest.raises(ValidationError):
        CalledEvent.model_validate_json(good.replace('"counter":3', '"counter":"3"'))


def test_contract_enumerations_match_the_domain():
    """Given the domain's enums, Then the wire values are the same sets."""
    from motcua.domain.model import CounterStatus, Priority, TicketStatus

    assert set(contract.PRIORITIES) == {member.value for member in Priority}
    assert set(contract.TICKET_STATUSES) == {member.value for member in TicketStatus}
    assert set(contract.COUNTER_STATUSES) == {member.value for member in CounterStatus}


def test_ticket_accepts_domain_enum_members():
    """Given the hub passing domain enum members, Then the ticket stores their wire values."""
    from motcua.domain.model import Priority, TicketStatus

    ticket = _ticket(priority=Priority.MERIT, status=TicketStatus.WAITING, counter=None)
    assert json.loads(dump(ticket))["priority"] == "merit"


# ----------------------------------------------------------------------------- document


def test_committed_contract_document_is_up_to_date():
    """Given docs/contract.md in the repository, Then it equals what the module renders
    (run `motcua contract-doc` after changing motcua/contract.py)."""
    committed = (REPO_ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    assert committed == render_contract_markdown()


def test_contract_doc_check_fails_on_a_stale_file(tmp_path):
    """Given a stale document, When `motcua contract-doc --check` runs, Then it exits 1; after
    `motcua contract-doc` writes it, the check exits 0."""
    document = tmp_path / "contract.md"
    document.write_text("# old\n", encoding="utf-8")

    assert motcua_main(["contract-doc", "--check", "--output", str(document)]) == 1
    assert motcua_main(["contract-doc", "--output", str(document)]) == 0
    assert motcua_main(["contract-doc", "--check", "--output", str(document)]) == 0
    assert "| `counter/{n}/cmd` | counter_cmd | panel → hub | 1 | no | 30 s |" in (
        document.read_text(encoding="utf-8")
    )
