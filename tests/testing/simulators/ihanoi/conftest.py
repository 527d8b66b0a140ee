"""The iHanoi tests' fixtures (the simulator, clients talking to it in process)."""

from tests.ihanoi.conftest import client, mounted, open311, sim

__all__ = ["client", "mounted", "open311", "sim"]
