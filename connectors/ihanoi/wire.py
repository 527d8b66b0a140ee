"""Deprecated: `connectors.ihanoi.contract.wire` is the modelled contract's wire module."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__,
    {
        name: f"connectors.ihanoi.contract.wire:{name}"
        for name in (
            "DECODE_ERRORS",
            "ContractVerifier",
            "canonical_json",
            "decode_attachments",
            "decode_error",
            "decode_event",
            "decode_feedback",
            "decode_new_feedback",
            "decode_page",
            "decode_submission",
            "encode_attachments",
            "encode_event",
            "encode_feedback",
            "encode_new_feedback",
            "encode_page",
            "encode_submission",
            "encode_update",
            "error_body",
            "format_dt",
            "parse_dt",
            "rename_in",
            "rename_out",
            "webhook_headers",
        )
    },
)
