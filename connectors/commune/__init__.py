"""The commune's configuration: one TOML file plus the environment, and ready adapters.

    from connectors.commune import build, load

    config = load("connectors.toml")     # settings from the file, secrets from CONNECTORS_*
    with build(config) as adapters:      # every configured provider's client, and the outbox
        ...

`load` validates each provider's table into its settings class (a secret written in the
file, or one missing from the environment, is a `ConfigError` naming the variable);
`build` returns `Adapters`. The portal, `connectors doctor`, `connectors outbox` and the demo
all read the configuration this way: switching vendors is an edit of the file only.
"""

from connectors.commune.adapters import Adapters, build, client_for
from connectors.commune.config import CommuneInfo, TemplateTable
from connectors.commune.loading import (
    CommuneConfig,
    ProviderConfig,
    SecretInFile,
    environment_variable,
    load,
    settings_for,
)

__all__ = [
    "Adapters",
    "CommuneConfig",
    "CommuneInfo",
    "ProviderConfig",
    "SecretInFile",
    "TemplateTable",
    "build",
    "client_for",
    "environment_variable",
    "load",
    "settings_for",
]
