"""Domain conformance suites: the same checks, run unchanged against every provider.

Each module (`banks`, `einvoice`, `sms`, `ihanoi`) holds one suite for one domain. A suite is a
plain class of test methods parametrised by a *harness* the provider's tests supply (how to
build the client against its simulator, how to drive the simulator). Unlike the rest of
`connectors.testing`, these modules import their domain's `base` module (protocols and
models only); nothing in the simulator kit imports them. `maybe_sent` holds the "maybe
sent" fault matrix the suites share (a vendor that acted, then spoilt its answer).
"""
