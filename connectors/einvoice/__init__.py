"""The einvoice domain."""
