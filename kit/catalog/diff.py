"""Declaration versus live catalog: what a `kit catalog load` or a stack deploy would change."""

from __future__ import annotations

from typing import Any

from kit.catalog import live
from kit.catalog.declaration import Database, Table
from kit.catalog.inputs import table_input


def diff(databases: list[Database], env: str, client: Any) -> list[str]:
    """One line per difference (empty when the live catalog matches the declarations)."""
    out: list[str] = []
    for db in databases:
        if live.get_database(client, db.name) is None:
            out.append(f"database {db.name}: declared, not in the live catalog")
            continue
        tables = {t["Name"]: t for t in live.get_tables(client, db.name)}
        for table in db.tables:
            name = f"{db.name}.{table.name}"
            if table.name not in tables:
                out.append(f"{name}: declared, not in the live catalog")
                continue
            out.extend(f"{name}: {line}" for line in table_diff(table, env, tables[table.name]))
        for extra in sorted(set(tables) - {t.name for t in db.tables}):
            out.append(f"{db.name}.{extra}: in the live catalog, not declared")
    return out


def table_diff(table: Table, env: str, live_table: dict[str, Any]) -> list[str]:
    """Columns added/removed/retyped, partition keys, location, formats, parameters."""
    want = table_input(table, env)
    wsd, lsd = want["StorageDescriptor"], live_table.get("StorageDescriptor") or {}
    out = _columns("column", wsd["Columns"], lsd.get("Columns") or [])
    out += _columns("partition key", want["PartitionKeys"], live_table.get("PartitionKeys") or [])
    for key, label in (("Location", "location"), ("InputFormat", "input format"),
                       ("OutputFormat", "output format")):
        if wsd[key] != lsd.get(key):
            out.append(f"{label} {wsd[key]!r} (declared) != {lsd.get(key)!r} (live)")
    wserde, lserde = wsd["SerdeInfo"], lsd.get("SerdeInfo") or {}
    if wserde["SerializationLibrary"] != lserde.get("SerializationLibrary"):
        out.append(f"serde {wserde['SerializationLibrary']!r} (declared) != "
                   f"{lserde.get('SerializationLibrary')!r} (live)")
    out += _params("serde parameter", wserde.get("Parameters") or {}, lserde.get("Parameters") or {})
    out += _params("parameter", want["Parameters"], live_table.get("Parameters") or {})
    return out


def _columns(label: str, want: list[dict], have: list[dict]) -> list[str]:
    wmap = {c["Name"]: c.get("Type", "") for c in want}
    hmap = {c["Name"]: c.get("Type", "") for c in have}
    out = [f"{label} {n} ({t}): declared, not in the live catalog"
           for n, t in wmap.items() if n not in hmap]
    out += [f"{label} {n} ({t}): in the live catalog, not declared"
            for n, t in hmap.items() if n not in wmap]
    out += [f"{label} {n}: type {wmap[n]} (declared) != {hmap[n]} (live)"
            for n in wmap if n in hmap and wmap[n].lower() != (hmap[n] or "").lower()]
    return out


def _params(label: str, want: dict[str, str], have: dict[str, str]) -> list[str]:
    out = []
    for key in sorted(set(want) | set(have)):
        if key not in have:
            out.append(f"{label} {key}={want[key]!r}: declared, not in the live catalog")
        elif key not in want:
            out.append(f"{label} {key}={have[key]!r}: in the live catalog, not declared")
        elif want[key] != have[key]:
            out.append(f"{label} {key}: {want[key]!r} (declared) != {have[key]!r} (live)")
    return out
