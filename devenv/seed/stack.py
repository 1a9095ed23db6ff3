"""The stack's databases: which container serves the database a seed spec names, how to reach it
from the host (its port published on 127.0.0.1), and with which local credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv.errors import InputError
from devenv.model import labels as names
from devenv.model.interpolation import Interpolated, published_port
from devenv.model.labels import port_variable
from devenv.model.output import Output

#: image name fragment -> (dialect, default port, env of database name, user, password, default user)
ENGINES = {
    "postgres": ("postgresql", 5432, ("POSTGRES_DB",), ("POSTGRES_USER",), ("POSTGRES_PASSWORD",), "postgres"),
    "postgis": ("postgresql", 5432, ("POSTGRES_DB",), ("POSTGRES_USER",), ("POSTGRES_PASSWORD",), "postgres"),
    "mariadb": ("mysql", 3306, ("MARIADB_DATABASE", "MYSQL_DATABASE"), ("MARIADB_USER", "MYSQL_USER"),
                ("MARIADB_PASSWORD", "MYSQL_PASSWORD"), "root"),
    "mysql": ("mysql", 3306, ("MYSQL_DATABASE",), ("MYSQL_USER",), ("MYSQL_PASSWORD",), "root"),
}
ROOT_PASSWORDS = ("MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD")


@dataclass(frozen=True)
class StackDatabase:
    """A database server container of the stack, and the database in it a spec fills."""

    name: str
    service: str
    sandbox: str
    dialect: str
    port: int
    user: str
    password: str  # a literal or a ${DEVENV_SECRET_...} reference into the state env file

    @property
    def port_variable(self) -> str:
        return port_variable(self.sandbox, self.port)

    def url(self, host_port: int, secret_env: dict[str, str]) -> str:
        password = self.password
        if isinstance(password, Interpolated):  # a reference to a local secret, never a literal "${...}"
            password = secret_env.get(password[2:-1], "")
        from urllib.parse import quote

        scheme = "postgresql" if self.dialect == "postgresql" else "mysql+pymysql"
        return f"{scheme}://{quote(self.user)}:{quote(password)}@127.0.0.1:{host_port}/{quote(self.name)}"


def _env(service: dict[str, Any], names: tuple[str, ...]) -> str:
    environment = service.get("environment") or {}
    for name in names:
        if name in environment:
            value = environment[name]
            return value if isinstance(value, str) else str(value)
    return ""


def find_database(output: Output, name: str, where: str) -> StackDatabase:
    """The container serving database `name`: by its database env variable, else by its pod's name."""
    candidates = []
    for service_name, service in sorted(output.services.items()):
        image = str(service.get("image", "")).rsplit("/", 1)[-1].split(":")[0]
        engine = next((ENGINES[key] for key in ENGINES if key in image), None)
        if engine is None or service["labels"].get(names.ROLE) != names.ROLE_APP:
            continue
        dialect, port, db_vars, user_vars, password_vars, default_user = engine
        database = _env(service, db_vars)
        pod = service["labels"][names.POD]
        if database == name or (not database and pod == name):
            user = _env(service, user_vars) or default_user
            password = _env(service, password_vars if user != "root" else ROOT_PASSWORDS) or _env(service, ROOT_PASSWORDS)
            candidates.append(StackDatabase(name, service_name, f"{pod}-pod", dialect, port, user, password))
    if not candidates:
        raise InputError(f"no database named '{name}' in the local stack", where=where,
                         hint="set `database` to the POSTGRES_DB / MYSQL_DATABASE of a database container of the stack")
    return candidates[0]


def publish_databases(output: Output, spec_paths: tuple[Path, ...]) -> list[StackDatabase]:
    """Publish (on 127.0.0.1, a free port) each database a seed spec fills, so the seeder can reach it."""
    from devenv.seed.spec.parse import load_spec

    found = []
    for path in spec_paths:
        spec = load_spec(path)
        database = find_database(output, spec.database, str(path))
        sandbox = output.services[database.sandbox]
        mapping = published_port(database.port_variable, database.port)
        if mapping not in sandbox.get("ports", []):
            sandbox["ports"] = sorted([*sandbox.get("ports", []), mapping])
        found.append(database)
    return found
