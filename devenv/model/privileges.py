"""Host privileges a manifest can ask for, and the developer's grants of them (`[local] allow`).

A manifest is untrusted input: whatever it asks of the host (privileged mode, host namespaces, host
paths and ports, added capabilities, unconfined seccomp/AppArmor, unsafe sysctls, an unmasked /proc)
runs only when the developer grants it by name in their own devenv.toml, as
`PRIVILEGE:NAMESPACE/WORKLOAD` (`"privileged:ops/agent"`, `"cap-net-admin:ops/agent"`,
`"host-path:monitoring/*"`). Nothing in a manifest can grant it, not even an acceptance annotation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, NoReturn

from devenv.errors import InputError
from devenv.model.catalogue import CATALOGUE
from devenv.model.delta import Delta
from devenv.model.refs import ObjectRef

#: privilege (the word before ':' in an allow entry, and the delta code) -> what it grants
PRIVILEGES: dict[str, str] = {
    "privileged": "securityContext.privileged: every device and capability of the host",
    "host-pid": "hostPID: the host's processes",
    "host-ipc": "hostIPC: the host's shared memory and semaphores",
    "host-network": "hostNetwork: the host's network stack and interfaces",
    "host-port": "ports[].hostPort: a fixed port of the host (always on 127.0.0.1 locally)",
    "host-path": "a hostPath volume: any file or device of the host (bind-mounted)",
    "seccomp-unconfined": "seccompProfile Unconfined: every system call",
    "apparmor-unconfined": "appArmorProfile Unconfined: no AppArmor confinement",
    "unsafe-sysctl": "a sysctl outside Kubernetes' safe set",
    "proc-unmasked": "procMount Unmasked: /proc and /sys without masked paths",
}
CAPABILITY_CODE = "capability"
CAPABILITY_PREFIX = "cap-"

#: every Linux capability (capabilities(7)), without the CAP_ prefix
LINUX_CAPABILITIES = frozenset({
    "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN",
    "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
    "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYSLOG", "SYS_ADMIN", "SYS_BOOT",
    "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
    "SYS_TTY_CONFIG", "WAKE_ALARM",
})
#: what every Docker container has anyway: adding one of these explicitly grants nothing
DOCKER_DEFAULT_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
#: the sysctls Kubernetes allows without --allowed-unsafe-sysctls (namespaced, isolated per pod)
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
})

NAMESPACE_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
WORKLOAD_RE = re.compile(r"^[a-z0-9*]([-a-z0-9.*]{0,251}[a-z0-9*])?$")
EXAMPLE = '"privileged:default/agent"'


def capability_name(value: Any) -> str:
    """`net_admin`, `CAP_NET_ADMIN` -> `NET_ADMIN` (how Kubernetes and Docker both accept it)."""
    name = str(value).strip().upper()
    return name.removeprefix("CAP_")


def capability_token(name: str) -> str:
    """The allow privilege for a capability: `SYS_ADMIN` -> `cap-sys-admin`, `ALL` -> `cap-all`."""
    return CAPABILITY_PREFIX + name.lower().replace("_", "-")


CAPABILITY_TOKENS = frozenset(capability_token(c) for c in (LINUX_CAPABILITIES - DOCKER_DEFAULT_CAPABILITIES) | {"ALL"})


def canonical_sysctl(name: str) -> str:
    """Kubernetes accepts `net/ipv4/ip_forward` for `net.ipv4.ip_forward`: when the first separator is
    a slash, slashes separate and dots belong to a component (`net/ipv4/conf/eth0.100` -> `...eth0/100`)."""
    dot, slash = name.find("."), name.find("/")
    if slash != -1 and (dot == -1 or slash < dot):
        return name.translate(str.maketrans("./", "/."))
    return name


def is_safe_sysctl(name: str) -> bool:
    return canonical_sysctl(name) in SAFE_SYSCTLS


@dataclass(frozen=True)
class Grant:
    """One `[local] allow` entry: a privilege for the workloads of one namespace whose name matches."""

    privilege: str
    namespace: str
    workload: str  # a name, or a pattern where `*` matches any run of characters
    index: int = 0

    def __str__(self) -> str:
        return f"{self.privilege}:{self.namespace}/{self.workload}"

    def covers(self, privilege: str, obj: ObjectRef) -> bool:
        return (privilege == self.privilege and obj.namespace == self.namespace
                and fnmatchcase(obj.name, self.workload))

    @property
    def where(self) -> str:
        return f"local.allow[{self.index}]"

    @property
    def rule(self) -> str:
        """How a delta this grant accepts names it (`accepted_by`)."""
        return f"{self.where} {self}"


def allow_entry(privilege: str, obj: ObjectRef) -> str:
    """The exact entry that grants `privilege` to the workload `obj`."""
    return f"{privilege}:{obj.namespace}/{obj.name}"


def find_grant(grants: Iterable[Grant], privilege: str, obj: ObjectRef) -> Grant | None:
    return next((g for g in grants if g.covers(privilege, obj)), None)


def is_security_code(code: str) -> bool:
    """A host-privilege delta: only a grant accepts it, never an annotation or an [[accept]] rule."""
    entry = CATALOGUE.get(code)
    return entry is not None and entry.security


def refuse_security_acceptance(code: str, key: str, config_file: str) -> str:
    """An [[accept]] rule naming a host-privilege code is a mistake: say what grants it instead."""
    if is_security_code(code):
        _fail(key, f"names '{code}', a host privilege, which [[accept]] cannot accept", config_file,
              f"grant it by name under [local]: allow = [\"{code if code != CAPABILITY_CODE else 'cap-<capability>'}"
              ":NAMESPACE/WORKLOAD\"] (see `devenv report` for the exact entry)")
    return code


def privilege_of(code: str, prod: str) -> str:
    """The allow privilege a security delta needs (a capability delta names its capability in `prod`)."""
    return capability_token(capability_name(prod)) if code == CAPABILITY_CODE else code


def parse_grants(value: Any, config_file: str) -> tuple[Grant, ...]:
    """`[local] allow` validated: every entry must be PRIVILEGE:NAMESPACE/WORKLOAD with a known privilege."""
    if not isinstance(value, list):
        _fail("local.allow", f"must be a list of strings, not {value!r}", config_file, f"e.g. allow = [{EXAMPLE}]")
    return tuple(_parse_grant(item, index, config_file) for index, item in enumerate(value))


def _parse_grant(item: Any, index: int, config_file: str) -> Grant:
    key = f"local.allow[{index}]"
    if not isinstance(item, str):
        _fail(key, f"must be a string, not {item!r}", config_file, f"e.g. {EXAMPLE}")
    privilege, colon, target = item.partition(":")
    namespace, slash, workload = target.partition("/")
    if not colon or not slash:
        _fail(key, f"'{item}' is not PRIVILEGE:NAMESPACE/WORKLOAD", config_file,
              f"e.g. {EXAMPLE}; privileges: {', '.join(sorted(PRIVILEGES))}, cap-<capability>")
    if privilege not in PRIVILEGES and privilege not in CAPABILITY_TOKENS:
        _fail(key, f"names an unknown privilege '{privilege}'", config_file, _privilege_hint(privilege))
    if not NAMESPACE_RE.match(namespace):
        hint = ("name the namespace: a wildcard is allowed in the workload name only" if "*" in namespace
                else "a namespace is a lower-case RFC 1123 label, e.g. default")
        _fail(key, f"names an invalid namespace '{namespace}'", config_file, hint)
    if not WORKLOAD_RE.match(workload):
        _fail(key, f"names an invalid workload '{workload}'", config_file,
              "the workload is the name of the Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod "
              "(lower-case letters, digits, '-', '.'), or a pattern with '*'")
    return Grant(privilege, namespace, workload, index)


def _privilege_hint(word: str) -> str:
    """Did you mean: a capability written as Docker or Kubernetes write it gets its allow privilege."""
    capability = capability_name(word.removeprefix(CAPABILITY_PREFIX).replace("-", "_"))
    if capability in DOCKER_DEFAULT_CAPABILITIES:
        return f"{capability} is in Docker's default set: every container has it, no grant is needed"
    if capability in LINUX_CAPABILITIES or capability == "ALL":
        return f"did you mean '{capability_token(capability)}'?"
    close = difflib.get_close_matches(word, [*PRIVILEGES, *sorted(CAPABILITY_TOKENS)], n=1)
    listed = f"privileges: {', '.join(sorted(PRIVILEGES))}, cap-<capability> (e.g. cap-net-admin)"
    return f"did you mean '{close[0]}'? ({listed})" if close else listed


def _fail(key: str, problem: str, config_file: str, hint: str) -> NoReturn:
    raise InputError(f"key '{key}' {problem}", where=config_file, hint=hint)


def refusal(deltas: list[Delta], grants: tuple[Grant, ...], config_file: str) -> InputError | None:
    """Why the stack must not start: every host privilege the manifests ask for and devenv.toml does not
    grant, with the object, the field and the one `allow` line that would grant them all."""
    refused = [d for d in deltas if is_security_code(d.code) and not d.accepted]
    if not refused:
        return None
    entries = [str(g) for g in grants]
    entries += sorted({allow_entry(privilege_of(d.code, d.prod), d.object) for d in refused} - set(entries))
    details = "\n".join(f"{privilege_of(d.code, d.prod)}: {d.object} {d.field} ({d.prod})" for d in refused)
    line = "allow = [" + ", ".join(f'"{e}"' for e in entries) + "]"
    return InputError(
        f"the manifests ask for {len(refused)} host privilege(s) that {config_file} does not grant; nothing was "
        f"started (a manifest cannot grant itself host privileges)",
        where=config_file, details=details,
        hint=f"review them (`devenv report`); to run them as production does, set under [local] in "
             f"{config_file}: {line}",
    )
