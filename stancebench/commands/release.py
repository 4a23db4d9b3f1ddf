"""Commands for the release stage."""

from __future__ import annotations

import click


@click.command("build")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the committed release differs from a fresh build.")
@click.pass_context
def build_command(ctx: click.Context, check: bool) -> None:
    """Build the Hugging Face dataset (parquet + card) from gold labels."""
    from stancebench.commands import echo_warnings, get_project
    from stancebench.errors import StancebenchError
    from stancebench.release import build as release  # lazy: keeps --help instant

    project = get_project(ctx)
    if check:
        problems = release.check_release(project)
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            raise StancebenchError(f"the release in {project.release_dir} is out of date; run 'stancebench build'")
        click.echo(f"{project.release_dir}: up to date")
        return
    result = release.build(project)
    echo_warnings(result.warnings)
    click.echo(release.describe(result.info, result.release_dir))
    if result.datasheet_updated:
        click.echo(f"Updated the generated section of {project.root / release.DATASHEET_FILE}")


COMMANDS: list[click.Command] = [build_command]
