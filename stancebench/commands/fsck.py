"""The `fsck` command: verify the corpus's files and repair what an interrupted write left."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []


@click.command("fsck")
@click.option("--repair", is_flag=True, help="Set torn records aside (to NAME.jsonl.torn) and remove debris.")
@click.pass_context
def fsck_command(ctx: click.Context, repair: bool) -> None:
    """Verify label logs, statements, gold and the release; exit 1 if anything is still wrong."""
    from stancebench.commands import echo_warnings, get_project
    from stancebench.errors import StancebenchError
    from stancebench.fsck import check_corpus

    report = check_corpus(get_project(ctx), repair=repair)
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    for line in report.notes:
        click.echo(f"note: {line}")
    echo_warnings(report.problems, limit=50)
    if not report.is_clean:
        raise StancebenchError(f"{len(report.problems)} problem(s) in {report.files_checked} file(s) checked")
    click.echo(f"ok: {report.files_checked} file(s) checked")


COMMANDS.append(fsck_command)
