"""The throwaway database the suite runs in: never the user's data.

PostgreSQL: a database named after the configured one with ``_bench_<process id>``
appended, created and dropped with psycopg. SQLite: a file in a temporary folder. Django's default
connection points at it for the duration of the run, after ``migrate``.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from psycopg import sql

_current: "BenchDatabase | None" = None


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str
    name: str
    settings: dict
    workdir: Path

    @property
    def url(self) -> str:
        """DATABASE_URL for a process started by a case (the import's memory case)."""
        if self.vendor == "sqlite":
            return f"sqlite:///{self.name}"
        user = quote(self.settings.get("USER") or "")
        password = f":{quote(self.settings['PASSWORD'])}" if self.settings.get("PASSWORD") else ""
        host = self.settings.get("HOST") or "localhost"
        port = self.settings.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{self.name}"

    def raw(self):
        """A plain DB-API connection, outside Django: what the raw baselines use."""
        if self.vendor == "sqlite":
            import sqlite3

            return contextlib.closing(sqlite3.connect(self.name))
        return psycopg.connect(dbname=self.name, **_server(self.settings))


def current() -> BenchDatabase:
    if _current is None:
        raise RuntimeError("No bench database: run the cases through bench.suite.run().")
    return _current


def _server(settings_dict: dict) -> dict:
    params = {
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    return {key: value for key, value in params.items() if value}


@contextlib.contextmanager
def throwaway() -> Iterator[BenchDatabase]:
    """Create, migrate and point Django at the bench database; drop it afterwards."""
    global _current
    original = dict(connection.settings_dict)
    workdir = Path(tempfile.mkdtemp(prefix="loyal-bench-"))
    if connection.vendor == "postgresql":
        # One per run: two people benchmarking against the same server never share one.
        name = f"{original['NAME']}_bench_{os.getpid()}"
        _recreate(original, name)
    else:
        name = str(workdir / "bench.sqlite3")
    bench = BenchDatabase(connection.vendor, name, original, workdir)
    # Django never closes an in-memory SQLite database (closing would destroy it): set the
    # connection aside, so that the test database it holds is there again afterwards.
    kept = connection.connection if connection.vendor == "sqlite" and connection.is_in_memory_db() else None
    if kept is not None:
        connection.connection = None
    _point_at(name)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        _current = bench
        yield bench
    finally:
        _current = None
        _point_at(original["NAME"])
        if kept is not None:
            connection.connection = kept
        if bench.vendor == "postgresql":
            _drop(original, name)
        shutil.rmtree(workdir, ignore_errors=True)


def _point_at(name: str) -> None:
    for alias in connections:
        connections[alias].close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _recreate(settings_dict: dict, name: str) -> None:
    if name == settings_dict["NAME"]:
        raise RuntimeError("The bench database must not be the configured one.")
    with psycopg.connect(dbname="postgres", autocommit=True, **_server(settings_dict)) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop(settings_dict: dict, name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_server(settings_dict)) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
