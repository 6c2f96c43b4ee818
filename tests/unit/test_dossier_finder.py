"""DossierFinder: one lookup for every surface (clean, limit, read, charge wrong codes).

The finder reads through the real ``StoreDossierReader`` over a SQLite file holding the
three dossiers of ``tests/support/dossier_hub.py``; ``CountingReader`` only records which
codes reached the store. The storage failure is a real one: a database without tables.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.calendar import load_calendar
from motcua.dossiers.codes import DEFAULT_CODE_PATTERN, CodeRule
from motcua.dossiers.finder import DossierFinder
from motcua.dossiers.settings import DossierSettings
from motcua.dossiers.wrong_codes import WrongCodeLimiter
from motcua.errors import WireError
from motcua.store import create_database_engine, upgrade
from motcua.store.dossier_store import StoreDossierReader
from tests.support.dossier_hub import (
    CODES, NOW, READY_CODE, CountingReader, store_dossiers, store_reader,
)
from tests.support.dossiers import SITE, VN


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The real reader of a SQLite file holding the three dossiers (read-only here)."""
    engine = create_database_engine(f"sqlite:///{tmp_path_factory.mktemp('finder')}/hub.db")
    upgrade(engine)
    store_dossiers(engine, SITE)
    yield store_reader(engine, SITE)
    engine.dispose()


def test_a_site_pattern_accepts_its_own_codes(stored):
    """Given a site whose codes are HS-<6 digits>,
    when HS-000123 (typed in lower case) and a national code are looked up,
    then the first is read in canonical form and the second is invalid_code."""
    reader = CountingReader(stored)
    finder = DossierFinder(reader, DossierSettings(code_rule=CodeRule(r"HS-\d{6}")))

    with pytest.raises(WireError) as unknown:
        finder.find("hs-000123", "kiosk/1", NOW)
    with pytest.raises(WireError) as invalid:
        finder.find(READY_CODE, "kiosk/1", NOW)

    assert (unknown.value.code, unknown.value.params) == ("dossier_not_found",
                                                          {"dossier": "HS-000123"})
    assert invalid.value.code == "invalid_code"
    assert reader.reads == ["HS-000123"]


def test_a_database_failure_is_a_storage_error_not_a_wrong_code(tmp_path):
    """Given the real reader over a database file without tables (SQLite: no such
    table), and room for one wrong code,
    when the same kiosk looks up twice,
    then both are storage_error (nothing charged: the second is not rate-limited)."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    broken = StoreDossierReader(engine, SITE, load_calendar(), tz=VN)
    finder = DossierFinder(broken, DossierSettings(), WrongCodeLimiter(1))

    codes = []
    for _ in range(2):
        with pytest.raises(WireError) as caught:
            finder.find(READY_CODE, "kiosk/1", NOW)
        codes.append(caught.value.code)

    engine.dispose()
    assert codes == ["storage_error", "storage_error"]


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(
    st.text(max_size=80), st.text(max_size=12_000), st.binary(max_size=64), st.none(),
    st.integers(), st.from_regex(DEFAULT_CODE_PATTERN, fullmatch=True),
    st.builds(lambda code, pad: pad + code.lower() + pad,
              st.sampled_from(CODES), st.sampled_from(["", " ", "\t"]))))
def test_any_input_is_a_view_or_a_calm_refusal(stored, raw):
    """Given anything a scanner, a keyboard or a client could send (text of any length,
    bytes, null, numbers),
    when it is looked up with the limit off,
    then the answer is a view or invalid_code / dossier_not_found, never another error,
    and the reader is only ever asked for canonical codes (nothing else reaches SQL)."""
    reader = CountingReader(stored)
    finder = DossierFinder(reader, DossierSettings(), WrongCodeLimiter(0))

    try:
        view = finder.find(raw, "web/192.0.2.1", NOW)
    except WireError as error:
        assert error.code in {"invalid_code", "dossier_not_found"}
    else:
        assert view.code in CODES and view.code == reader.reads[-1]
    assert all(DossierSettings().code_rule.clean(code) == code for code in reader.reads)
