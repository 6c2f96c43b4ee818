"""Finding a procedure as a citizen types it: without diacritics, partial words, codes,
fields (motcua.dossiers.search), over the shipped demo catalog and generated ones."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motcua.dossiers.catalog import demo_catalog_path, read_catalog_file
from motcua.dossiers.procedures import Procedure
from motcua.dossiers.search import _words, fold, search

DEMO = read_catalog_file(demo_catalog_path()).procedures


def names(query: str, limit: int = 20) -> list[str]:
    return [p.name for p in search(DEMO, query, limit)]


def test_fold_drops_vietnamese_marks_and_d_bar():
    """Given Vietnamese text in upper and lower case,
    when folded,
    then it is lower-case ASCII with đ/Đ read as d and spaces collapsed."""
    assert fold("  Đăng ký  KẾT HÔN ") == "dang ky ket hon"
    assert fold("Chứng thực bản sao, trích lục hộ tịch") == "chung thuc ban sao, trich luc ho tich"
    assert fold("Lao động – Thương binh và Xã hội") == "lao dong thuong binh va xa hoi"


def test_text_without_diacritics_finds_the_exact_name_first():
    """Given the demo catalog,
    when a citizen types "dang ky ket hon" (or with diacritics, or in capitals),
    then "Đăng ký kết hôn" is the first result."""
    for typed in ("dang ky ket hon", "Đăng ký kết hôn", "DANG KY KET HON", "dang  ky ket  hon"):
        assert names(typed)[0] == "Đăng ký kết hôn", typed


def test_a_name_typed_in_part_ranks_the_names_starting_with_it_first():
    """Given the demo catalog,
    when "dang ky kh" is typed (a partial last word),
    then the names starting with those words come first, fewest words first, then in
    catalog order."""
    assert names("dang ky kh", 3) == [
        "Đăng ký khai sinh", "Đăng ký khai tử",
        "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con"]


def test_words_in_any_order_and_partial_words_match():
    """Given the demo catalog,
    when words are typed out of order and cut short,
    then the procedure holding them all is found."""
    assert names("hon ket") == ["Đăng ký kết hôn"]
    assert names("giay phep xay") == ["Gia hạn giấy phép xây dựng",
                                      "Cấp lại giấy phép xây dựng",
                                      "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]


def test_a_national_code_or_its_digits_find_the_procedure():
    """Given the demo catalog,
    when the national code 1.000894 is typed whole or only its digits 000894,
    then "Đăng ký kết hôn" is found."""
    assert names("1.000894") == ["Đăng ký kết hôn"]
    assert names("000894") == ["Đăng ký kết hôn"]
    assert names("demo.ho-tich.02") == ["Đăng ký giám hộ"]


def test_a_field_name_finds_its_procedures_after_name_matches():
    """Given the demo catalog,
    when the field "cư trú" is typed without diacritics,
    then the residence procedures are found, and a name holding those words ranks first."""
    found = search(DEMO, "cu tru", 10)
    assert [p.field for p in found[1:]] == ["Cư trú"] * 3
    assert "cư trú" in found[0].name


def test_nothing_typed_or_only_symbols_finds_nothing():
    """Given the demo catalog,
    when the query is empty, spaces, punctuation or not text,
    then nothing is found (never the whole catalog, never an error)."""
    for typed in ("", "   ", "?!–", "...", None, 42):
        assert search(DEMO, typed) == []  # type: ignore[arg-type]


def test_the_limit_caps_the_results():
    """Given the 20 demo procedures with a word starting "dang" (đăng ký, Đăng ký kinh
    doanh),
    when searched with limit 5 (or 0),
    then exactly 5 (or none) come back."""
    assert len(search(DEMO, "dang", 100)) == 20
    assert len(search(DEMO, "dang", 5)) == 5
    assert search(DEMO, "dang", 0) == []


# --- properties ------------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@given(_TEXT)
def test_fold_is_printable_ascii_and_idempotent(text):
    """Given any text, when folded, then the result is printable ASCII without leading,
    trailing or doubled spaces, and folding it again changes nothing."""
    folded = fold(text)
    assert folded.isascii() and (folded == "" or folded.isprintable())
    assert folded == " ".join(folded.split())
    assert fold(folded) == folded


_VIETNAMESE = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậéèẻẽẹếềểễệíìỉĩị"
                               "óòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐĂÂÊÔƠƯ 0123456789,.-–()/",
                      min_size=1, max_size=60)


@settings(max_examples=150)
@given(st.lists(_VIETNAMESE, min_size=1, max_size=8), st.data())
def test_any_procedure_is_found_by_its_own_folded_name(procedure_names, data):
    """Given a catalog of procedures with arbitrary Vietnamese names,
    when one of them is searched by its folded name,
    then it is among the results."""
    catalog = [Procedure(code=f"demo.{i}", name=name, field="Hộ tịch")
               for i, name in enumerate(procedure_names)]
    target = data.draw(st.sampled_from(catalog))
    assume(_words(target.name))
    assert target in search(catalog, fold(target.name), limit=len(catalog))


@given(st.lists(_VIETNAMESE, min_size=1, max_size=8), _TEXT)
def test_search_never_raises_and_returns_items_of_the_catalog(procedure_names, query):
    """Given any catalog and any query, when searched, then only catalog items come back,
    each once."""
    catalog = [Procedure(code=f"c{i}", name=n, field="") for i, n in enumerate(procedure_names)]
    found = search(catalog, query)
    assert all(item in catalog for item in found)
    assert len({id(item) for item in found}) == len(found)


@settings(max_examples=150)
@given(st.lists(_VIETNAMESE, min_size=1, max_size=8), st.data())
def test_a_whole_name_typed_puts_a_procedure_of_that_name_first(procedure_names, data):
    """Given any catalog (without codes, which could equal a name), when the folded name
    of one procedure is typed, then the first result has exactly that folded name (the
    target, or an earlier namesake)."""
    catalog = [Procedure(code="", name=name, field="Hộ tịch")
               for i, name in enumerate(procedure_names)]
    target = data.draw(st.sampled_from(catalog))
    assume(0 < len(_words(target.name)) <= 12)

    first = search(catalog, fold(target.name))[0]

    assert _words(first.name) == _words(target.name)
