"""``motcua printer list|test|preview`` through the real command line entry point."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from kiosk.printing import TicketRenderer, load_profile, sample_ticket
from kiosk.printing.samples import SAMPLE_TZ
from motcua.cli import main
from tests.adapters.fake_printers import PAPER_OK, PAPER_STATUS_REQUEST, FakeNetworkPrinter
from tests.support.ports import free_port


def test_list_shows_every_profile(capsys) -> None:
    """Given the shipped profiles, when `motcua printer list` runs, then it exits 0 and
    prints a Vietnamese-first header and one line per profile with width and QR mode."""
    assert main(["printer", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("hồ sơ/profile")
    assert [line.split()[0] for line in lines[1:]] == [
        "epson-tm-t20", "epson-tm-t88v", "generic-58mm", "generic-80mm", "xprinter-xp80"]
    generic_58 = lines[3]
    assert "384 (48.0 mm)" in generic_58 and " ảnh " in generic_58 and " none " in generic_58


def test_preview_writes_the_sample_ticket_png(tmp_path: Path, capsys) -> None:
    """Given a profile, when `motcua printer preview PROFILE --output FILE` runs, then
    the PNG is the sample ticket's preview and the message gives its path and bytes."""
    output = tmp_path / "out" / "ticket.png"
    assert main(["printer", "preview", "generic-58mm", "--output", str(output)]) == 0
    renderer = TicketRenderer(load_profile("generic-58mm"), SAMPLE_TZ)
    data, preview = renderer.ticket_bytes_and_preview(sample_ticket())
    with Image.open(output) as png:
        assert png.size == preview.size
    out = capsys.readouterr().out
    assert out.startswith(f"Đã vẽ phiếu mẫu của generic-58mm: {output} (")
    assert f"{len(data)} byte ESC/POS" in out


def test_test_page_on_the_dummy_transport(tmp_path: Path, capsys) -> None:
    """Given no transport option, when `motcua printer test PROFILE` runs, then the
    dummy transport writes test-PROFILE.bin and .png and the message says printed, ok."""
    assert main(["printer", "test", "epson-tm-t20", "--output-dir", str(tmp_path)]) == 0
    data, _preview = TicketRenderer(load_profile("epson-tm-t20")).test_page()
    assert (tmp_path / "test-epson-tm-t20.bin").read_bytes() == data
    assert (tmp_path / "test-epson-tm-t20.png").stat().st_size > 0
    assert capsys.readouterr().out.startswith(
        "Đã in trang thử trên epson-tm-t20 qua dummy (trạng thái: ok)")


def test_test_page_over_the_network(capsys) -> None:
    """Given a network printer with paper, when `motcua printer test` targets it, then
    the test page's bytes arrive between two status requests and the command exits 0."""
    fake = FakeNetworkPrinter(free_port(), [PAPER_OK])
    try:
        assert main(["printer", "test", "generic-80mm", "--transport", "network",
                     "--host", "127.0.0.1", "--port", str(fake.port)]) == 0
        data, _preview = TicketRenderer(load_profile("generic-80mm")).test_page()
        assert fake.received() == PAPER_STATUS_REQUEST + data + PAPER_STATUS_REQUEST
    finally:
        fake.close()
    assert "qua network (trạng thái: ok)" in capsys.readouterr().out


def test_test_page_with_nothing_listening_fails_with_a_message(capsys) -> None:
    """Given no printer on the port, when `motcua printer test` targets it, then it
    exits 1 and says, in Vietnamese first, that the page was not printed (offline)."""
    port = free_port()
    assert main(["printer", "test", "generic-80mm", "--transport", "network",
                 "--host", "127.0.0.1", "--port", str(port), "--timeout", "1"]) == 1
    err = capsys.readouterr().err
    assert "Không in được trang thử trên generic-80mm qua network: offline" in err


def test_unknown_profile_and_missing_option_name_the_key(capsys) -> None:
    """Given an unknown profile, or the serial transport without a device, when
    `motcua printer test` runs, then it exits 2 with the key named."""
    assert main(["printer", "test", "xp-99"]) == 2
    assert "motcua printer: printer.profile: no profile 'xp-99'" in capsys.readouterr().err
    assert main(["printer", "test", "generic-58mm", "--transport", "serial"]) == 2
    assert "printer.device: required for transport 'serial'" in capsys.readouterr().err
