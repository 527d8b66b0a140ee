import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.vn import InvalidPhoneNumber, VnPhone, is_mobile, parse_phone

SETTINGS = settings(database=None, deadline=None, max_examples=300)

# sms_ihanoi.md section 6.3, accepted rows: input -> national, E.164, carrier.
ACCEPTED = [
    ("0912345678", "0912345678", "+84912345678", "vinaphone"),
    ("+84912345678", "0912345678", "+84912345678", "vinaphone"),
    ("84912345678", "0912345678", "+84912345678", "vinaphone"),
    ("0084912345678", "0912345678", "+84912345678", "vinaphone"),
    ("(+84) 91 234 5678", "0912345678", "+84912345678", "vinaphone"),
    ("091.234.5678", "0912345678", "+84912345678", "vinaphone"),
    ("912345678", "0912345678", "+84912345678", "vinaphone"),
    ("+84 (0) 912 345 678", "0912345678", "+84912345678", "vinaphone"),
    ("01695678945", "0395678945", "+84395678945", "viettel"),
    ("01287878888", "0787878888", "+84787878888", "mobifone"),
    ("01298222888", "0828222888", "+84828222888", "vinaphone"),
    ("01888555888", "0588555888", "+84588555888", "vietnamobile"),
    ("01995959999", "0595959999", "+84595959999", "gmobile"),
    ("0868123456", "0868123456", "+84868123456", "viettel"),
    ("0701234567", "0701234567", "+84701234567", "mobifone"),
    ("0896123456", "0896123456", "+84896123456", "mobifone"),
    ("0522123456", "0522123456", "+84522123456", "vietnamobile"),
    ("0559123456", "0559123456", "+84559123456", "reddi"),
    # phonenumbers says "Vinaphone" (the host network); the subscriber's operator is Itel.
    ("0871234567", "0871234567", "+84871234567", "itelecom"),
    ("0993123456", "0993123456", "+84993123456", "gmobile"),
    # phonenumbers says "Indochina Telecom": the company behind the Itel brand.
    ("0998123456", "0998123456", "+84998123456", "itelecom"),
    ("84849123456", "0849123456", "+84849123456", "vinaphone"),
]

# sms_ihanoi.md section 6.3, refused rows, with the reason the error must name.
REFUSED = [
    ("0891123456", "not an assigned Vietnamese mobile number range"),
    ("0521123456", "not an assigned Vietnamese mobile number range"),
    ("02438261234", "landline"),
    ("1900123456", "1800/1900 service number"),
    ("8484912345", "expected 0 and 9 digits"),
]


@pytest.mark.parametrize(("raw", "national", "e164", "carrier"), ACCEPTED)
def test_spec_table_accepted(raw: str, national: str, e164: str, carrier: str) -> None:
    phone = parse_phone(raw)
    assert (national, e164, e164[1:], carrier) == (
        phone.national,
        phone.e164,
        phone.international,
        phone.carrier,
    )
    assert national == str(phone)
    assert is_mobile(raw)


@pytest.mark.parametrize(("raw", "reason"), REFUSED)
def test_spec_table_refused(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        parse_phone(raw)
    assert reason in str(caught.value)
    assert "phone" == caught.value.field
    assert not is_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("()", "no digits"),
        ("+", "no digits"),
        ("abc", "only digits"),
        ("0912345678x", "only digits"),
        ("09123+45678", "only digits"),
        ("++84912345678", "only digits"),
        ("０９１２３４５６７８", "only digits"),  # full-width digits
        ("+1 202 555 0100", "foreign number"),
        ("0044 20 7946 0958", "foreign number"),
        ("+849123456", "digits after +84"),
        ("+84 24 3826 1234", "landline"),
        ("0084 24 3826 1234", "landline"),
        ("1800 1234", "1800/1900"),
        ("1800123456", "1800/1900"),
        ("+84 1900 123456", "1800/1900"),
        ("01301234567", "unknown pre-2018"),
        ("091234567", "expected 0 and 9 digits"),
        ("09123456789", "expected 0 and 9 digits"),
        ("0" * 41, "longer than 40"),
    ],
)
def test_refusals_name_the_problem(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        parse_phone(raw)
    assert reason in str(caught.value)
    assert raw.strip() == "" or raw not in str(caught.value)  # no personal data echoed


@pytest.mark.parametrize("raw", [912345678, None, b"0912345678"])
def test_non_strings_are_refused(raw: object) -> None:
    with pytest.raises(InvalidPhoneNumber):
        parse_phone(raw)  # type: ignore[arg-type]
    assert not is_mobile(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("0120", "070"), ("0121", "079"), ("0122", "077"), ("0126", "076"), ("0128", "078"),
        ("0123", "083"), ("0124", "084"), ("0125", "085"), ("0127", "081"), ("0129", "082"),
        ("0162", "032"), ("0163", "033"), ("0164", "034"), ("0165", "035"), ("0166", "036"),
        ("0167", "037"), ("0168", "038"), ("0169", "039"),
        ("0186", "056"), ("0188", "058"), ("0199", "059"),
    ],
)  # fmt: skip
def test_every_2018_conversion(old: str, new: str) -> None:
    assert new + "5678945" == parse_phone(old + "5678945").national
    assert new + "5678945" == parse_phone("+84 " + old[1:] + "5678945").national
    assert new + "5678945" == parse_phone("+84 (0) " + old[1:] + "5678945").national


