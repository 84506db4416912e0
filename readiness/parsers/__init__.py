"""Parsers: pure functions from plain data to findings."""
