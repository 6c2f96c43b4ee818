"""The kiosk's scanner pieces without devices: the serial line reader, the scan feed
(the code rule), the stdin scanner, the [scanner] settings and the picking by kind."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kiosk.config import KioskConfigError, load_kiosk_config
from kiosk.scanning import SCANNERS, ScanFeed, ScannerSettings, open_scanner
from kiosk.scanning.base import IdleScanner
from kiosk.scanning.lines import LineReader
from kiosk.scanning.serial_scanner import SerialScanner
from kiosk.scanning.stream_scanner import StreamScanner
from motcua.dossiers.codes import CodeRule

CODE = "000.00.12.H42-261110-0012"
TERMINATORS = [b"\r", b"\n", b"\r\n"]


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


# ---- the line reader ----------------------------------------------------------------

@pytest.mark.parametrize("terminator", TERMINATORS)
def test_codes_come_out_one_per_line_whatever_the_chunks(terminator):
    """Given two codes each followed by the terminator, When fed one byte at a time, Then
    the reader returns exactly the two codes, in order."""
    reader = LineReader(terminator)
    data = CODE.encode() + terminator + b"000.00.12.H42-261120-0031" + terminator
    lines = [line for byte in data for line in reader.feed(bytes([byte]))]
    assert lines == [CODE, "000.00.12.H42-261120-0031"]


def test_a_crlf_scanner_on_a_cr_setting_still_gives_clean_codes():
    """Given the CR setting and a scanner that sends CR LF, Then the stray LF is trimmed
    and no empty or garbage line is reported."""
    reader = LineReader(b"\r")
    assert reader.feed(f"{CODE}\r\n{CODE}\r\n".encode()) == [CODE, CODE]
    assert reader.dropped == 0


def test_overlong_and_binary_lines_are_dropped_with_a_log_line(caplog):
    """Given 10 KB of noise without a terminator, then a line with control bytes, then a
    code, When fed, Then only the code comes out, two lines were dropped and each drop
    was logged once."""
    reader = LineReader(b"\r", max_line_bytes=64)
    with caplog.at_level(logging.WARNING, logger="kiosk.scanning.lines"):
        out = []
        for _ in range(10):
            out += reader.feed(b"Z" * 1024)
        out += reader.feed(b"tail of the noise\r\x1b[31mred\x00\x07\r")
        out += reader.feed(CODE.encode() + b"\r")
    assert out == [CODE]
    assert reader.dropped == 2
    assert [r.getMessage() for r in caplog.records] == [
        "scanner: dropped a line longer than 64 bytes",
        "scanner: dropped a line of 10 bytes with non-printable bytes"]


@settings(max_examples=300, deadline=None)
@given(junk=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 4000), max_size=12),
       terminator=st.sampled_from(TERMINATORS))
def test_garbage_never_breaks_the_reader_and_a_following_code_survives(junk, cuts,
                                                                     terminator):
    """Given any bytes, then the terminator and a code, When fed in any chunks, Then the
    reader never raises, every line is printable ASCII within the limit, and the last line
    is the code."""
    reader = LineReader(terminator, max_line_bytes=128)
    data = junk + terminator + CODE.encode() + terminator
    lines = [line for chunk in chunked(data, cuts) for line in reader.feed(chunk)]
    assert lines and lines[-1] == CODE
    for line in lines:
        assert line.isascii() and line.isprintable() and 0 < len(line) <= 128


# ---- the feed: the code rule ----------------------------------------------------------

def test_the_feed_keeps_the_clean_code_and_numbers_every_scan():
    """Given the default rule, When a lower-case code with a CR, then HTML, then SQL are
    offered, Then the first is the canonical code, the others are rejected (code None),
    seq grows by one each time and the listener ran for each."""
    calls = []
    feed = ScanFeed(CodeRule(), listener=lambda: calls.append(1))
    first = feed.offer(CODE.lower() + "\r", "serial")
    html = feed.offer("<script>alert(1)</script>", "wedge")
    sql = feed.offer("'; DROP TABLE dossier; --", "camera")
    assert (first.seq, first.code, first.ok, first.source) == (1, CODE, True, "serial")
    assert (html.seq, html.code, html.ok) == (2, None, False)
    assert (sql.seq, sql.code) == (3, None)
    assert feed.latest == sql
    assert sql.as_json() == {"seq": 3, "source": "camera", "code": None, "ok": False}
    assert len(calls) == 3


def test_a_configured_pattern_replaces_the_national_form():
    """Given a province's own pattern, Then its codes pass and the national form does not."""
    feed = ScanFeed(ScannerSettings(code_pattern=r"HS-\d{8}").code_rule())
    assert feed.offer("hs-20261130", "stdin").code == "HS-20261130"
    assert feed.offer(CODE, "stdin").code is None


