"""The ihanoi domain."""
