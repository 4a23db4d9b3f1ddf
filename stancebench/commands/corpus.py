"""Commands for the corpus stage."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
