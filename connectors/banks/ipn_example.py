"""Deprecated: the example is `connectors.testing.examples.ipn_wsgi`.

`python -m connectors.banks.ipn_example` still runs it (with a warning) for one release;
run `python -m connectors.testing.examples.ipn_wsgi` instead.
"""

from connectors.core.deprecation import moved, warn_deprecated

_NEW = "connectors.testing.examples.ipn_wsgi"
__getattr__ = moved(__name__, {"PortalApp": _NEW + ":PortalApp", "main": _NEW + ":main"})

if __name__ == "__main__":  # pragma: no cover - the old command line
    warn_deprecated("python -m connectors.banks.ipn_example", f"python -m {_NEW}", stacklevel=2)
    from connectors.testing.examples.ipn_wsgi import main

    raise SystemExit(main())
