"""The names devenv writes into a Compose project and reads back from the engine: labels, roles,
interpolation variables. Every stage spells them from here, never as bare strings."""

from __future__ import annotations

import re

from devenv.model.interpolation import reference

#: the prefix of every label devenv sets
PREFIX = "dev.devenv"

# labels on services, containers and volumes
OBJECT = f"{PREFIX}.object"        # the Kubernetes object a service comes from (kind/ns/name)
POD = f"{PREFIX}.pod"              # the pod (sandbox) a container belongs to
ROLE = f"{PREFIX}.role"            # what the service does: one of ROLES
CONTAINER = f"{PREFIX}.container"  # the container's name in the pod spec
NETWORK = f"{PREFIX}.network"      # a network's namespace bridge
NAMESPACE = f"{PREFIX}.namespace"  # the Kubernetes namespace a network stands for
CLAIM = f"{PREFIX}.claim"          # a volume standing for a PersistentVolumeClaim
VOLUME = f"{PREFIX}.volume"        # a volume standing for a pod volume
SUBPATHS = f"{PREFIX}.subpaths"    # a companion volume holding the subPaths of the volume named
META = f"{PREFIX}.meta"            # the stack's bookkeeping volumes ("stack", "ready")

# stack labels: recorded when the stack is created, stable for its whole life
ENV = f"{PREFIX}.env"
CREATED = f"{PREFIX}.created"
TTL = f"{PREFIX}.ttl"
OWNER = f"{PREFIX}.owner"
CI_JOB = f"{PREFIX}.ci-job"
ENGINE = f"{PREFIX}.engine"  # the engine as the client that created the stack named it (context or endpoint)

# Compose's own labels
COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"

# roles (values of ROLE)
ROLE_SANDBOX = "sandbox"
ROLE_INIT = "init"
ROLE_APP = "app"
ROLE_JOB = "job"
ROLE_MANUAL = "manual"
ROLE_GATEWAY = "gateway"
ROLE_EXTERNAL = "external"
ROLE_RELAY = "relay"  # devenv's own relay on a remote engine's host network (the tunnel's far end)
ONE_SHOT_ROLES = (ROLE_INIT, ROLE_JOB, ROLE_MANUAL)

#: the Compose profile of services that only run on demand (CronJobs, `devenv run`)
MANUAL_PROFILE = "manual"

#: stack label -> the interpolation variable `devenv up` fills it from
STACK_VARIABLES = {ENV: "DEVENV_ENV", CREATED: "DEVENV_CREATED", TTL: "DEVENV_TTL", OWNER: "DEVENV_OWNER",
                   CI_JOB: "DEVENV_CI_JOB"}
#: labels whose values `devenv up` supplies at run time, as the rendered file spells them
STACK_LABELS = {label: reference(variable, "") for label, variable in STACK_VARIABLES.items()}

#: the engine's directory of local volumes (`docker volume inspect`'s Mountpoint, two levels up), for binding
#: a subPath entry of a companion volume; `devenv up` supplies it, the default is Docker's on Linux
VOLUMES_DIR_VARIABLE = "DEVENV_VOLUMES_DIR"
DEFAULT_VOLUMES_DIR = "/var/lib/docker/volumes"

PORT_PREFIX = "DEVENV_PORT_"
SECRET_PREFIX = "DEVENV_SECRET_"
#: a published port as the rendered file spells it: ${DEVENV_PORT_...:-0}:CONTAINER_PORT
PORT_MAPPING_RE = re.compile(r"\$\{(" + PORT_PREFIX + r"[A-Z0-9_]+):-0\}:(\d+)")
#: a whole value that is a reference to a local secret variable
SECRET_REF_RE = re.compile(r"^\$\{(" + SECRET_PREFIX + r"[A-Za-z0-9_]+)\}$")

#: the file (in the state directory) holding local secret values for Compose's interpolation
SECRET_ENV_FILE = "compose.env"


def _variable(prefix: str, *parts: object) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", "_".join(str(p) for p in parts)).upper()


def port_variable(service: str, port: int) -> str:
    """The interpolation variable holding the host port of one published container port."""
    return _variable(PORT_PREFIX, service, port)


def secret_variable(service: str, key: str) -> str:
    """The interpolation variable holding one local secret value of a service."""
    return _variable(SECRET_PREFIX, service, key)
