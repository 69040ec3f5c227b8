"""The tests' throwaway PostgreSQL: :mod:`kit.localdb` in a temporary folder (one implementation
with ``kit db local``), on 127.0.0.1, a free port, removed by ``stop()``; never the machine's
default cluster."""

from __future__ import annotations

from kit.localdb import DATABASE, USER, LocalDb, pg_bindir

__all__ = ["DATABASE", "USER", "Postgres", "pg_bindir", "start"]

Postgres = LocalDb


def start() -> LocalDb:
    """Create and start a cluster in a new temporary folder (raises LocalDbError on failure)."""
    from kit import localdb

    return localdb.start()