def test_a_rejected_scan_is_logged_by_length_never_echoed_whole(caplog):
    """Given 10 KB of garbage, When offered, Then the log line gives its length and a
    24-character excerpt, not the garbage."""
    feed = ScanFeed(CodeRule())
    with caplog.at_level(logging.INFO, logger="kiosk.scanning.feed"):
        feed.offer("\x00X" * 5000, "wedge")
    (record,) = caplog.records
    assert "10000 characters" in record.getMessage()
    assert len(record.getMessage()) < 120


# ---- the stdin scanner -----------------------------------------------------------------

def collect() -> tuple[list[tuple[str, str]], callable]:
    got: list[tuple[str, str]] = []
    return got, lambda raw, source: got.append((raw, source))


def test_stdin_scanner_reads_one_code_per_line_and_skips_overlong_lines():
    """Given a stream with a code, a blank line, a 1000-character line and another code,
    When read, Then the two codes are delivered as stdin scans and the long line is not."""
    got, deliver = collect()
    stream = io.StringIO(f"{CODE}\n\n{'x' * 1000}\n  000.00.12.H42-261120-0031  \n")
    scanner = StreamScanner(deliver, stream=stream, max_line_chars=64)
    scanner.start()
    assert scanner.finished.wait(5)
    assert got == [(CODE, "stdin"), ("000.00.12.H42-261120-0031", "stdin")]


def test_a_script_file_is_played_back_and_a_failing_deliver_does_not_stop_it(tmp_path):
    """Given a script of two lines and a deliver that raises on the first, When played,
    Then the second line is still delivered."""
    script = tmp_path / "codes.txt"
    script.write_text("first\nsecond\n", encoding="utf-8")
    got = []

    def deliver(raw, source):
        got.append(raw)
        if raw == "first":
            raise RuntimeError("the page is gone")

    scanner = open_scanner(ScannerSettings(kind="stdin", script=Path("codes.txt")), deliver,
                           base_dir=tmp_path)
    assert isinstance(scanner, StreamScanner)
    scanner.start()
    assert scanner.finished.wait(5)
    assert got == ["first", "second"]


# ---- settings and picking by kind -------------------------------------------------------

def test_every_kind_has_a_scanner_and_none_and_wedge_read_nothing():
    """Given the kinds, Then each has a factory; none and wedge are idle in the process."""
    assert tuple(SCANNERS) == ("none", "serial", "wedge", "camera", "stdin")
    for kind in ("none", "wedge"):
        scanner = open_scanner(ScannerSettings(kind=kind), lambda raw, source: None)
        assert isinstance(scanner, IdleScanner) and scanner.kind == kind
    serial = open_scanner(ScannerSettings(kind="serial", port="loop://", terminator="crlf"),
                          lambda raw, source: None)
    assert isinstance(serial, SerialScanner) and serial.terminator == b"\r\n"


def test_the_scanner_table_names_each_bad_key(tmp_path):
    """Given [scanner] tables with a bad kind, a serial without port, a broken pattern and
    an unknown key, When loaded, Then each error names its key."""
    cases = {
        'kind = "laser"': "scanner.kind",
        'kind = "serial"': "needs port",
        'code_pattern = "([A-Z"': "not a regular expression",
        'speed = 3': "scanner.speed",
        'kind = "camera"': "needs frames",
    }
    for body, expected in cases.items():
        path = tmp_path / "kiosk.toml"
        path.write_text(f"[scanner]\n{body}\n", encoding="utf-8")
        with pytest.raises(KioskConfigError, match=expected.replace("(", "\\(")):
            load_kiosk_config(path, environ={})


def test_environment_picks_the_scanner_and_its_port(tmp_path):
    """Given MOTCUA_SCANNER=serial and MOTCUA_SCANNER_PORT, Then the config has them."""
    config = load_kiosk_config(None, environ={"MOTCUA_SCANNER": "serial",
                                              "MOTCUA_SCANNER_PORT": "/dev/ttyACM0"})
    assert (config.scanner.kind, config.scanner.port) == ("serial", "/dev/ttyACM0")


def test_the_example_file_documents_the_scanner_table():
    """Given kiosk/kiosk.example.toml, Then it loads with a [scanner] table of kind none and
    the national code pattern."""
    example = Path(__file__).resolve().parents[2] / "kiosk" / "kiosk.example.toml"
    config = load_kiosk_config(example, environ={})
    assert config.scanner.kind == "none"
    assert config.scanner.code_rule().clean(CODE) == CODE
    assert "[scanner]" in example.read_text(encoding="utf-8")
    with pytest.raises(ValidationError):
        ScannerSettings(terminator="\t")
