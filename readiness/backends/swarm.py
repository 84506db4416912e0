"""The live side of a Swarm stack: one services listing and one tasks listing, from a manager.

A stack deployed with ``docker stack deploy`` has no containers a manager can inspect (they live
on the nodes), so the backend maps what the manager knows into the shape the post-deploy checks
already read (:class:`readiness.backends.engine.LiveStack`): one inspect-like document per current
task. A task's state is the container's: Swarm holds a task with a healthcheck in ``starting``
until the check passes, so ``running`` means running and healthy. Limits come from the service
spec; networks from the task's attachments (``ingress`` left out: it is the routing mesh, not a
declared network); published host-mode ports from the task's port status.

The raw service specs and every task (old ones too, for their errors) are kept in
:class:`SwarmStack` for the Swarm-specific checks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from readiness.backends.engine import PROJECT_LABEL, SERVICE_LABEL, LiveStack
from readiness.model.errors import ProbeError

STACK_LABEL = "com.docker.stack.namespace"
INGRESS = "ingress"

_PENDING = {"new", "pending", "assigned", "accepted", "preparing", "ready", "starting"}
_STATE = {"running": "running", "complete": "exited", "shutdown": "exited", "failed": "exited"}


@dataclass(frozen=True)
class SwarmService:
    """One service of the stack as the manager sees it: its spec and every task it has had."""

    name: str
    """The compose service name (the stack prefix removed)."""
    spec: dict[str, Any]
    endpoint: dict[str, Any]
    tasks: list[dict[str, Any]] = field(default_factory=list)
    previous_spec: dict[str, Any] = field(default_factory=dict)
    update_status: dict[str, Any] = field(default_factory=dict)

    @property
    def replicas(self) -> int | None:
        """Desired replicas (None for a global service: one per eligible node)."""
        mode = self.spec.get("Mode") or {}
        if "Replicated" in mode:
            return int((mode["Replicated"] or {}).get("Replicas") or 0)
        return None

    @property
    def current(self) -> list[dict[str, Any]]:
        """The tasks Swarm wants running (not the replaced or shut-down ones)."""
        return [t for t in self.tasks if t.get("DesiredState") == "running"]

    @property
    def running(self) -> list[dict[str, Any]]:
        """Current tasks whose state is running (healthy when the service has a healthcheck)."""
        return [t for t in self.current if task_state(t) == "running"]

    @property
    def container_spec(self) -> dict[str, Any]:
        """``TaskTemplate.ContainerSpec`` of the service spec."""
        return dict((self.spec.get("TaskTemplate") or {}).get("ContainerSpec") or {})

    @property
    def limits(self) -> dict[str, Any]:
        """``TaskTemplate.Resources.Limits`` (NanoCPUs, MemoryBytes); empty when none."""
        resources = (self.spec.get("TaskTemplate") or {}).get("Resources") or {}
        return dict(resources.get("Limits") or {})

    @property
    def ports(self) -> list[dict[str, Any]]:
        """Published ports of the spec (PublishedPort, TargetPort, Protocol, PublishMode)."""
        return list((self.spec.get("EndpointSpec") or {}).get("Ports") or [])

    @property
    def network_names(self) -> list[str]:
        """Names of the networks the spec attaches (from the tasks, which carry the names)."""
        names: set[str] = set()
        for task in self.current:
            for attachment in task.get("NetworksAttachments") or []:
                name = ((attachment.get("Network") or {}).get("Spec") or {}).get("Name", "")
                if name and name != INGRESS:
                    names.add(name)
        return sorted(names)

    def last_error(self) -> str:
        """The newest task error or status message of a task that is not running ('' if none)."""
        for task in sorted(self.tasks, key=lambda t: str(t.get("UpdatedAt", "")), reverse=True):
            status = task.get("Status") or {}
            if status.get("State") != "running" and (status.get("Err") or status.get("Message")):
                return f"{status.get('State')}: {status.get('Err') or status.get('Message')}"
        return ""


@dataclass(frozen=True)
class SwarmStack:
    """The stack's services by compose service name, and the networks the manager knows."""

    stack: str
    services: dict[str, SwarmService] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str = ""
    nodes: dict[str, str] = field(default_factory=dict)
    """Node ID -> the node's address (``Status.Addr``), where its host-mode ports answer."""

    @property
    def ok(self) -> bool:
        """True when the manager answered."""
        return not self.error

    def published_address(self, port: int) -> str:
        """The node address where ``port`` is published: the node of a running task for a
        host-mode port, any node for an ingress one; ProbeError when no service publishes it."""
        for service in self.services.values():
            for spec_port in service.ports:
                if int(spec_port.get("PublishedPort") or 0) != port:
                    continue
                if spec_port.get("PublishMode") != "host":
                    return next(iter(sorted(self.nodes.values())), "")
                for task in service.running:
                    if address := self.nodes.get(str(task.get("NodeID", ""))):
                        return address
                raise ProbeError(
                    f"Could not check: port {port} is published in host mode by service "
                    f"{service.name}, which has no running task on a node with an address"
                )
        raise ProbeError(f"Could not check: no service of stack {self.stack} publishes port {port}")


def task_state(task: dict[str, Any]) -> str:
    """The task's observed state (``running``, ``starting``, ``failed`` ...)."""
    return str((task.get("Status") or {}).get("State", "unknown"))


