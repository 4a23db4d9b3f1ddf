"""The `stancebench` command: a click group over the library, one module of commands per stage.

Command modules import only click at module level; each command imports the library parts it
needs when it runs, so `stancebench --help` and `stancebench label` start fast.
"""

from __future__ import annotations

import importlib
import warnings

import click

from stancebench import __version__
from stancebench.errors import StancebenchError, StancebenchWarning

__all__ = ["cli", "main"]

# Each module lists its click commands in COMMANDS; order here is the order of the data flow.
_COMMAND_MODULES = ("corpus", "annotation", "release", "evaluation", "baselines", "fsck")


class StancebenchGroup(click.Group):
    """Turns the library's errors into one-line messages with exit code 1, for every command."""

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", StancebenchWarning)
                try:
                    return super().invoke(ctx)
                finally:
                    _echo_caught(caught)
        except StancebenchError as err:
            raise click.ClickException(str(err)) from None
        except (BrokenPipeError, KeyboardInterrupt):
            raise click.Abort() from None

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: D102
        return list(self.commands)  # data-flow order, not alphabetical


def _echo_caught(caught: list[warnings.WarningMessage]) -> None:
    """The library's warnings (e.g. torn bytes set aside) as `Warning: …` lines; others as Python shows them."""
    from stancebench.commands import echo_warnings

    ours = [str(w.message) for w in caught if issubclass(w.category, StancebenchWarning)]
    for w in caught:
        if not issubclass(w.category, StancebenchWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    echo_warnings(ours)


@click.group(cls=StancebenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stancebench")
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    default=None,
    help="Corpus folder (default: the nearest parent with stancebench.toml, else this repository).",
)
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """Stance benchmark: extract statements, annotate, build the dataset, evaluate models."""
    ctx.obj = {"root": root}


for _name in _COMMAND_MODULES:
    _module = importlib.import_module(f"stancebench.commands.{_name}")
    for _command in getattr(_module, "COMMANDS", ()):
        cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="stancebench")
