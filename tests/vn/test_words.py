import contextlib
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.core.errors import ValidationError
from connectors.vn import MAX_AMOUNT_IN_WORDS, amount_in_words, words_to_amount

SETTINGS = settings(database=None, max_examples=300)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1250000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (1005, "Một nghìn không trăm linh năm đồng"),
        (21, "Hai mươi mốt đồng"),
        (15, "Mười lăm đồng"),
        (24, "Hai mươi tư đồng"),
        (0, "Không đồng"),
        (105, "Một trăm linh năm đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (-21, "Âm hai mươi mốt đồng"),
        (1, "Một đồng"),
        (4, "Bốn đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (25, "Hai mươi lăm đồng"),
        (31, "Ba mươi mốt đồng"),
        (50, "Năm mươi đồng"),
        (101, "Một trăm linh một đồng"),
        (104, "Một trăm linh bốn đồng"),
        (110, "Một trăm mười đồng"),
        (115, "Một trăm mười lăm đồng"),
        (400, "Bốn trăm đồng"),
        (444, "Bốn trăm bốn mươi tư đồng"),
        (1000, "Một nghìn đồng"),
        (1010, "Một nghìn không trăm mười đồng"),
        (10000, "Mười nghìn đồng"),
        (100000, "Một trăm nghìn đồng"),
        (1000005, "Một triệu không trăm linh năm đồng"),
        (1000010, "Một triệu không trăm mười đồng"),
        (1001000, "Một triệu không trăm linh một nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
        (
            1_234_567_890,
            "Một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi đồng",
        ),
        (10**12, "Một nghìn tỷ đồng"),
        (5 * 10**15, "Năm triệu tỷ đồng"),
        (1_001 * 10**9, "Một nghìn không trăm linh một tỷ đồng"),
        (10**12 + 500, "Một nghìn tỷ năm trăm đồng"),
        (10**18, "Một tỷ tỷ đồng"),
        (10**18 + 10**9, "Một tỷ không trăm linh một tỷ đồng"),
    ],
)
def test_default_style(amount: int, expected: str) -> None:
    assert expected == amount_in_words(amount)


def test_even_suffix_matches_vendor_sample() -> None:
    expected = "Hai triệu bảy trăm năm mươi nghìn đồng chẵn"
    assert expected == amount_in_words(2_750_000, even_suffix=True)


@pytest.mark.parametrize(
    ("amount", "options", "expected"),
    [
        (105, {"zero_tens": "lẻ"}, "Một trăm lẻ năm đồng"),
        (1005, {"zero_tens": "lẻ", "thousand": "ngàn"}, "Một ngàn không trăm lẻ năm đồng"),
        (24, {"four": "bốn"}, "Hai mươi bốn đồng"),
        (14, {"four": "tư"}, "Mười bốn đồng"),
        (104, {"four": "tư"}, "Một trăm linh bốn đồng"),
        (21, {"currency": ""}, "Hai mươi mốt"),
        (0, {"currency": "", "even_suffix": True}, "Không chẵn"),
        (-5, {"currency": "đô la Mỹ"}, "Âm năm đô la Mỹ"),
        (1000, {"thousand": "ngàn", "even_suffix": True}, "Một ngàn đồng chẵn"),
    ],
)
def test_options(amount: int, options: dict[str, object], expected: str) -> None:
    assert expected == amount_in_words(amount, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [True, 1.0, Decimal(1), "1", None])
def test_rejects_non_int(amount: object) -> None:
    with pytest.raises(ValidationError) as caught:
        amount_in_words(amount)  # type: ignore[arg-type]
    assert "amount" == caught.value.field


@pytest.mark.parametrize(
    "options",
    [{"zero_tens": "le"}, {"thousand": "ngan"}, {"four": "4"}, {"currency": None}],
)
def test_rejects_unknown_options(options: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        amount_in_words(1, **options)  # type: ignore[arg-type]


def test_reads_up_to_the_documented_limit() -> None:
    assert MAX_AMOUNT_IN_WORDS == words_to_amount(amount_in_words(MAX_AMOUNT_IN_WORDS))
    assert -MAX_AMOUNT_IN_WORDS == words_to_amount(amount_in_words(-MAX_AMOUNT_IN_WORDS))
    for too_large in (MAX_AMOUNT_IN_WORDS + 1, -MAX_AMOUNT_IN_WORDS - 1):
        with pytest.raises(ValidationError):
            amount_in_words(too_large)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "đồng",
        "Mười năm đồng",  # 15 is mười lăm
        "Hai mươi một đồng",  # 21 is hai mươi mốt
        "Mười mốt đồng",
        "Mười tư đồng",
        "Một trăm linh lăm đồng",
        "Một trăm năm đồng",  # needs linh
        "Một nghìn linh năm đồng",  # needs không trăm
        "Không trăm năm đồng",
        "Một tỷ không trăm đồng",  # all-zero group
        "Một nghìn nghìn đồng",
        "Một trăm nghìn triệu đồng",
        "Một linh năm đồng",
        "Một mươi đồng",
        "Âm không đồng",
        "Không không đồng",
        "Tỷ đồng",
        "Một triệu",  # currency missing
        "Hai ba đồng",
        "Một trăm hai mươi ba bốn đồng",
        "Mười hai trăm đồng",
        "năm mươi đồng đồng",
    ],
)
def test_parser_is_strict(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        words_to_amount(text)
    assert "text" == caught.value.field


def test_parser_takes_the_currency_it_is_told() -> None:
    assert 21 == words_to_amount("Hai mươi mốt", currency="")
    assert 5 == words_to_amount("Năm đô la Mỹ chẵn", currency="đô la Mỹ")


# ---- properties --------------------------------------------------------------------------

LIMIT = MAX_AMOUNT_IN_WORDS
# Numbers with many zeros hit the "không trăm", "linh" and skipped-group rules.
sparse = st.lists(st.sampled_from("0000000145"), min_size=1, max_size=27).map(
    lambda digits: int("".join(digits))
)
amounts = st.one_of(
    st.integers(min_value=-2000, max_value=2000),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.integers(min_value=-LIMIT, max_value=LIMIT),
    sparse,
    sparse.map(lambda n: -n),
)
style = st.fixed_dictionaries(
    {
        "zero_tens": st.sampled_from(["linh", "lẻ"]),
        "thousand": st.sampled_from(["nghìn", "ngàn"]),
        "four": st.sampled_from(["tư", "bốn"]),
        "currency": st.sampled_from(["đồng", "", "VND", "đô la Mỹ"]),
        "even_suffix": st.booleans(),
    }
)


@SETTINGS
@given(amounts, style)
def test_round_trip_through_the_parser(amount: int, options: dict[str, object]) -> None:
    text = amount_in_words(amount, **options)  # type: ignore[arg-type]
    assert amount == words_to_amount(text, currency=str(options["currency"]))


@SETTINGS
@given(amounts, style)
def test_shape_of_the_text(amount: int, options: dict[str, object]) -> None:
    text = amount_in_words(amount, **options)  # type: ignore[arg-type]
    assert "  " not in text
    assert text == text.strip()
    assert text[0] == text[0].upper() != text[0].lower()
    number_words = text.split()
    if options["even_suffix"]:
        assert "chẵn" == number_words.pop()
    else:
        assert "chẵn" not in number_words
    currency = str(options["currency"]).split()
    if currency:
        assert currency == number_words[-len(currency) :]
        del number_words[-len(currency) :]
    rest = " ".join(number_words)
    assert rest[1:] == rest[1:].lower()
    assert rest.startswith("Âm ") == (amount < 0)


@SETTINGS
@given(st.integers(min_value=0, max_value=10**12), style)
def test_words_follow_the_reading_rules(amount: int, options: dict[str, object]) -> None:
    words = amount_in_words(amount, **options).lower().split()  # type: ignore[arg-type]
    pairs = list(itertools.pairwise(words))
    assert ("mười", "năm") not in pairs
    assert ("mươi", "năm") not in pairs
    assert ("mươi", "một") not in pairs
    assert ("mười", "mốt") not in pairs
    assert ("mười", "tư") not in pairs
    assert ("linh", "lăm") not in pairs
    assert ("lẻ", "lăm") not in pairs
    if options["four"] == "bốn":
        assert ("mươi", "tư") not in pairs
    other_style = {"linh": "lẻ", "lẻ": "linh", "nghìn": "ngàn", "ngàn": "nghìn"}
    assert other_style[str(options["zero_tens"])] not in words
    assert other_style[str(options["thousand"])] not in words


@SETTINGS
@given(st.text(max_size=40))
def test_parser_raises_only_validation_error(text: str) -> None:
    with contextlib.suppress(ValidationError):
        words_to_amount(text)


VOCABULARY = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
    "trăm", "mười", "mươi", "linh", "lẻ", "mốt", "tư", "lăm", "nghìn", "ngàn", "triệu", "tỷ", "âm",
]  # fmt: skip


