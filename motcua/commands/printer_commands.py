"""``motcua printer list|test|preview``: the ticket printer profiles, without a kiosk.

``list`` shows the profiles; ``test PROFILE`` prints a test page through the transport
given on the command line (default ``dummy``: files under ``var/tickets``); ``preview
PROFILE`` renders the sample ticket to a PNG, no printer needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Everything this command prints for people, Vietnamese first.
MESSAGES = {
    "help": "máy in phiếu: hồ sơ, in thử, xem trước (ticket printer profiles, test, preview)",
    "list_help": "liệt kê hồ sơ máy in (list printer profiles)",
    "test_help": "in trang thử qua cổng kết nối đã chọn (print a test page)",
    "preview_help": "vẽ phiếu mẫu ra ảnh PNG, không cần máy in (render a sample ticket)",
    "no_profiles": "Không có hồ sơ máy in nào trong {directory} / No printer profiles in {directory}",
    "header": "{name:<16} {width:>11} {dpi:>4}  {vietnamese:<8} {qr:<8} {cutter:<8} mô tả / description",
    "preview_written": "Đã vẽ phiếu mẫu của {profile}: {path} ({width}×{height} điểm, {size} byte ESC/POS)"
                       " / Sample ticket of {profile} written to {path}",
    "test_printed": "Đã in trang thử trên {profile} qua {transport} (trạng thái: {status}) / "
                    "Test page printed on {profile} via {transport} (status: {status})",
    "test_dummy": "Tệp: {directory}/test-{profile}.bin và .png / Files: {directory}/test-{profile}.bin and .png",
    "test_failed": "Không in được trang thử trên {profile} qua {transport}: {status} ({detail})"
                   " / Test page not printed on {profile} via {transport}: {status}",
    "error": "motcua printer: {error}",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("printer", help=MESSAGES["help"])
    actions = parser.add_subparsers(dest="printer_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help=MESSAGES["list_help"])
    _profiles_dir(listing)
    listing.set_defaults(handler=_list)

    test = actions.add_parser(
        "test", help=MESSAGES["test_help"],
        description="In trang thử (tiếng Việt, chữ của máy in, số lớn, mã QR, cắt giấy) để "
        "kiểm tra hồ sơ có hợp với máy in. Print a test page to check a profile.")
    test.add_argument("profile", help="tên hồ sơ, ví dụ generic-80mm (profile name)")
    test.add_argument("--transport", default="dummy",
                      choices=("dummy", "file", "usb", "serial", "network"),
                      help="cổng kết nối (default: dummy, writes files)")
    test.add_argument("--device", help="file/serial: đường dẫn thiết bị (/dev/usb/lp0, /dev/ttyUSB0)")
    test.add_argument("--baudrate", type=int, help="serial: tốc độ baud")
    test.add_argument("--host", help="network: địa chỉ máy in")
    test.add_argument("--port", type=int, help="network: cổng TCP (default 9100)")
    test.add_argument("--usb-vendor-id", help="usb: mã nhà sản xuất, ví dụ 0x04b8")
    test.add_argument("--usb-product-id", help="usb: mã sản phẩm, ví dụ 0x0e15")
    test.add_argument("--timeout", type=float, dest="timeout_s", help="giây chờ ghi (write timeout)")
    test.add_argument("--output-dir", default="var/tickets",
                      help="dummy: thư mục ghi tệp (default var/tickets)")
    _profiles_dir(test)
    test.set_defaults(handler=_test)

    preview = actions.add_parser("preview", help=MESSAGES["preview_help"])
    preview.add_argument("profile", help="tên hồ sơ (profile name)")
    preview.add_argument("--output", help="tệp PNG (default: <profile>.png)")
    _profiles_dir(preview)
    preview.set_defaults(handler=_preview)


def _profiles_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profiles-dir", type=Path,
                        help="thư mục hồ sơ (default: printer_profiles/ of the repository)")


def _fail(error: Exception) -> int:
    print(MESSAGES["error"].format(error=error), file=sys.stderr)
    return 2


def _list(args: argparse.Namespace) -> int:
    from kiosk.printing import PrinterConfigError, list_profiles
    from kiosk.printing.profiles import DEFAULT_PROFILES_DIR

    try:
        profiles = list_profiles(args.profiles_dir)
    except PrinterConfigError as error:
        return _fail(error)
    if not profiles:
        print(MESSAGES["no_profiles"].format(directory=args.profiles_dir or DEFAULT_PROFILES_DIR))
        return 1
    print(MESSAGES["header"].format(name="hồ sơ/profile", width="điểm/dots", dpi="dpi",
                                    vietnamese="tiếng Việt", qr="QR", cutter="dao cắt"))
    for profile in profiles:
        print(f"{profile.name:<16} {profile.width_dots:>4} ({profile.width_mm:>4} mm)"
              f" {profile.dpi:>4}  {profile.vietnamese:<8} "
              f"{'máy in' if profile.native_qr else 'ảnh':<8} {profile.cutter:<8} "
              f"{profile.description}")
    return 0


def _test(args: argparse.Namespace) -> int:
    from kiosk.printing import PrinterConfigError, PrinterSettings, open_printer
    from pydantic import ValidationError

    options = {key: getattr(args, key) for key in (
        "device", "baudrate", "host", "port", "usb_vendor_id", "usb_product_id", "timeout_s")
        if getattr(args, key) is not None}
    try:
        settings = PrinterSettings(profile=args.profile, transport=args.transport,
                                   output_dir=Path(args.output_dir),
                                   profiles_dir=args.profiles_dir, **options)
        printer = open_printer(settings, base_dir=Path.cwd())
    except (PrinterConfigError, ValidationError) as error:
        return _fail(error)
    result = printer.print_test_page()
    names = {"profile": args.profile, "transport": args.transport}
    if not result.printed:
        print(MESSAGES["test_failed"].format(**names, status=result.status,
                                             detail=result.detail), file=sys.stderr)
        return 1
    print(MESSAGES["test_printed"].format(**names, status=result.status))
    if args.transport == "dummy":
        print(MESSAGES["test_dummy"].format(directory=args.output_dir, profile=args.profile))
    return 0


def _preview(args: argparse.Namespace) -> int:
    from kiosk.printing import PrinterConfigError, TicketRenderer, load_profile, sample_ticket
    from kiosk.printing.samples import SAMPLE_TZ

    try:
        profile = load_profile(args.profile, args.profiles_dir)
        renderer = TicketRenderer(profile, SAMPLE_TZ)
    except PrinterConfigError as error:
        return _fail(error)
    data, image = renderer.ticket_bytes_and_preview(sample_ticket())
    path = Path(args.output or f"{profile.name}.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)  # once, for the docs: size over speed
    print(MESSAGES["preview_written"].format(profile=profile.name, path=path,
                                             width=image.width, height=image.height,
                                             size=len(data)))
    return 0