def service_name(spec_name: str, stack: str) -> str:
    """``<stack>_<service>`` -> ``<service>``."""
    prefix = f"{stack}_"
    return spec_name[len(prefix) :] if spec_name.startswith(prefix) else spec_name


def list_stack(client: Any, stack: str) -> SwarmStack:
    """The stack's services, tasks and the networks: three listings, whatever the task count."""
    import docker

    api = client.api
    label = {"label": f"{STACK_LABEL}={stack}"}
    try:
        services = api.services(filters=label)
        ids = [str(s["ID"]) for s in services]
        tasks = api.tasks(filters={"service": ids}) if ids else []
        networks = api.networks()  # all of them: a service may join one the stack did not make
        nodes = api.nodes()
    except docker.errors.DockerException as exc:
        return SwarmStack(stack, error=f"Swarm manager did not answer: {exc}")
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        by_id[str(task.get("ServiceID", ""))].append(dict(task))
    found: dict[str, SwarmService] = {}
    for raw in services:
        spec = dict(raw.get("Spec") or {})
        name = service_name(str(spec.get("Name", "")), stack)
        found[name] = SwarmService(
            name,
            spec,
            dict(raw.get("Endpoint") or {}),
            by_id[raw["ID"]],
            dict(raw.get("PreviousSpec") or {}),
            dict(raw.get("UpdateStatus") or {}),
        )
    nets = {str(n.get("Name", "")): dict(n) for n in networks}
    addrs = {str(n.get("ID", "")): node_address(n) for n in nodes}
    return SwarmStack(stack, dict(sorted(found.items())), dict(sorted(nets.items())), nodes=addrs)


def node_address(node: dict[str, Any]) -> str:
    """``Status.Addr``; a manager that reports 0.0.0.0 there is read from its manager address."""
    address = str((node.get("Status") or {}).get("Addr", ""))
    if address in ("", "0.0.0.0"):
        address = str((node.get("ManagerStatus") or {}).get("Addr", "")).rsplit(":", 1)[0]
    return address


def as_live(swarm: SwarmStack, engine_version: str = "") -> LiveStack:
    """The stack in the shape the post-deploy checks read: one document per current task."""
    if not swarm.ok:
        return LiveStack(error=swarm.error)
    containers = {
        name: [_task_doc(swarm.stack, service, task) for task in _ordered(service.current)]
        for name, service in swarm.services.items()
    }
    return LiveStack({k: v for k, v in containers.items() if v}, engine_version)


def _ordered(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(tasks, key=lambda t: (int(t.get("Slot") or 0), str(t.get("NodeID", ""))))


def _task_doc(stack: str, service: SwarmService, task: dict[str, Any]) -> dict[str, Any]:
    state = task_state(task)
    spec = service.container_spec
    healthcheck = spec.get("Healthcheck") or {}
    has_check = bool(healthcheck.get("Test")) and healthcheck.get("Test") != ["NONE"]
    status = "created" if state in _PENDING else _STATE.get(state, state)
    doc_state: dict[str, Any] = {
        "Status": status,
        "Running": status == "running",
        "StartedAt": str((task.get("Status") or {}).get("Timestamp", "")),
    }
    if has_check:
        health = (
            "healthy" if state == "running" else "starting" if state in _PENDING else "unhealthy"
        )
        doc_state["Health"] = {"Status": health, "Log": []}
    if state not in ("running", *_PENDING):
        doc_state["Error"] = str((task.get("Status") or {}).get("Err", ""))
    networks: dict[str, dict[str, str]] = {}
    for attachment in task.get("NetworksAttachments") or []:
        name = ((attachment.get("Network") or {}).get("Spec") or {}).get("Name", "")
        if name and name != INGRESS:
            addresses = attachment.get("Addresses") or [""]
            networks[name] = {"IPAddress": str(addresses[0]).split("/")[0]}
    bindings: dict[str, list[dict[str, str]]] = defaultdict(list)
    for port in ((task.get("Status") or {}).get("PortStatus") or {}).get("Ports") or []:
        key = f"{port.get('TargetPort')}/{port.get('Protocol', 'tcp')}"
        entry = {"HostIp": "0.0.0.0", "HostPort": str(port.get("PublishedPort", ""))}
        if entry not in bindings[key]:
            bindings[key].append(entry)
    limits = service.limits
    image = str(spec.get("Image", "")).split("@")[0]
    slot = task.get("Slot") or str(task.get("NodeID", ""))[:12]
    labels = {**(spec.get("Labels") or {}), PROJECT_LABEL: stack, SERVICE_LABEL: service.name}
    return {
        "Id": str(task.get("ID", "")),
        "Name": f"/{stack}_{service.name}.{slot}.{str(task.get('ID', ''))[:12]}",
        "Node": str(task.get("NodeID", "")),
        "State": doc_state,
        "Config": {"Image": image, "Labels": labels, "Healthcheck": healthcheck or None},
        "HostConfig": {
            "NanoCpus": int(limits.get("NanoCPUs") or 0),
            "Memory": int(limits.get("MemoryBytes") or 0),
            "PortBindings": dict(bindings),
        },
        "NetworkSettings": {"Networks": networks, "Ports": dict(bindings)},
    }
