"""Root conftest: loads the readiness plugin; nothing else."""

pytest_plugins = ("fixtures.plugin",)
