"""`connectors doctor`: settings, shipped files and a simulator round trip per provider."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.commune.config import load_config
from connectors.commune.doctor import CheckState, diagnose
from connectors.commune.registry import all_specs

runner = CliRunner()

CONFIG = """
[commune]
name = "UBND phường Mẫu"
tax_code = "0100109106"

[payments.vnpay]
tmn_code = "DEMO0001"
[payments.momo]
partner_code = "MOMO"
[payments.payos]
client_id = "demo-client"
[payments.sepay]
accounts = ["0123456789"]

[einvoice]
provider = "{vendor}"
[einvoice.viettel]
base_url = "https://sinvoice.example.test"
username = "0100109106-509"
supplier_tax_code = "0100109106"
[einvoice.vnpt]
base_url = "https://vnpt-invoice.example.test"
account = "sim-admin"
username = "sim-service"
[einvoice.misa]
tax_code = "0100109106"
username = "test-user"

[sms]
providers = ["mobifone", "viettel", "vnpt", "esms"]
[sms.mobifone]
base_url = "https://sms.example.test"
username = "portal-demo"
brandname = "UBNDPHUONG"
[sms.viettel]
base_url = "https://sms-viettel.example.test"
user = "smsbrand_demo"
cp_code = "CP-DEMO"
brandname = "UBNDPHUONG"
[sms.vnpt]
base_url = "https://sms-vnpt.example.test"
agent_id = "AG-DEMO"
api_user = "api-demo"
username = "portal-user"
contract_id = "HD-1"
labels = {{ UBNDPHUONG = "1201" }}
brandname = "UBNDPHUONG"
[sms.esms]
base_url = "https://esms.example.test"
brandname = "UBNDPHUONG"

