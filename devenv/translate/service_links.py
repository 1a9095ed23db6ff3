"""A container's environment variable, and the ones the kubelet injects for every Service of the pod's
namespace (`API_SERVICE_HOST`, `API_PORT_80_TCP`...)."""

from __future__ import annotations

from dataclasses import dataclass

from devenv.k8s.manifest import Manifest


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str
    secret: bool = False


def service_link_vars(service: Manifest) -> list[EnvVar]:
    """Docker-links-style variables of one Service, as the kubelet builds them (none for a headless one)."""
    spec = service.spec
    if spec.get("clusterIP") == "None" or spec.get("type") == "ExternalName" or not spec.get("ports"):
        return []
    prefix = service.name.upper().replace("-", "_")
    host = service.name
    ports = spec.get("ports") or []
    first = ports[0]
    found = [EnvVar(f"{prefix}_SERVICE_HOST", host), EnvVar(f"{prefix}_SERVICE_PORT", str(first.get("port")))]
    for port in ports:
        if port.get("name"):
            found.append(EnvVar(f"{prefix}_SERVICE_PORT_{str(port['name']).upper().replace('-', '_')}",
                                str(port.get("port"))))
    protocol = str(first.get("protocol", "TCP")).lower()
    found.append(EnvVar(f"{prefix}_PORT", f"{protocol}://{host}:{first.get('port')}"))
    for port in ports:
        proto = str(port.get("protocol", "TCP"))
        base = f"{prefix}_PORT_{port.get('port')}_{proto.upper()}"
        found += [EnvVar(base, f"{proto.lower()}://{host}:{port.get('port')}"), EnvVar(f"{base}_PROTO", proto.lower()),
                  EnvVar(f"{base}_PORT", str(port.get("port"))), EnvVar(f"{base}_ADDR", host)]
    return found
