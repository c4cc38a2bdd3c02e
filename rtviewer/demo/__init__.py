"""Deterministic generator of the built-in teaching patients."""
