"""Seed phase 2: the agent swarm answers on the platform network and sees the platform."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.evidence import attach
from fixtures.fix_postdeploy import agent_id
from readiness.backends.http import Answer
from readiness.model.manifest import AgentProbe
from readiness.model.masking import Masker


@check("AGT-01")
def test_agent_answers(agent: AgentProbe, agent_answers: dict[str, Answer], masker: Masker) -> None:
    """The agent answers on the internal network with the declared status and content."""
    answer = agent_answers[agent.service]
    where = agent_id(agent)
    missing = [text for text in agent.contains if text not in answer.body]
    if answer.error or answer.status != agent.status or missing:
        attach(f"{agent.service} answer", answer.describe(), masker)
    assert not answer.error, f"{where}: answer: expected HTTP {agent.status}, got {answer.error}"
    assert answer.status == agent.status, (
        f"{where}: status: expected {agent.status}, got {answer.status}"
    )
    assert not missing, f"{where}: body: expected to contain {missing}, got {answer.body[:200]!r}"
