"""The bank directory for VietQR: banks keyed by their NAPAS BIN (acquirer id, tag 38/01/00).

Source: specs/payments.md section 2.3 (a 2025-era snapshot of a public library's table,
confidence [S]). Short codes differ between sources (this table's "VPB" vs NAPAS "ICB" for
VietinBank...), so the BIN is the key; names and codes are only for look-up and display.
Some BINs were re-used after renames (970414 OceanBank -> MBV, 970406 DongA -> Vikki).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from connectors.core.errors import ValidationError

__all__ = [
    "BANKS",
    "Bank",
    "UnknownBank",
    "bank_by_bin",
    "bank_by_short_name",
    "find_bank",
]


class UnknownBank(ValidationError, LookupError):
    """No bank in the directory has that BIN or short name."""


@dataclass(frozen=True, slots=True)
class Bank:
    """A bank reachable by NAPAS 247 QR: its 6-digit BIN, short name and other codes."""

    bin: str
    short_name: str
    codes: tuple[str, ...] = ()


_ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("970432", "VPBank", ("VPB",)),
    ("970436", "Vietcombank", ("VCB",)),
    ("970415", "VietinBank", ("CTG", "ICB")),
    ("970418", "BIDV", ("BID",)),
    ("970405", "Agribank", ()),
    ("970407", "Techcombank", ()),
    ("970422", "MB Bank", ()),
    ("970416", "ACB", ()),
    ("970403", "Sacombank", ()),
    ("970423", "TPBank", ()),
    ("970441", "VIB", ()),
    ("970443", "SHB", ()),
    ("970437", "HDBank", ()),
    ("970440", "SeABank", ()),
    ("970426", "MSB", ()),
    ("970448", "OCB", ()),
    ("970431", "Eximbank", ()),
    ("970449", "LPBank", ("LienVietPostBank",)),
    ("970419", "NCB", ()),
    ("970428", "Nam A", ()),
    ("970409", "BacA", ()),
    ("970425", "ABBank", ()),
    ("970438", "BaoViet", ()),
    ("970454", "BVBank", ()),
    ("970452", "KienlongBank", ()),
    ("970430", "PGBank", ()),
    ("970412", "PVcomBank", ()),
    ("970400", "SaigonBank", ()),
    ("970429", "SCB", ()),
    ("970427", "VietABank", ()),
    ("970433", "VietBank", ()),
    ("970444", "CBBank", ()),
    ("970446", "Co-opBank", ()),
    ("970408", "GPBank", ()),
    ("970424", "Shinhan", ()),
    ("970457", "Woori", ()),
    ("970458", "UOB", ()),
    ("970410", "Standard Chartered", ()),
    ("970439", "Public Bank", ()),
    ("970442", "Hong Leong", ()),
    ("970455", "IBK HN", ()),
    ("970456", "IBK HCM", ()),
    ("970462", "Kookmin HN", ()),
    ("970463", "Kookmin HCM", ()),
    ("970434", "Indovina", ()),
    ("970421", "VRB", ()),
    ("546034", "CAKE by VPBank", ()),
    ("546035", "Ubank by VPBank", ()),
    ("963388", "Timo", ()),
    ("963369", "Liobank", ()),
    ("422589", "CIMB", ()),
    ("458761", "HSBC", ()),
    ("796500", "DBS", ()),
    ("668888", "KBank", ()),
    ("801011", "Nonghyup", ()),
    ("971025", "MoMo", ()),
)

BANKS: Mapping[str, Bank] = MappingProxyType(
    {bin_: Bank(bin_, name, codes) for bin_, name, codes in _ROWS}
)
"""Every known bank, by BIN (read-only)."""

_BIN = re.compile(r"\A[0-9]{6}\Z")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _name_key(name: str) -> str:
    return _NOT_ALNUM.sub("", name.casefold())


_BY_NAME: Mapping[str, Bank] = MappingProxyType(
    {_name_key(alias): bank for bank in BANKS.values() for alias in (bank.short_name, *bank.codes)}
)


def bank_by_bin(bin: str) -> Bank:
    """The bank with this 6-digit BIN; `UnknownBank` (field "bin") if none."""
    if not isinstance(bin, str) or not _BIN.match(bin):
        raise UnknownBank(f"a BIN is 6 digits, got {bin!r}", field="bin")
    try:
        return BANKS[bin]
    except KeyError:
        raise UnknownBank(f"no bank with BIN {bin} in the directory", field="bin") from None


def bank_by_short_name(name: str) -> Bank:
    """The bank with this short name or code ("VPBank", "vp bank", "VPB", "ICB"...).

    Case, spaces, dots and hyphens are ignored. `UnknownBank` (field "short_name") if none.
    """
    key = _name_key(name) if isinstance(name, str) else ""
    bank = _BY_NAME.get(key) if key else None
    if bank is None:
        raise UnknownBank(f"no bank named {name!r} in the directory", field="short_name")
    return bank


def find_bank(key: str) -> Bank | None:
    """The bank for a BIN or a short name/code, or None when nothing matches."""
    if isinstance(key, str) and _BIN.match(key):
        return BANKS.get(key)
    try:
        return bank_by_short_name(key)
    except UnknownBank:
        return None
