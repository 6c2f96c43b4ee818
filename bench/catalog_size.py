"""The retained procedure catalog: its size on the wire and the kiosk's search over it.

Measures, for the shipped demo catalog and for synthetic province-sized catalogs of
``--procedures`` procedures (default 2,000; built from the demo's real texts, so the
Vietnamese is as long as real text: a "typical" one with the demo's documents and a
"heavy" one with 8 long documents per procedure):

* the JSON bytes of the retained ``ProcedureCatalog`` (what the broker stores and every
  kiosk receives on connect) and, for reference, its gzip size;
* building it on the hub (``build_catalog``) and parsing it on a kiosk
  (``ProcedureCatalog.model_validate_json``);
* ``search`` over it per key press: each prefix of a few real queries typed letter by
  letter, median and p99 in milliseconds (the folded words are cached after the first
  search, as on a kiosk).

Goals: the 2,000-procedure typical catalog ≤ 1 MiB retained, a key press search ≤ 30 ms
p99. No database; ``--db`` is accepted and ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import time

from _common import argument_parser, goal, latency_summary, progress, publish_document

from motcua import contract
from motcua.catalog_publisher import build_catalog
from motcua.dossiers.catalog import demo_catalog_path, read_catalog_file
from motcua.dossiers.procedures import Procedure
from motcua.dossiers.search import search

QUERIES = ("dang ky ket hon", "chung thuc ban sao", "giay phep xay dung", "ho kinh doanh",
           "1.000894", "tam tru")
MIB = 1024 * 1024
LONG_DOCUMENT = ("Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu của giấy tờ, "
                 "tài liệu chứng minh điều kiện theo quy định (nếu có)")


def synthetic(demo: tuple[Procedure, ...], count: int, heavy: bool) -> list[Procedure]:
    """``count`` procedures cycling over the demo's texts, each with its own code and name."""
    made = []
    for index in range(count):
        base = demo[index % len(demo)]
        documents = (tuple(f"{LONG_DOCUMENT} ({n + 1})" for n in range(8)) if heavy
                     else base.documents)
        made.append(dataclasses.replace(
            base, code=f"9.{index:06d}", name=f"{base.name} ({index // len(demo) + 1})"[:200],
            documents=documents))
    return made


def measure_catalog(procedures: list[Procedure] | tuple[Procedure, ...]) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    catalog = build_catalog(procedures, now)
    built_s = time.perf_counter() - started
    payload = catalog.model_dump_json().encode("utf-8")
    started = time.perf_counter()
    contract.ProcedureCatalog.model_validate_json(payload)
    parsed_s = time.perf_counter() - started
    return {"procedures": len(catalog.procedures), "json_bytes": len(payload),
            "gzip_bytes": len(gzip.compress(payload)),
            "bytes_per_procedure": round(len(payload) / max(1, len(catalog.procedures))),
            "build_ms": round(built_s * 1000, 1), "kiosk_parse_ms": round(parsed_s * 1000, 1)}


def measure_search(procedures: list[Procedure]) -> dict:
    search(procedures, "warm up the cache of folded words")
    timings = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            search(procedures, query[:end])
            timings.append(time.perf_counter() - started)
    summary = latency_summary(timings)
    return {"key_presses": len(timings), **summary}


def main() -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    count = 50 if args.quick else args.procedures
    demo = read_catalog_file(demo_catalog_path()).procedures
    progress(f"demo catalog: {len(demo)} procedures")
    results = {"demo": measure_catalog(demo)}
    for kind in ("typical", "heavy"):
        progress(f"synthetic {kind} catalog of {count}")
        procedures = synthetic(demo, count, heavy=kind == "heavy")
        results[kind] = measure_catalog(procedures)
        results[kind]["search"] = measure_search(procedures)
    typical = results["typical"]
    goals = {
        f"retained catalog of {count} (typical), bytes": goal(typical["json_bytes"], "<=", MIB),
        f"search per key press over {count}, p99 ms": goal(
            typical["search"].get("p99_ms"), "<=", 30),
    }
    return publish_document("catalog_size", {"quick": args.quick, "procedures": count},
                            results, goals, started)


if __name__ == "__main__":
    raise SystemExit(main())
