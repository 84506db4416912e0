"""Runbook scripts for the HyperCode V2.0 reference stack: bootstrap, deploy/teardown."""
