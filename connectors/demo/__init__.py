"""`connectors demo`: the library's main job, end to end on the bundled simulators."""

from connectors.demo.runner import DemoResult, run

__all__ = ["DemoResult", "run"]
