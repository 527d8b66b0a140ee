"""`load`: the TOML file and the environment, validated into each provider's settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.commune import CommuneConfig, SecretInFile, build, load
from connectors.core import ConfigError
from connectors.delivery import SqliteOutbox
from connectors.einvoice import Seller

FILE = """
[commune]
name = "UBND phường Mẫu"
tax_code = "0100109106"
address = "Số 1 Phố Thử, Hà Nội"
agency_code = "UBND-PHUONG-MAU"
outbox = "queue/outbox.db"

[payments.vnpay]
tmn_code = "DEMO0001"
base_url = "https://sandbox.vnpayment.vn"

[einvoice]
provider = "viettel"
[einvoice.viettel]
base_url = "https://sinvoice.example.test"
username = "0100109106-509"
supplier_tax_code = "0100109106"

[sms]
providers = ["mobifone", "viettel"]
[sms.mobifone]
base_url = "https://sms.example.test"
username = "ubnd-mau"
brandname = "UBNDPMAU"
[sms.viettel]
base_url = "https://bulksms.example.test"
user = "ubnd-mau"
cp_code = "CP-MAU"
brandname = "UBNDPMAU"
[sms.templates.paid]
text = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"
vendor_ids = { vnpt = "40021" }

[feedback]
provider = "ihanoi"
[feedback.ihanoi]
base_url = "https://ihanoi.example.test"
"""

SECRETS = {
    "CONNECTORS_VNPAY_HASH_SECRET": "fake-vnpay-secret",
    "CONNECTORS_VIETTEL_SINVOICE_PASSWORD": "fake-sinvoice-password",
    "CONNECTORS_MOBIFONE_PASSWORD": "fake-mobifone-password",
    "CONNECTORS_VIETTEL_PASSWORD": "fake-viettel-sms-password",
    "CONNECTORS_IHANOI_TOKEN": "fake-ihanoi-token",
}


def write(tmp_path: Path, text: str = FILE) -> Path:
    path = tmp_path / "etc" / "connectors.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def secret(config: CommuneConfig, section: str, name: str, field: str) -> str:
    value = getattr(config.settings(section, name), field)
    assert isinstance(value, SecretStr)
    return value.get_secret_value()


def test_settings_from_the_file_and_secrets_from_the_environment(tmp_path: Path) -> None:
    config = load(write(tmp_path), environ=SECRETS)
    assert [
        ("payments", "vnpay"),
        ("einvoice", "viettel"),
        ("sms", "mobifone"),
        ("sms", "viettel"),
        ("feedback", "ihanoi"),
    ] == [(entry.section, entry.name) for entry in config.providers()]
    assert "fake-vnpay-secret" == secret(config, "payments", "vnpay", "hash_secret")
    assert "fake-ihanoi-token" == secret(config, "feedback", "ihanoi", "token")
    assert config.einvoice is not None
    assert type(config.einvoice.settings).__name__.endswith("Settings")
    assert "0100109106-509" == config.settings("einvoice", "viettel").username  # type: ignore[attr-defined]
    assert ["mobifone", "viettel"] == [entry.name for entry in config.sms]
    assert str(tmp_path / "etc" / "queue" / "outbox.db") == config.outbox
    assert Seller(
        name="UBND phường Mẫu", tax_code="0100109106", address="Số 1 Phố Thử, Hà Nội"
    ) == (config.seller)


def test_templates_belong_to_the_sms_providers_brandname(tmp_path: Path) -> None:
    config = load(write(tmp_path), environ=SECRETS)
    [template] = config.templates
    assert ("paid", "UBNDPMAU", {"vnpt": "40021"}) == (
        template.id,
        template.brandname,
        dict(template.vendor_ids),
    )


def test_the_process_environment_is_read_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CONNECTORS_VNPAY_HTTP__READ_TIMEOUT", "2.5")
    monkeypatch.setenv("CONNECTORS_VNPAY_TMN_CODE", "FROMENV1")  # the file's value wins
    config = load(write(tmp_path))
    vnpay = config.settings("payments", "vnpay")
    assert ("DEMO0001", 2.5) == (vnpay.tmn_code, vnpay.http.read_timeout)  # type: ignore[attr-defined]
    assert "fake-mobifone-password" == secret(config, "sms", "mobifone", "password")


def test_a_secret_in_the_file_names_the_variable_to_use_and_not_its_value(tmp_path: Path) -> None:
    text = FILE.replace('tmn_code = "DEMO0001"', 'tmn_code = "DEMO0001"\nhash_secret = "in-file-9"')
    with pytest.raises(SecretInFile) as caught:
        load(write(tmp_path, text), environ=SECRETS)
    assert "payments.vnpay.hash_secret" == caught.value.field
    assert "CONNECTORS_VNPAY_HASH_SECRET" in str(caught.value)
    assert "in-file-9" not in str(caught.value)
    assert isinstance(caught.value, ConfigError)


def test_a_missing_secret_names_its_variable(tmp_path: Path) -> None:
    environ = {k: v for k, v in SECRETS.items() if k != "CONNECTORS_MOBIFONE_PASSWORD"}
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path), environ=environ)
    assert "sms.mobifone.password" == caught.value.field
    assert "CONNECTORS_MOBIFONE_PASSWORD" in str(caught.value)


@pytest.mark.parametrize(
    ("before", "after", "field"),
    [
        ('provider = "viettel"', 'provider = "nosuch"', "einvoice.nosuch"),
        ('username = "ubnd-mau"', 'username = "ubnd-mau"\ncolour = "red"', "sms.mobifone.colour"),
        ('brandname = "UBNDPMAU"', 'brandname = "UBND-X"', "sms.mobifone.brandname"),
        ("[sms.templates.paid]", "[sms.templates.paid]\nbrandname = 'NO SUCH'", "sms.templates"),
        ('text = "Ho so', 'text = "Hồ sơ', "sms.templates.paid.text"),
    ],
)
def test_an_invalid_table_names_the_field(
    tmp_path: Path, before: str, after: str, field: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, FILE.replace(before, after, 1)), environ=SECRETS)
    assert (caught.value.field or "").startswith(field)


def test_a_template_needs_a_brandname(tmp_path: Path) -> None:
    text = FILE.replace('brandname = "UBNDPMAU"\n', "")
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text), environ=SECRETS)
    assert "sms.templates.paid.brandname" == caught.value.field


def test_what_is_not_configured_is_said(tmp_path: Path) -> None:
    text = FILE.replace('address = "Số 1 Phố Thử, Hà Nội"\n', "")
    config = load(write(tmp_path, text), environ=SECRETS)
    with pytest.raises(ConfigError) as caught:
        _ = config.seller
    assert "commune.address" == caught.value.field
    with pytest.raises(ConfigError) as caught:
        config.settings("einvoice", "misa")
    assert "einvoice.misa" == caught.value.field


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration file"):
        load(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path)  # a folder


@pytest.mark.parametrize(
    "source",
    [
        Path(__file__).resolve().parents[2] / "docs" / "vi" / "index.md",
        Path(__file__).resolve().parents[2] / "connectors" / "commune" / "config.py",
        Path(__file__).resolve().parents[2] / "docs" / "quickstart.md",
    ],
    ids=["vietnamese-guide", "config-docstring", "quickstart"],
)
def test_the_documented_configurations_load_and_build(source: Path, tmp_path: Path) -> None:
    [example] = re.findall(r"```toml\n(.*?)```", source.read_text(encoding="utf-8"), re.S)
    config = load(write(tmp_path, example), environ=SECRETS)
    with build(config) as adapters:
        assert config.einvoice is not None
        assert config.einvoice.name == adapters.invoices.name
        brandnames = {getattr(entry.settings, "brandname", None) for entry in config.sms}
        assert {("paid", name) for name in brandnames} == {
            (template.id, template.brandname) for template in config.templates
        }
        assert isinstance(adapters.outbox, SqliteOutbox)
    assert (tmp_path / "etc" / "outbox.db").is_file()
