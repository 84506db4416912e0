"""Readers of configuration and evidence: nginx, audits, TLS, secrets, drift, monitoring."""
