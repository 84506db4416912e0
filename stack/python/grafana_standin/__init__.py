"""Grafana stand-in.

Real Grafana is not installable on this machine (no container registry, not packaged in Debian),
so this tiny service imitates the parts of Grafana's HTTP API the readiness checks use:
GET /api/health, GET /api/user (basic auth), POST /login (JSON). Only admin with
GF_SECURITY_ADMIN_PASSWORD is accepted; the default admin/admin is rejected.
"""
