"""Runnable examples a portal developer copies from (each runs on 127.0.0.1 only).

- `ipn_wsgi`: a portal's IPN endpoint as plain WSGI, paid through simulated VNPay
  (`python -m connectors.testing.examples.ipn_wsgi`).
"""
