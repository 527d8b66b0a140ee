import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from connectors.vn import SmsSegments, is_gsm7, sms_segments, strip_diacritics

SETTINGS = settings(database=None, max_examples=300)

# GSM 03.38, written out again here so the tests do not trust the module's own table.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
NOTICE = "Hồ sơ của ông/bà đã được tiếp nhận"


def test_alphabet_sizes() -> None:
    assert (127, 10) == (len(set(GSM_BASIC)), len(set(GSM_EXTENSION)))
    assert is_gsm7(GSM_BASIC + GSM_EXTENSION)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A" * 160, SmsSegments("GSM-7", 160, 1, 160)),
        ("A" * 161, SmsSegments("GSM-7", 161, 2, 153)),
        ("A" * 306, SmsSegments("GSM-7", 306, 2, 153)),
        ("A" * 307, SmsSegments("GSM-7", 307, 3, 153)),
        ("€" * 80, SmsSegments("GSM-7", 160, 1, 160)),
        ("€" * 81, SmsSegments("GSM-7", 162, 2, 153)),
        ("{ma}", SmsSegments("GSM-7", 6, 1, 160)),
        (NOTICE, SmsSegments("UCS-2", 34, 1, 70)),
        ("Ho so cua ong/ba da duoc tiep nhan", SmsSegments("GSM-7", 34, 1, 160)),
        ("ồ" * 70, SmsSegments("UCS-2", 70, 1, 70)),
        ("ồ" * 71, SmsSegments("UCS-2", 71, 2, 67)),
        ("ồ" * 134, SmsSegments("UCS-2", 134, 2, 67)),
        ("ồ" * 135, SmsSegments("UCS-2", 135, 3, 67)),
        ("bà", SmsSegments("GSM-7", 2, 1, 160)),
        ("bá", SmsSegments("UCS-2", 2, 1, 70)),
        ("đ", SmsSegments("UCS-2", 1, 1, 70)),
        ("OK 👍", SmsSegments("UCS-2", 5, 1, 70)),
        ("", SmsSegments("GSM-7", 0, 0, 160)),
    ],
)
def test_spec_vectors(text: str, expected: SmsSegments) -> None:
    assert expected == sms_segments(text)


def test_nfd_text_is_counted_as_nfc() -> None:
    # The spec's raw NFD count is 48 units; normalising first brings it back to 34.
    nfd = unicodedata.normalize("NFD", NOTICE)
    assert 48 == len(nfd)
    assert SmsSegments("UCS-2", 34, 1, 70) == sms_segments(nfd)


def test_an_escape_pair_is_never_split() -> None:
    # 152 + 2 + 152 = 306 units fit 2 x 153 on paper, but "€" cannot straddle the boundary.
    assert SmsSegments("GSM-7", 306, 3, 153) == sms_segments("A" * 152 + "€" + "A" * 152)
    assert SmsSegments("GSM-7", 306, 2, 153) == sms_segments("A" * 151 + "€" + "A" * 153)


def test_a_surrogate_pair_is_never_split() -> None:
    assert SmsSegments("UCS-2", 134, 3, 67) == sms_segments("ồ" * 66 + "👍" + "ồ" * 66)
    assert SmsSegments("UCS-2", 134, 2, 67) == sms_segments("ồ" * 65 + "👍" + "ồ" * 67)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đăng ký khai sinh", "Dang ky khai sinh"),
        ("Phường Hoàn Kiếm, Hà Nội", "Phuong Hoan Kiem, Ha Noi"),
        ("Ủy ban nhân dân", "Uy ban nhan dan"),
        ("Nguyễn Thị Ánh", "Nguyen Thi Anh"),
        ("đĐ", "dD"),
        ("ỲỴỶỸÝ ỳỵỷỹý", "YYYYY yyyyy"),
        ("Ưu tiên ƯỚC LƯỢNG", "Uu tien UOC LUONG"),
        ("ñ ü ç € 👍 ß 中", "ñ ü ç € 👍 ß 中"),
        ("", ""),
    ],
)
def test_strip_diacritics(text: str, expected: str) -> None:
    assert expected == strip_diacritics(text)
    assert expected == strip_diacritics(unicodedata.normalize("NFD", text))


def test_every_vietnamese_vowel_with_every_tone_becomes_ascii() -> None:
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    for base, letters in {"a": "aăâ", "e": "eê", "i": "i", "o": "oôơ", "u": "uư", "y": "y"}.items():
        for letter in letters:
            for tone in tones:
                assert base == strip_diacritics(letter + tone)
                assert base.upper() == strip_diacritics((letter + tone).upper())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", True), ("bà", True), ("{[€]}", True), ("bá", False), ("đ", False), ("👍", False)],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert expected == is_gsm7(text)


# ---- properties --------------------------------------------------------------------------

gsm_text = st.text(alphabet=GSM_BASIC + GSM_EXTENSION, max_size=700)
vietnamese = st.text(
    alphabet="Hồ sơ của ông/bà đã được tiếp nhận ĐĂNG KÝ 0123456789.,-{€}👍😀", max_size=400
)


@SETTINGS
@given(gsm_text)
def test_gsm_units_and_segments(text: str) -> None:
    result = sms_segments(text)
    extension = sum(1 for char in text if char in GSM_EXTENSION)
    assert "GSM-7" == result.encoding
    assert len(text) + extension == result.units
    assert (result.segments == 1) == (0 < result.units <= 160)
    assert result.segments * result.per_segment >= result.units
    assert (160 if result.units <= 160 else 153) == result.per_segment
    if result.units > 160:
        # Greedy packing wastes at most one unit per part boundary.
        lower = -(-result.units // 153)
        assert lower <= result.segments <= -(-(result.units + result.segments - 1) // 153)


@SETTINGS
@given(st.text(max_size=300) | vietnamese)
def test_ucs2_units_are_utf16_code_units(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    assume(not all(char in GSM_BASIC + GSM_EXTENSION for char in nfc))
    result = sms_segments(text)
    assert "UCS-2" == result.encoding
    assert len(nfc.encode("utf-16-le", "surrogatepass")) // 2 == result.units
    assert (result.segments == 1) == (result.units <= 70)
    assert result.segments * result.per_segment >= result.units
    assert (70 if result.units <= 70 else 67) == result.per_segment


@SETTINGS
@given(st.text(max_size=200) | vietnamese)
def test_stripping_keeps_length_and_never_costs_more_segments(text: str) -> None:
    stripped = strip_diacritics(text)
    assert len(unicodedata.normalize("NFC", text)) == len(stripped)
    assert stripped == strip_diacritics(stripped)
    assert sms_segments(stripped).segments <= sms_segments(text).segments


@SETTINGS
@given(vietnamese)
def test_stripped_vietnamese_letters_fit_gsm7(text: str) -> None:
    letters_only = "".join(char for char in text if char not in "👍😀")
    assert is_gsm7(strip_diacritics(letters_only))
