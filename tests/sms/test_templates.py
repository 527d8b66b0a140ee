"""Templates: rendering, matching before sending, diacritics, segments and limits."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.sms import (
    Brandname,
    Message,
    MessageTooLong,
    SmsErrorCode,
    Template,
    TemplateMismatch,
    TemplateRegistry,
    TextLimits,
    compose,
)
from connectors.sms.templates import compile_pattern
from connectors.vn import sms_segments, strip_diacritics

BRAND = "UBNDPHUONG"
PAID = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"
LIMITS = TextLimits(max_units_gsm7=480, max_units_ucs2=268)

# Parameter values: Vietnamese letters (accented), digits and a little punctuation.
VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
values = st.text(alphabet=VIET + VIET.upper() + string.digits + " .,-/", min_size=1, max_size=40)


def registry(*templates: Template, accented: bool = False) -> TemplateRegistry:
    return TemplateRegistry([Brandname(BRAND, accented=accented)], templates)


@given(dossier=values, amount=values, code=values)
def test_rendered_text_matches_its_template_and_gives_the_values_back(
    dossier: str, amount: str, code: str
) -> None:
    template = Template("paid", PAID, BRAND)
    text, params = template.render({"dossier": dossier, "amount": amount, "code": code})
    assert tuple(strip_diacritics(v) for v in (dossier, amount, code)) == params
    assert template.match(text) is not None
    assert (
        text
        == f"Ho so {params[0]} da thanh toan {params[1]} dong. Ma tra cuu bien lai: {params[2]}"
    )
    assert "GSM-7" == sms_segments(text).encoding


@given(dossier=values, position=st.integers(min_value=0, max_value=5))
def test_text_with_a_literal_changed_matches_no_template(dossier: str, position: int) -> None:
    template = Template("paid", PAID, BRAND)
    text, _ = template.render({"dossier": dossier, "amount": "1", "code": "X"})
    # Change one character of the fixed prefix "Ho so ": the vendor would refuse it.
    changed = text[:position] + ("#" if text[position] != "#" else "@") + text[position + 1 :]
    assert template.match(changed) is None


@given(st.text(min_size=1, max_size=60))
def test_any_placeholder_free_template_matches_exactly_itself(literal: str) -> None:
    literal = strip_diacritics(literal.replace("{", "(").replace("}", ")"))
    if not literal.strip():
        return
    pattern, placeholders = compile_pattern(literal)
    assert () == placeholders
    assert pattern.fullmatch(literal)
    assert not pattern.fullmatch(literal + "x")


def test_placeholder_max_length_is_enforced_before_sending() -> None:
    template = Template("otp", "Ma {code:6} cua ban", BRAND)
    assert ("Ma 123456 cua ban", ("123456",)) == template.render({"code": 123456})
    with pytest.raises(TemplateMismatch) as raised:
        template.render({"code": "1234567"})
    assert "params.code" == raised.value.field
    assert SmsErrorCode.TEMPLATE_MISMATCH == raised.value.code


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"dossier": "A", "amount": "1"}, "params"),
        ({"dossier": "A", "amount": "1", "code": "C", "extra": "x"}, "params"),
        ({"dossier": "A", "amount": "1", "code": "line\nbreak"}, "params.code"),
        ({"dossier": "", "amount": "1", "code": "C"}, "params.dossier"),
        ({"dossier": True, "amount": "1", "code": "C"}, "params.dossier"),
    ],
)
def test_bad_parameters_name_the_field(params: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Template("paid", PAID, BRAND).render(params)
    assert field == raised.value.field


def test_unaccented_template_must_be_registered_without_diacritics() -> None:
    with pytest.raises(ValidationError) as raised:
        Template("x", "Hồ sơ {ma} đã tiếp nhận", BRAND)
    assert "text" == raised.value.field
    accented = Template("x", "Hồ sơ {ma} đã tiếp nhận", BRAND, accented=True)
    assert ("Hồ sơ Ánh đã tiếp nhận", ("Ánh",)) == accented.render({"ma": "Ánh"})


@pytest.mark.parametrize("name", ["", "UBNDPHUONGHK", "UBND-HK", "Ủyban", None])
def test_brandname_rules(name: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Brandname(name)  # type: ignore[arg-type]
    assert "name" == raised.value.field


def test_compose_renders_a_template_with_segments() -> None:
    reg = registry(Template("paid", PAID, BRAND))
    message = Message(
        "0912345678",
        template_id="paid",
        params={"dossier": "HS-1", "amount": "50.000", "code": "Bùi Thị Ánh"},
    )
    composed = compose(message, reg, default_brandname=BRAND, limits=LIMITS)
    assert "Ho so HS-1 da thanh toan 50.000 dong. Ma tra cuu bien lai: Bui Thi Anh" == composed.text
    assert ("HS-1", "50.000", "Bui Thi Anh") == composed.params
    assert "GSM-7" == composed.encoding
    assert 1 == composed.segments.segments
    assert composed.accented is False


def test_plain_text_is_stripped_and_matched_against_the_brandname_templates() -> None:
    reg = registry(Template("received", "Ho so {ma} da duoc tiep nhan", BRAND))
    message = Message("0912345678", "Hồ sơ HS-9 đã được tiếp nhận", accented=True)
    composed = compose(message, reg, default_brandname=BRAND, limits=LIMITS)
    assert "Ho so HS-9 da duoc tiep nhan" == composed.text  # brandname is unaccented
    assert composed.template is not None
    assert "received" == composed.template.id
    assert ("HS-9",) == composed.params


def test_accented_brandname_keeps_diacritics_and_counts_ucs2() -> None:
    template = Template("received", "Hồ sơ {ma} đã được tiếp nhận", BRAND, accented=True)
    reg = registry(template, accented=True)
    message = Message("0912345678", template_id="received", params={"ma": "HS-9"})
    composed = compose(message, reg, default_brandname=BRAND, limits=LIMITS)
    assert "Hồ sơ HS-9 đã được tiếp nhận" == composed.text
    assert ("UCS-2", 1) == (composed.encoding, composed.segments.segments)


def test_accented_template_needs_an_accented_brandname() -> None:
    reg = registry(Template("r", "Hồ sơ {ma}", BRAND, accented=True))
    with pytest.raises(ValidationError) as raised:
        compose(
            Message("0912345678", template_id="r", params={"ma": "1"}),
            reg,
            default_brandname=BRAND,
            limits=LIMITS,
        )
    assert "template_id" == raised.value.field


def test_free_text_brandname_without_templates() -> None:
    reg = TemplateRegistry([Brandname(BRAND, require_template=False)])
    composed = compose(
        Message("0912345678", "Lich tiep dan thu Ba"), reg, default_brandname=BRAND, limits=LIMITS
    )
    assert composed.template is None


def test_emoji_in_unaccented_text_is_refused() -> None:
    reg = TemplateRegistry([Brandname(BRAND, require_template=False)])
    with pytest.raises(ValidationError) as raised:
        compose(Message("0912345678", "OK 👍"), reg, default_brandname=BRAND, limits=LIMITS)
    assert "text" == raised.value.field


@pytest.mark.parametrize(("length", "fits"), [(480, True), (481, False)])
def test_provider_limit_in_gsm7_units(length: int, fits: bool) -> None:
    reg = TemplateRegistry([Brandname(BRAND, require_template=False)])
    message = Message("0912345678", "A" * length)
    if fits:
        composed = compose(message, reg, default_brandname=BRAND, limits=LIMITS)
        assert 4 == composed.segments.segments
    else:
        with pytest.raises(MessageTooLong) as raised:
            compose(message, reg, default_brandname=BRAND, limits=LIMITS)
        assert SmsErrorCode.TOO_LONG == raised.value.code


def test_unknown_brandname_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        compose(
            Message("0912345678", "x", brandname="KHAC"),
            registry(),
            default_brandname=BRAND,
            limits=LIMITS,
        )
    assert "brandname" == raised.value.field


@given(st.text(alphabet=VIET + "abc ABC.,-" + "€{}", min_size=1, max_size=700))
def test_compose_refuses_exactly_the_texts_over_the_limit(text: str) -> None:
    if not text.strip():
        return
    reg = TemplateRegistry([Brandname(BRAND, require_template=False)])
    stripped = strip_diacritics(text)
    units = sms_segments(stripped).units
    message = Message("0912345678", text)
    if units > LIMITS.max_units_gsm7:
        with pytest.raises(MessageTooLong):
            compose(message, reg, default_brandname=BRAND, limits=LIMITS)
    else:
        composed = compose(message, reg, default_brandname=BRAND, limits=LIMITS)
        assert stripped == composed.text
        assert ("GSM-7", sms_segments(stripped).segments) == (
            composed.encoding,
            composed.segments.segments,
        )


@pytest.mark.parametrize(
    ("text", "params", "expected"),
    [
        ("{a}{b}", {"a": "x", "b": "y"}, "xy"),
        ("{a} ho so {b:5}.", {"a": "Ba", "b": "HS1"}, "Ba ho so HS1."),
        ("Ma {code}", {"code": "{b}"}, "Ma {b}"),
        ("Le phi {amount} dong", {"amount": 50_000}, "Le phi 50000 dong"),
    ],
)
def test_render_puts_each_value_in_its_place(
    text: str, params: dict[str, object], expected: str
) -> None:
    template = Template("t", text, "UBNDHANOI")
    assert (expected, tuple(str(v) for v in params.values())) == template.render(params)
