"""Tax-authority e-invoice XML: build+sign and verify, against bare RSA-SHA256, by line count.

    python -m benchmarks.einvoice [--quick]

Build+sign is `signed_hdon` (the `HDon` tree built from an `HDonDocument`, checked against
the shipped schema, signed with two XMLDSig references, serialised) against one bare
`private_key.sign(data, PKCS1v15, SHA256)` of the same serialised size. Verify is
`verify_hdon(bytes, trusted_certificate=...)` (parse, references, digests, signature,
certificate validity at the signing time) against one bare `public_key.verify` of the
same size. Each at 1, 10, 100 and 1,000 lines; the rows are the 1-line ratios and the
1,000-line verify ratio, the chart is milliseconds per document against lines. The
RSA-2048 key is generated in memory for the run.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from benchmarks.harness import (
    Chart,
    Outcome,
    Row,
    Series,
    fmt_seconds,
    paired,
    print_rows,
    repeat,
)
from connectors.einvoice import Invoice, Line, Seller
from connectors.einvoice.gdt import (
    SellerCredentials,
    document_from_model,
    generate_test_credentials,
    signed_hdon,
    verify_hdon,
)

SIGNED_AT = datetime(2025, 6, 1, 2, 30, tzinfo=UTC)
SIZES = (1, 10, 100, 1000)


def invoice(lines: int) -> Invoice:
    """A VAT invoice of `lines` lines (fake seller, fake goods)."""
    return Invoice(
        seller=Seller(name="UBND Phường Thử Nghiệm", tax_code="0100109106", address="Hà Nội"),
        template="1",
        symbol="C25TAA",
        issued_at=SIGNED_AT,
        lines=[
            Line(
                name=f"Dịch vụ sao lục {i}", unit="bộ", quantity=2, unit_price=1_006, tax_rate="10%"
            )
            for i in range(lines)
        ],
    )


def measure(quick: bool = False) -> Outcome:
    """Build+sign and verify at each size; rows at 1 and 1,000 lines."""
    credentials: SellerCredentials = generate_test_credentials()
    key, cert = credentials.private_key, credentials.certificate
    public = key.public_key()
    rounds = 5 if quick else 11
    sign_series, verify_series = Series("build+sign"), Series("verify")
    bare_sign, bare_verify = Series("bare RSA sign"), Series("bare RSA verify")
    rows: list[Row] = []
    for size in SIZES:
        document = document_from_model(invoice(size), number=size)
        data = signed_hdon(document, credentials, signing_time=SIGNED_AT)
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        n = max(1, (20 if quick else 40) // size)

        def build_sign() -> object:
            return signed_hdon(document, credentials, signing_time=SIGNED_AT)  # noqa: B023

        def bare_signing() -> object:
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())  # noqa: B023

        def verify() -> object:
            return verify_hdon(data, trusted_certificate=cert)  # noqa: B023

        def bare_verifying() -> object:
            return public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())  # noqa: B023

        signing = paired(repeat(build_sign, n), repeat(bare_signing, n), rounds=rounds)
        checking = paired(repeat(verify, n), repeat(bare_verifying, n), rounds=rounds)
        sign_series.points.append((size, signing.ours / n * 1e3))
        verify_series.points.append((size, checking.ours / n * 1e3))
        bare_sign.points.append((size, signing.base / n * 1e3))
        bare_verify.points.append((size, checking.base / n * 1e3))
        kb = f"{len(data) / 1024:.0f} KB"
        if size == 1:
            rows.append(
                Row(
                    "einvoice.sign_1",
                    "e-invoice build+sign, 1 line",
                    signing.ratio,
                    "<= 1.5x",
                    f"ours {fmt_seconds(signing.ours / n)}, bare RSA-SHA256 sign "
                    f"{fmt_seconds(signing.base / n)} ({kb})",
                    1.5,
                )
            )
        if size in (1, 1000):
            rows.append(
                Row(
                    f"einvoice.verify_{size}",
                    f"e-invoice verify, {size:,} line{'s' if size > 1 else ''}",
                    checking.ratio,
                    "<= 10x" if size == 1 else "linear in lines",
                    f"ours {fmt_seconds(checking.ours / n)}, bare RSA verify "
                    f"{fmt_seconds(checking.base / n)} ({kb})",
                    10.0 if size == 1 else None,
                )
            )
    chart = Chart(
        "einvoice_lines",
        "E-invoice cost per document against line count",
        "invoice lines",
        "ms per document",
        [sign_series, verify_series, bare_sign, bare_verify],
        log_y=True,
    )
    return Outcome(rows, [chart])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    outcome = measure(parser.parse_args().quick)
    for series in outcome.charts[0].series:
        points = ", ".join(f"{int(x)}: {y:.2f} ms" for x, y in series.points)
        print(f"{series.name:<16}{points}")
    print()
    print_rows(outcome.rows)


if __name__ == "__main__":
    main()
