"""Paper status, silence, refusal and unplugging, simulated at the transport edge: a
fake TCP printer on a free port (python-escpos ``Network``) and a pty-backed serial port
(python-escpos ``Serial``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.printing import PrinterSettings, open_printer, sample_ticket
from kiosk.printing.render import TicketRenderer
from kiosk.printing.profiles import load_profile
from kiosk.printing.samples import SAMPLE_TZ
from tests.adapters.fake_printers import (
    PAPER_NEAR_END, PAPER_OK, PAPER_OUT, PAPER_STATUS_REQUEST, FakeNetworkPrinter,
    FakeSerialPrinter)
from tests.support.ports import free_port

STATUS_TIMEOUT_S = 0.3


def ticket_bytes(profile: str = "generic-80mm") -> bytes:
    return TicketRenderer(load_profile(profile), SAMPLE_TZ).ticket_bytes(sample_ticket())


def network_printer(port: int):
    return open_printer(PrinterSettings(
        profile="generic-80mm", transport="network", host="127.0.0.1", port=port,
        timeout_s=2.0, status_timeout_s=STATUS_TIMEOUT_S, timezone="Asia/Ho_Chi_Minh"),
        base_dir=Path.cwd())


@pytest.fixture
def fake_network():
    started: list[FakeNetworkPrinter] = []

    def start(replies, port: int | None = None) -> FakeNetworkPrinter:
        printer = FakeNetworkPrinter(port or free_port(), replies)
        started.append(printer)
        return printer

    yield start
    for printer in started:
        printer.close()


def test_network_ticket_with_paper_is_sent_between_two_status_reads(fake_network) -> None:
    """Given a network printer with paper, when a ticket is printed, then it is printed
    with status ok and the printer received: status request, the exact ticket bytes,
    status request."""
    fake = fake_network([PAPER_OK])
    result = network_printer(fake.port).print_ticket(sample_ticket())

    assert (result.printed, result.status) == (True, "ok")
    assert fake.received() == PAPER_STATUS_REQUEST + ticket_bytes() + PAPER_STATUS_REQUEST


def test_paper_near_end_is_a_warning_and_the_ticket_prints(fake_network) -> None:
    """Given a printer whose near-end sensor is on, when a ticket is printed, then it is
    printed and the status is paper_low."""
    fake = fake_network([PAPER_NEAR_END])
    result = network_printer(fake.port).print_ticket(sample_ticket())

    assert (result.printed, result.status) == (True, "paper_low")
    assert ticket_bytes() in fake.received()


def test_paper_out_before_printing_sends_nothing(fake_network) -> None:
    """Given a printer out of paper, when a ticket is printed, then nothing but the
    status request is sent, and the result is not printed, paper_out."""
    fake = fake_network([PAPER_OUT])
    printer = network_printer(fake.port)
    result = printer.print_ticket(sample_ticket())

    assert (result.printed, result.status) == (False, "paper_out")
    assert result.detail == "paper out before printing"
    assert fake.received() == PAPER_STATUS_REQUEST
    assert printer.status() == "paper_out"


def test_paper_running_out_during_the_ticket_counts_as_not_printed(fake_network) -> None:
    """Given paper before the ticket and none after it, when a ticket is printed, then
    the result is not printed (it may be cut short), paper_out, with a detail."""
    fake = fake_network([PAPER_OK, PAPER_OUT])
    result = network_printer(fake.port).print_ticket(sample_ticket())

    assert (result.printed, result.status) == (False, "paper_out")
    assert result.detail == "paper ran out while printing"


def test_printer_hanging_up_in_the_middle_of_a_ticket_is_not_printed(fake_network) -> None:
    """Given a printer that drops the connection after 4 KB of the ticket, when the ticket
    is printed, then it is not printed, offline, with the socket error in the detail,
    and nothing raises; the next ticket to a healthy printer on that port prints."""
    port = free_port()
    broken = fake_network([PAPER_OK], port=port)
    broken.hang_up_after = 4096
    printer = network_printer(port)

    result = printer.print_ticket(sample_ticket())
    assert (result.printed, result.status) == (False, "offline")
    assert result.detail.startswith("print: ")
    assert len(broken.received()) == 4096

    broken.hang_up_after = None
    again = printer.print_ticket(sample_ticket())
    assert (again.printed, again.status) == (True, "ok")


def test_a_printer_that_does_not_answer_is_unknown_never_ok(fake_network) -> None:
    """Given a printer that takes bytes but never answers a status request, when its
    status is read, then it is unknown after the status timeout; a ticket still goes
    out whole, reported printed with status unknown."""
    fake = fake_network([None])
    printer = network_printer(fake.port)

    started = time.monotonic()
    assert printer.status() == "unknown"
    assert STATUS_TIMEOUT_S <= time.monotonic() - started < STATUS_TIMEOUT_S + 1.0

    result = printer.print_ticket(sample_ticket())
    assert (result.printed, result.status) == (True, "unknown")
    assert ticket_bytes() in fake.received()


def test_a_malformed_status_byte_is_unknown(fake_network) -> None:
    """Given a printer answering 0x00 (fixed bits wrong: not a status byte), when its
    status is read, then it is unknown."""
    fake = fake_network([0x00])
    assert network_printer(fake.port).status() == "unknown"


def test_connection_refused_is_offline_and_the_printer_comes_back(fake_network) -> None:
    """Given nothing listening on the printer's port, when a ticket is printed, then it
    is not printed, offline, with the refusal in the detail; when a printer then listens
    on that port, the same printer object prints the next ticket without a restart."""
    port = free_port()
    printer = network_printer(port)

    refused = printer.print_ticket(sample_ticket())
    assert (refused.printed, refused.status) == (False, "offline")
    assert "refused" in refused.detail.lower()
    assert printer.status() == "offline"

    fake = fake_network([PAPER_OK], port=port)
    result = printer.print_ticket(sample_ticket())
    assert (result.printed, result.status) == (True, "ok")
    assert fake.received() == PAPER_STATUS_REQUEST + ticket_bytes() + PAPER_STATUS_REQUEST


# --- serial over a pty --------------------------------------------------------------------


def serial_printer(device: Path):
    return open_printer(PrinterSettings(
        profile="generic-58mm", transport="serial", device=str(device), baudrate=115200,
        timeout_s=2.0, status_timeout_s=STATUS_TIMEOUT_S, timezone="Asia/Ho_Chi_Minh"),
        base_dir=Path.cwd())


def wait_for(condition, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_serial_unplug_and_replug_resume_without_restart(tmp_path: Path) -> None:
    """Given a serial printer behind a by-id style link, when it prints, is unplugged,
    and is plugged back in (a new tty behind the same link), then the first ticket is
    printed (ok), the ticket during the unplug is not printed (offline, with a detail),
    and the ticket after the replug is printed by the same printer object, whole."""
    fake = FakeSerialPrinter(tmp_path / "usb-printer-if00", [PAPER_OK])
    printer = serial_printer(fake.link)
    expected = ticket_bytes("generic-58mm")
    try:
        first = printer.print_ticket(sample_ticket())
        assert (first.printed, first.status) == (True, "ok")
        assert wait_for(lambda: bytes(fake.received).count(expected) == 1)

        fake.unplug()
        unplugged = printer.print_ticket(sample_ticket())
        assert (unplugged.printed, unplugged.status) == (False, "offline")
        assert unplugged.detail
        assert printer.status() == "offline"

        fake.replug()
        again = printer.print_ticket(sample_ticket())
        assert (again.printed, again.status) == (True, "ok")
        assert wait_for(lambda: bytes(fake.received) == (
            PAPER_STATUS_REQUEST + expected + PAPER_STATUS_REQUEST))
    finally:
        printer.close()
        fake.unplug()


def test_missing_serial_port_is_offline(tmp_path: Path) -> None:
    """Given a serial port path that does not exist, when the status is read and a
    ticket printed, then both say offline and nothing raises."""
    printer = serial_printer(tmp_path / "no-such-port")
    assert printer.status() == "offline"
    result = printer.print_ticket(sample_ticket())
    assert (result.printed, result.status) == (False, "offline")
    assert "no-such-port" in result.detail


# --- a device file --------------------------------------------------------------------------


def file_printer(device: str, base_dir: Path):
    return open_printer(PrinterSettings(profile="generic-80mm", transport="file",
                                        device=device, timezone="Asia/Ho_Chi_Minh"),
                        base_dir=base_dir)


def test_file_transport_writes_the_ticket_and_cannot_read_status(tmp_path: Path) -> None:
    """Given the file transport on a plain file (relative to base_dir), when a ticket is
    printed, then the file holds exactly its bytes and the status is unknown (a device
    file is write-only), never ok."""
    (tmp_path / "lp0").touch()
    printer = file_printer("lp0", tmp_path)
    result = printer.print_ticket(sample_ticket())
    printer.close()

    assert (result.printed, result.status) == (True, "unknown")
    assert (tmp_path / "lp0").read_bytes() == ticket_bytes()
    assert printer.status() == "unknown"


def test_file_transport_on_a_vanished_device_node_is_offline(tmp_path: Path) -> None:
    """Given a /dev path that does not exist (usblp node of an unplugged printer), when
    a ticket is printed, then it is offline and no plain file is created there."""
    device = "/dev/motcua-test-no-such-lp"
    result = file_printer(device, tmp_path).print_ticket(sample_ticket())
    assert (result.printed, result.status) == (False, "offline")
    assert not Path(device).exists()


def test_usb_printer_not_plugged_in_is_offline(tmp_path: Path) -> None:
    """Given USB ids no device on this machine has, when the status is read and a ticket
    printed, then both are offline, the detail names the ids, and nothing raises."""
    printer = open_printer(PrinterSettings(profile="epson-tm-t20", transport="usb",
                                           usb_vendor_id=0xFFFE, usb_product_id=0xFFFD),
                           base_dir=tmp_path)
    assert printer.status() == "offline"
    result = printer.print_ticket(sample_ticket())
    assert (result.printed, result.status) == (False, "offline")
    assert "65534, 65533" in result.detail


@pytest.mark.parametrize(("settings", "message"), [
    ({"transport": "network"}, "printer.host: required for transport 'network'"),
    ({"transport": "serial"}, "printer.device: required for transport 'serial'"),
    ({"transport": "file"}, "printer.device: required for transport 'file'"),
    ({"transport": "usb", "profile": "generic-80mm"},
     "printer.usb_vendor_id: required for transport 'usb'"),
    ({"timezone": "Mars/Olympus"}, "printer.timezone: unknown time zone 'Mars/Olympus'"),
])
def test_missing_transport_options_name_the_key(settings: dict, message: str) -> None:
    """Given a transport without the option it cannot do without (or a bad time zone),
    when the printer is opened, then PrinterConfigError starts with that key."""
    from kiosk.printing import PrinterConfigError

    with pytest.raises(PrinterConfigError) as raised:
        open_printer(PrinterSettings(**settings), base_dir=Path.cwd())
    assert str(raised.value).startswith(message)


def test_concurrent_tickets_arrive_whole_and_in_turn(fake_network) -> None:
    """Given four threads printing at once on one network printer, when they finish,
    then all four are printed and each ticket's bytes arrived whole on its own
    connection (never interleaved)."""
    import concurrent.futures

    fake = fake_network([PAPER_OK])
    printer = network_printer(fake.port)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: printer.print_ticket(sample_ticket()), range(4)))

    assert [(r.printed, r.status) for r in results] == [(True, "ok")] * 4
    expected = PAPER_STATUS_REQUEST + ticket_bytes() + PAPER_STATUS_REQUEST
    assert wait_for(lambda: [bytes(c) for c in fake.connections] == [expected] * 4)
