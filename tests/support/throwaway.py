"""Throw-away database servers on loopback, for the seed tests and the benchmark: a PostgreSQL 15
(initdb + pg_ctl) or a MariaDB (mariadb-install-db + mariadbd) in a temporary folder, on a free
port, stopped and deleted afterwards. When run as root, the servers run as an unprivileged user
(DEVENV_DB_USER, else `devenvdb` as .ci/setup-databases.sh creates it, else `nobody`)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("DEVENV_PG_BIN", "/usr/lib/postgresql/15/bin"))


class ServerUnavailable(Exception):
    """The server binaries are not installed (tests skip, or fail when an engine is required)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("DEVENV_DB_USER"), "devenvdb", "nobody"):
        if not name:
            continue
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerUnavailable("running as root and no unprivileged user to run the database server as")


def _as_user(command: list[str], user: pwd.struct_passwd | None) -> list[str]:
    if user is None:
        return command
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"] + command


def _run(command: list[str], user: pwd.struct_passwd | None, log: Path, timeout: float = 120) -> None:
    with log.open("ab") as out:
        result = subprocess.run(_as_user(command, user), stdout=out, stderr=subprocess.STDOUT,
                                timeout=timeout, env={**os.environ, "LC_ALL": "C"}, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}):\n{log.read_text(errors='replace')[-3000:]}")


class ThrowawayPostgres:
    """`with ThrowawayPostgres() as pg: pg.url` (database `devenv`, user `postgres`, trust auth)."""

    def __init__(self, database: str = "devenv") -> None:
        if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
            raise ServerUnavailable(f"PostgreSQL server binaries not found in {PG_BIN}")
        self.database = database
        self.user = _server_user()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="devenv-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> ThrowawayPostgres:
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.log.touch()
        if self.user is not None:
            os.chown(self.log, self.user.pw_uid, self.user.pw_gid)
        _run([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C", "--no-sync"], self.user, self.log)
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_wal_size=2GB")
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60",
              "start"], self.user, self.root / "pg_ctl.log")
        self.started = True
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        return self

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            if self.started:
                _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], self.user,
                     self.root / "pg_ctl.log", timeout=60)
        finally:
            self.started = False
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _mariadb_binaries() -> tuple[str, str] | None:
    server = shutil.which("mariadbd") or (("/usr/sbin/mariadbd") if Path("/usr/sbin/mariadbd").exists() else None)
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    return (server, install) if server and install else None


class ThrowawayMariaDB:
    """`with ThrowawayMariaDB() as db: db.url` (database `devenv`, user `devenv`/`devenv`)."""

    def __init__(self, database: str = "devenv") -> None:
        binaries = _mariadb_binaries()
        if binaries is None:
            raise ServerUnavailable("MariaDB server binaries (mariadbd, mariadb-install-db) not found")
        self.server, self.install = binaries
        self.database = database
        self.user = _server_user()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="devenv-mariadb-"))
        self.data = self.root / "data"
        self.socket = self.root / "mysqld.sock"
        self.log = self.root / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mariadb+pymysql://devenv:devenv@127.0.0.1:{self.port}/{self.database}?charset=utf8mb4"

    def start(self) -> ThrowawayMariaDB:
        user_args = [f"--user={self.user.pw_name}"] if self.user is not None else []
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        _run([self.install, "--no-defaults", f"--datadir={self.data}", "--auth-root-authentication-method=normal",
              "--skip-test-db", "--skip-name-resolve"] + user_args, None, self.root / "install.log", timeout=180)
        command = [self.server, "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}",
                   f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={self.root / 'mysqld.pid'}",
                   f"--log-error={self.log}", "--skip-name-resolve", "--skip-log-bin",
                   "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=256M",
                   "--innodb-doublewrite=0", "--character-set-server=utf8mb4"] + user_args
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import pymysql

        deadline = time.monotonic() + 60
        while True:
            try:
                conn = pymysql.connect(unix_socket=str(self.socket), user="root", autocommit=True)
                break
            except pymysql.err.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    text = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
                    raise RuntimeError(f"mariadbd did not start:\n{text}") from None
                time.sleep(0.2)
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")
            cursor.execute("CREATE USER 'devenv'@'%' IDENTIFIED BY 'devenv'")
            cursor.execute("GRANT ALL PRIVILEGES ON *.* TO 'devenv'@'%'")
        conn.close()
        return self

    def create_database(self, name: str) -> str:
        import pymysql

        conn = pymysql.connect(unix_socket=str(self.socket), user="root", autocommit=True)
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()
        return f"mariadb+pymysql://devenv:devenv@127.0.0.1:{self.port}/{name}?charset=utf8mb4"

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        finally:
            self.process = None
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayMariaDB:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
