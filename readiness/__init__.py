"""The readiness library: model, backends, parsers, operations and reports (no pytest)."""
