"""A throwaway PostgreSQL cluster for the test suite's PostgreSQL pass.

Starts the machine's PostgreSQL binaries (initdb, pg_ctl) in a temporary directory on a free
port of 127.0.0.1, with durability switched off for speed, and deletes everything on exit.
Nothing is created inside: pytest-django creates its own test_* database.

As root, initdb refuses to run, so the cluster runs as the `postgres` user (`runuser`).

    python -m tests.pg        # starts a cluster, prints its DATABASE_URL, stops on Ctrl-C
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"
# Durability off: a test cluster is thrown away, so a crash losing data does not matter.
SPEED_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be started; the message says why."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster in a temporary directory; use as a context manager."""

    def __init__(self, database: str = "relance") -> None:
        self.database = database
        self.port = 0
        self.root: Path | None = None

    @property
    def url(self) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{self.database}"

    def __enter__(self) -> "Cluster":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, attempts: int = 3) -> None:
        for binary in ("initdb", "pg_ctl", "postgres"):
            if shutil.which(binary) is None:
                raise PostgresUnavailable(f"`{binary}` is not on PATH")
        self.root = Path(tempfile.mkdtemp(prefix="relance-pg-"))
        try:
            self._make_owned_by_postgres(self.root)
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            )
            (self.root / "sock").mkdir()
            self._make_owned_by_postgres(self.root / "sock")
            self._start_server(attempts)
        except BaseException:
            self.stop()
            raise

    def _start_server(self, attempts: int) -> None:
        # The free port may be taken between probing and binding: try another one.
        for _ in range(attempts):
            self.port = free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    "-c listen_addresses=127.0.0.1",
                    f"-c unix_socket_directories={self.root / 'sock'}",
                ]
                + [f"-c {setting}" for setting in SPEED_SETTINGS]
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "30",
                    "start",
                )
                return
            except PostgresUnavailable:
                continue
        raise PostgresUnavailable(f"server did not start; log:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            # Immediate: the data is thrown away, no need for a clean checkpoint.
            subprocess.run(
                self._command("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"),
                cwd=self.root,
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text().splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            self._command(*args), cwd=self.root, capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"`{' '.join(args[:1])}` failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}"
            )

    @staticmethod
    def _command(*args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", SUPERUSER, "--", *args]
        return list(args)

    @staticmethod
    def _make_owned_by_postgres(path: Path) -> None:
        if os.geteuid() != 0:
            return
        try:
            user = pwd.getpwnam(SUPERUSER)
        except KeyError as error:
            raise PostgresUnavailable(
                f"running as root but there is no `{SUPERUSER}` user"
            ) from error
        os.chown(path, user.pw_uid, user.pw_gid)


def main() -> None:
    with Cluster() as cluster:
        print(f"DATABASE_URL={cluster.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
