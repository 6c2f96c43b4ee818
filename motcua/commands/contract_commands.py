"""``motcua contract-doc``: write or check ``docs/contract.md`` from the contract module."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from motcua.contract_doc import render_contract_markdown

log = logging.getLogger(__name__)

DEFAULT_OUTPUT = Path("docs/contract.md")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``contract-doc`` subcommand."""
    parser = subparsers.add_parser(
        "contract-doc",
        help="viết docs/contract.md từ motcua/contract/ (write the MQTT contract document)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="không ghi; thoát mã 1 nếu tài liệu đã cũ (exit 1 if the document is stale)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="đường dẫn tài liệu (document path)"
    )
    parser.set_defaults(handler=run_contract_doc)


def run_contract_doc(args: argparse.Namespace) -> int:
    """Write the document, or with ``--check`` return 1 when the file differs."""
    expected = render_contract_markdown()
    output: Path = args.output
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != expected:
            log.error(
                "%s đã cũ, hãy chạy `motcua contract-doc` / %s is stale; run `motcua contract-doc`",
                output,
                output,
            )
            return 1
        log.info("%s khớp với hợp đồng / %s matches the contract", output, output)
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(expected, encoding="utf-8")
    log.info("đã ghi %s / wrote %s", output, output)
    return 0
