"""Rollback checks: backup, restore and rollback proven to work."""
