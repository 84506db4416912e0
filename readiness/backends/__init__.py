"""Backends: how facts are read from engines, hosts and services."""
