"""HyperCode readiness library: models, backends, parsers and operations (no pytest)."""