def canonical(text: str) -> list[str]:
    """Lower-case words with the style choices folded onto the default style."""
    words = [{"lẻ": "linh", "ngàn": "nghìn"}.get(word, word) for word in text.lower().split()]
    return [
        "tư" if word == "bốn" and index and words[index - 1] == "mươi" else word
        for index, word in enumerate(words)
    ]


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    """A valid reading with one word deleted, replaced or inserted, or random words."""
    if draw(st.booleans()):
        return " ".join(draw(st.lists(st.sampled_from(VOCABULARY), max_size=12)))
    words = amount_in_words(draw(amounts), currency="").lower().split()
    index = draw(st.integers(min_value=0, max_value=len(words)))
    edit = draw(st.sampled_from(["delete", "replace", "insert"]))
    if edit == "insert" or index == len(words):
        words.insert(index, draw(st.sampled_from(VOCABULARY)))
    elif edit == "delete":
        del words[index]
    else:
        words[index] = draw(st.sampled_from(VOCABULARY))
    return " ".join(words)


@SETTINGS
@given(near_misses())
def test_parser_accepts_only_what_the_reader_writes(text: str) -> None:
    try:
        amount = words_to_amount(text, currency="")
    except ValidationError:
        return
    assert canonical(amount_in_words(amount, currency="")) == canonical(text)


