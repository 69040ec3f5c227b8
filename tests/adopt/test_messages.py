"""Every `kit ...` command that kit's messages tell a user to run exists in the CLI."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click

from kit.cli import main

PACKAGE = Path(__file__).resolve().parents[2] / "kit"
_SUGGESTION = re.compile(r"`kit ([^`]*)`")


def _literal_texts(tree: ast.AST) -> list[tuple[int, str]]:
    """Each string literal (f-strings with their fields as ``{}``), with its line number."""
    texts: list[tuple[int, str]] = []
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstring.add(id(value))
                parts.append(value.value if isinstance(value, ast.Constant) else "{}")
            texts.append((node.lineno, "".join(str(p) for p in parts)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstring:
            texts.append((node.lineno, node.value))
    return texts


def suggested_commands() -> list[tuple[str, str]]:
    """(where, command line) for every backquoted `kit ...` in kit's source strings."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # implicit concatenation is already one Constant / JoinedStr in the AST
        for lineno, text in _literal_texts(tree):
            for match in _SUGGESTION.finditer(text):
                found.append((f"{path.relative_to(PACKAGE.parent)}:{lineno}", match.group(1)))
    return found


def resolve(words: list[str]) -> str | None:
    """None when the words name an existing command path, else what is missing."""
    command: click.Command = main
    ctx = click.Context(main)
    for word in words:
        if not isinstance(command, click.Group):
            return None  # the rest are arguments
        if word.startswith("-") or not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            return None if command is not main else f"no command before {word!r}"
        sub = command.get_command(ctx, word)
        if sub is None:
            if command is main:
                return f"kit has no command {word!r}"
            if not command.commands:
                return None
            return f"{command.name} has no subcommand {word!r}"
        command = sub
    return None if command is not main else "no command named"


def test_messages_name_kit_commands():
    found = suggested_commands()
    assert len(found) > 10  # the scan sees kit's messages (config, export, deploy, drift...)
    problems = [
        f"{where}: `kit {line}`: {why}"
        for where, line in found
        if (why := resolve(line.replace("{}", "X").split()))
    ]
    assert not problems, "\n".join(problems)


def test_the_scan_catches_a_missing_command():
    assert resolve(["frobnicate"]) == "kit has no command 'frobnicate'"
    assert resolve(["bookmark", "wipe"]) == "bookmark has no subcommand 'wipe'"
    assert resolve(["bookmark", "reset", "X"]) is None
    assert resolve(["export", "--all"]) is None
