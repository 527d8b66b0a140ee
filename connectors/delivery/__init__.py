"""The delivery domain."""