def test_carrier_falls_back_to_the_prefix_table() -> None:
    # phonenumbers knows 0990 as mobile but names no carrier for it.
    assert "gmobile" == parse_phone("0990123456").carrier


def test_phone_is_a_frozen_value() -> None:
    phone = parse_phone("0912345678")
    assert VnPhone("0912345678", "vinaphone") == phone
    with pytest.raises(dataclasses.FrozenInstanceError):
        phone.national = "0987654321"  # type: ignore[misc]


@pytest.mark.parametrize("national", ["912345678", "84912345678", "09123456a8", ""])
def test_phone_refuses_a_malformed_national_form(national: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        VnPhone(national)


# ---- properties --------------------------------------------------------------------------

# National prefixes where phonenumbers accepts every completion as a mobile number.
PREFIXES = [
    *(f"03{d}" for d in "0123456789"),
    "070", "076", "077", "078", "079",
    *(f"08{d}" for d in "12345678"), "0896", "0897", "0898", "0899",
    *(f"09{d}" for d in "012345678"), "0990", "0991", *(f"099{d}" for d in "3456789"),
    "0522", "0523", "0528", "0559", "056", "058", "059",
]  # fmt: skip


@st.composite
def mobile_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(PREFIXES))
    rest = draw(
        st.text(alphabet="0123456789", min_size=10 - len(prefix), max_size=10 - len(prefix))
    )
    return prefix + rest


def spellings(national: str) -> list[str]:
    sig = national[1:]
    return [
        national,
        "+84" + sig,
        "84" + sig,
        "0084" + sig,
        sig,
        f"(+84) {sig[:2]} {sig[2:5]} {sig[5:]}",
        f"+84 (0) {sig[:3]} {sig[3:6]} {sig[6:]}",
        f"{national[:3]}.{national[3:6]}.{national[6:]}",
        f"{national[:3]}-{national[3:6]}-{national[6:]}",
        f"  {national[:4]} {national[4:7]} {national[7:]}\t",
        f"+84-{sig[:2]}-{sig[2:5]}-{sig[5:]}",
        f"0084 ({sig[:2]}) {sig[2:]}",
    ]


@SETTINGS
@given(mobile_numbers())
def test_every_spelling_gives_the_same_number(national: str) -> None:
    expected = parse_phone(national)
    assert national == expected.national
    assert [expected] * len(spellings(national)) == [parse_phone(s) for s in spellings(national)]


LEGACY = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    **{f"016{d}": f"03{d}" for d in "23456789"},
    "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip


@SETTINGS
@given(st.sampled_from(sorted(LEGACY)), st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_legacy_numbers_convert_in_every_spelling(old: str, last7: str) -> None:
    expected = parse_phone(LEGACY[old] + last7)
    # Rule 4 (add the missing 0) is for 9 bare digits only: "1695678945" stays refused.
    bare = (old + last7)[1:]
    written = [s for s in spellings(old + last7) if s != bare]
    assert [expected] * len(written) == [parse_phone(s) for s in written]
    assert not is_mobile(bare)


@SETTINGS
@given(
    st.text(max_size=30)
    | st.text(alphabet="0123456789+-. ()", max_size=20)
    | st.text(alphabet="0123456789", max_size=16)
)
def test_random_input_raises_only_invalid_phone_number(raw: str) -> None:
    if not is_mobile(raw):
        with pytest.raises(InvalidPhoneNumber) as caught:
            parse_phone(raw)
        assert "phone" == caught.value.field
        return
    phone = parse_phone(raw)
    assert 10 == len(phone.national)
    assert phone.national.startswith("0")
    assert phone == parse_phone(phone.e164) == parse_phone(phone.international)
