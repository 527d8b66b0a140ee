"""The commune's TOML file: validated with errors naming the field, secrets kept out."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.commune.config import load_config, sections
from connectors.core import ConfigError

GOOD = """
[commune]
name = "UBND phường Mẫu"
tax_code = "0100109106"

[payments.vnpay]
tmn_code = "DEMO0001"

[einvoice]
provider = "viettel"
[einvoice.viettel]
username = "demo"

[sms]
providers = ["mobifone", "viettel"]
[sms.mobifone]
username = "demo"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "connectors.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sections_in_file_order(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert "0100109106" == config.commune.tax_code
    assert [
        ("payments", "vnpay", {"tmn_code": "DEMO0001"}),
        ("einvoice", "viettel", {"username": "demo"}),
        ("sms", "mobifone", {"username": "demo"}),
        ("sms", "viettel", {}),
    ] == [(s.domain, s.name, s.values) for s in sections(config)]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.replace("0100109106", "0100109107"), "commune.tax_code"),
        (GOOD.replace('providers = ["mobifone", "viettel"]', "providers = []"), "sms.providers"),
        (GOOD + "\n[unknown]\nx = 1\n", "unknown"),
        (GOOD.replace('name = "UBND phường Mẫu"\n', ""), "commune.name"),
    ],
)
def test_invalid_files_name_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert field == caught.value.field


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[commune\n"))


def test_the_old_name_of_the_file_model_warns_and_is_the_new_one() -> None:
    import connectors.commune.config as module

    with pytest.warns(DeprecationWarning, match="CommuneFile"):
        old = module.CommuneConfig
    assert module.CommuneFile is old


def test_public_names() -> None:
    import connectors.commune
    import connectors.delivery

    for package in (connectors.commune, connectors.delivery):
        assert sorted(package.__all__) == sorted(set(package.__all__))
        assert all(hasattr(package, name) for name in package.__all__)
    assert {"load", "build", "Adapters", "CommuneConfig", "SecretInFile"} <= set(
        connectors.commune.__all__
    )
    assert {"FeePaid", "FeeLine", "Citizen", "FeeFlow", "fee_steps"} <= set(
        connectors.delivery.__all__
    )
