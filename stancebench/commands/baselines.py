"""Commands for the baselines stage: `baselines` (every baseline, both protocols, a leaderboard)."""

from __future__ import annotations

import click

from stancebench.commands import echo_warnings, find_corpus

__all__ = ["COMMANDS", "baselines_command"]


@click.command("baselines")
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="Run only this baseline (repeatable) [default: all].")
@click.option("--release", type=click.Path(), help="Release folder [default: the corpus's, else the bundled dataset].")
@click.option("--output-dir", type=click.Path(file_okay=False),
              help="Where RESULTS.md and results/*.json go [default: baselines/ of the corpus].")
@click.option("--cv", default=5, show_default=True, type=click.IntRange(2), help="Folds of the speaker-grouped cross-validation.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for folds, bootstrap and models.")
@click.option("--resamples", default=1000, show_default=True, type=click.IntRange(1), help="Bootstrap resamples.")
@click.pass_context
def baselines_command(ctx: click.Context, only: tuple[str, ...], release: str | None, output_dir: str | None, cv: int,
                      seed: int, resamples: int) -> None:
    """Run every baseline (train → test, and grouped CV), print the leaderboard, write RESULTS.md."""
    from pathlib import Path

    from rich.console import Console

    from stancebench.evaluation.baselines import checkout_root, run_baselines, select_baselines
    from stancebench.store import check_output_dir

    select_baselines(only)  # an unknown name fails before anything runs
    root = checkout_root()
    project = find_corpus(ctx)
    target = Path(output_dir) if output_dir else (project.root if project else root) / "baselines"
    check_output_dir(target)  # before any work: a bad folder fails in one line, not after the run
    board = run_baselines(only or None, release=release, corpus=project.root if project else None, cv=cv, seed=seed,
                          resamples=resamples, root=root, on_progress=lambda line: click.echo(line, err=True))
    echo_warnings(sorted({w for e in board.entries for r in e.reports.values() for w in r.warnings}))
    console = Console()
    if not console.is_terminal:
        console.width = 120  # piped or logged: keep each table row on one line
    console.print(board)
    written = board.write(target)
    click.echo(f"Wrote {written[-1]} and {len(written) - 1} report(s) in {target / 'results'}", err=True)


COMMANDS: list[click.Command] = [baselines_command]