def test_parser_refuses_amounts_beyond_the_reader() -> None:
    """Found by hypothesis in CI: 10**27 parses from well-formed words, but is never written."""
    assert MAX_AMOUNT_IN_WORDS == words_to_amount(amount_in_words(MAX_AMOUNT_IN_WORDS))
    with pytest.raises(ValidationError) as caught:
        words_to_amount("một tỷ tỷ tỷ", currency="")
    assert "text" == caught.value.field


# ---- long and hostile texts -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "một " + "tỷ " * 3000 + "đồng",  # was a RecursionError (one level per "tỷ")
        "một tỷ " * 3000 + "đồng",
        "tỷ " * 5000 + "đồng",
        "một " * 100_000 + "đồng",
    ],
)
def test_a_long_text_is_refused_with_a_short_message(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        words_to_amount(text)
    assert "text" == caught.value.field
    assert len(str(caught.value)) < 250


def test_the_word_limit_is_the_longest_reading() -> None:
    """The longest reading up to the limit passes; one word more is refused before parsing."""
    longest = amount_in_words(777_777_777_777_777_777_777_777_777, currency="")
    assert 53 == len(longest.split())
    assert 777_777_777_777_777_777_777_777_777 == words_to_amount(longest, currency="")
    with pytest.raises(ValidationError, match="more than the 53 words"):
        words_to_amount("bảy " + longest, currency="")


def test_a_long_word_is_quoted_short() -> None:
    with pytest.raises(ValidationError) as caught:
        words_to_amount("x" * 5000 + " đồng")
    assert "x" * 61 not in str(caught.value)


@SETTINGS
@given(
    st.lists(st.sampled_from([*VOCABULARY, "đồng", "chẵn"]), min_size=54, max_size=400).map(
        " ".join
    )
)
def test_many_words_raise_only_validation_error(text: str) -> None:
    with pytest.raises(ValidationError):
        words_to_amount(text, currency="")
