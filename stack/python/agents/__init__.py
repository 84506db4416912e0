"""HyperCode agent swarm: crew-orchestrator and project-strategist (small HTTP agents)."""