[feedback]
provider = "ihanoi"
[feedback.ihanoi]
base_url = "https://ihanoi.example.test"
"""

SECRETS = {
    "CONNECTORS_VNPAY_HASH_SECRET": "fake-vnpay-secret-0001",
    "CONNECTORS_MOMO_ACCESS_KEY": "fake-access",
    "CONNECTORS_MOMO_SECRET_KEY": "fake-momo-secret",
    "CONNECTORS_PAYOS_API_KEY": "fake-payos-key",
    "CONNECTORS_PAYOS_CHECKSUM_KEY": "fake-payos-checksum",
    "CONNECTORS_VIETTEL_SINVOICE_PASSWORD": "fake-viettel-password",
    "CONNECTORS_VNPT_INVOICE_ACCOUNT_PASSWORD": "fake-vnpt-account-password",
    "CONNECTORS_VNPT_INVOICE_PASSWORD": "fake-vnpt-password",
    "CONNECTORS_MISA_APP_ID": "FAKE-APP-ID",
    "CONNECTORS_MISA_PASSWORD": "fake-misa-password",
    "CONNECTORS_IHANOI_TOKEN": "fake-ihanoi-token",
    "CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET": "fake-sepay-secret",
    "CONNECTORS_MOBIFONE_PASSWORD": "fake-mobifone-password",
    "CONNECTORS_VIETTEL_PASSWORD": "fake-viettel-sms-password",
    "CONNECTORS_VNPT_API_PASS": "fake-vnpt-sms-password",
    "CONNECTORS_ESMS_API_KEY": "fake-esms-key",
    "CONNECTORS_ESMS_SECRET_KEY": "fake-esms-secret",
}


def write(tmp_path: Path, vendor: str = "viettel", extra: str = "") -> Path:
    path = tmp_path / "connectors.toml"
    path.write_text(CONFIG.format(vendor=vendor) + extra, encoding="utf-8")
    return path


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("secrets")
@pytest.mark.parametrize("vendor", ["viettel", "vnpt", "misa"])
def test_every_configured_provider_is_ready(tmp_path: Path, vendor: str) -> None:
    checks = diagnose(load_config(write(tmp_path, vendor)), all_specs())
    assert [] == [c for c in checks if c.state is not CheckState.READY]
    trips = [c.provider for c in checks if c.check == "simulator round trip"]
    payments = ["payments.vnpay", "payments.momo", "payments.payos", "payments.sepay"]
    expected = [*payments, f"einvoice.{vendor}"]
    sms = ["sms.mobifone", "sms.viettel", "sms.vnpt", "sms.esms"]
    assert [*expected, *sms, "feedback.ihanoi"] == trips


def test_a_missing_secret_names_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        if name != "CONNECTORS_VIETTEL_SINVOICE_PASSWORD":
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("CONNECTORS_VIETTEL_SINVOICE_PASSWORD", raising=False)
    result = runner.invoke(app, ["doctor", "-c", str(write(tmp_path)), "--json"])
    assert int(ExitCode.CHECK_FAILED) == result.exit_code
    document = json.loads(result.stdout)
    [bad] = [c for c in document["checks"] if c["state"] != "ready"]
    assert ("einvoice.viettel", "missing") == (bad["provider"], bad["state"])
    assert "CONNECTORS_VIETTEL_SINVOICE_PASSWORD" in bad["detail"]


@pytest.mark.usefixtures("secrets")
def test_a_secret_written_in_the_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        'tmn_code = "DEMO0001"', 'tmn_code = "DEMO0001"\nhash_secret = "fake-in-file-9"'
    )
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["doctor", "-c", str(path), "--json"])
    assert int(ExitCode.CHECK_FAILED) == result.exit_code
    assert "fake-in-file-9" not in result.stdout
    [bad] = [c for c in json.loads(result.stdout)["checks"] if c["state"] != "ready"]
    assert "CONNECTORS_VNPAY_HASH_SECRET" in bad["detail"]


@pytest.mark.usefixtures("secrets")
def test_an_unknown_provider_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doctor", "-c", str(write(tmp_path, "nosuchvendor")), "--json"])
    assert int(ExitCode.CHECK_FAILED) == result.exit_code
    [bad] = [c for c in json.loads(result.stdout)["checks"] if c["state"] != "ready"]
    assert "unknown provider [einvoice.nosuchvendor]" == bad["detail"]


def test_an_invalid_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[commune]\nname = "x"\ntax_code = "0100109107"\n', encoding="utf-8")
    result = runner.invoke(app, ["doctor", "-c", str(path)])
    assert int(ExitCode.CONFIG) == result.exit_code
    [line] = result.stderr.strip().splitlines()
    assert "commune.tax_code" in line


@pytest.mark.parametrize(
    "source",
    [
        Path(__file__).resolve().parents[2] / "docs" / "vi" / "index.md",
        Path(__file__).resolve().parents[2] / "connectors" / "commune" / "config.py",
    ],
    ids=["vietnamese-guide", "config-docstring"],
)
def test_documented_example_configuration_is_ready(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TOML examples commune IT teams copy pass the doctor, given the secret variables
    the guide lists."""
    [example] = re.findall(r"```toml\n(.*?)```", source.read_text(encoding="utf-8"), re.S)
    for name in (
        "CONNECTORS_VNPAY_HASH_SECRET",
        "CONNECTORS_VIETTEL_SINVOICE_PASSWORD",
        "CONNECTORS_MOBIFONE_PASSWORD",
        "CONNECTORS_VIETTEL_PASSWORD",
        "CONNECTORS_IHANOI_TOKEN",
    ):
        monkeypatch.setenv(name, f"fake-{name.lower()}")
    path = tmp_path / "connectors.toml"
    path.write_text(example, encoding="utf-8")
    checks = diagnose(load_config(path), all_specs())
    assert [] == [c for c in checks if c.state is not CheckState.READY]


@pytest.mark.usefixtures("secrets")
def test_a_bad_brandname_is_refused_with_the_settings(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'brandname = "UBNDPHUONG"', 'brandname = "UBND-X"', 1
        ),
        encoding="utf-8",
    )
    checks = diagnose(load_config(path), all_specs())
    [bad] = [c for c in checks if c.state is not CheckState.READY]
    assert ("sms.mobifone", "settings", CheckState.MISSING) == (bad.provider, bad.check, bad.state)
    assert "brandname (CONNECTORS_MOBIFONE_BRANDNAME)" in bad.detail
