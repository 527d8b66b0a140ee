"""`connectors.banks.hmac_hex` signs as `HmacSigner` does, and refuses an empty secret."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from connectors.banks.hmac_hex import hmac_hex, same
from connectors.core.errors import ConfigError
from connectors.core.signing import HmacSigner


@given(st.text(min_size=1), st.text(), st.sampled_from(["sha256", "sha512"]))
def test_hmac_hex_is_the_core_signers_signature(secret: str, text: str, algorithm: str) -> None:
    expected = HmacSigner(secret, algorithm).sign(text)  # type: ignore[arg-type]
    assert expected == hmac_hex(secret, text, algorithm)
    assert expected == hmac_hex(SecretStr(secret), text, algorithm)
    assert expected == hmac_hex(secret.encode(), text, algorithm)


@pytest.mark.parametrize("secret", ["", b"", SecretStr("")])
def test_an_empty_secret_is_a_config_error(secret: str | bytes | SecretStr) -> None:
    with pytest.raises(ConfigError) as caught:
        hmac_hex(secret, "data", "sha256")
    assert "secret" == caught.value.field


@given(st.text(), st.text())
def test_same_is_equality(a: str, b: str) -> None:
    assert (a == b) == same(a, b)
