"""What `connectors outbox run` imports (after `django.setup()`):

    cd examples/django_portal
    connectors outbox run --tasks fees.tasks:fee_tasks --config connectors.toml \
        --django-settings mysite.settings
"""

from fees.portal import fee_tasks

__all__ = ["fee_tasks"]
