"""Commands for the corpus stage."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []


@click.command("extract")
@click.option("--seeds", type=click.Path(file_okay=False), default=None,
              help="Folder of sources: .txt/.md/.html articles, .jsonl/.csv/.parquet dumps, .warc crawls (default: seeds/).")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Statements file to merge into (default: annotations/statements.jsonl).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Extract in this many processes (the output is the same)  [default: the number of CPU cores].")
@click.option("--scheduler", default=None, metavar="ADDRESS|local",
              help="Extract on a Dask cluster (tcp://host:8786), or 'local' for a 2-worker LocalCluster (same output).")
@click.pass_context
def extract_command(ctx: click.Context, seeds: str | None, output: str | None, jobs: int | None, scheduler: str | None) -> None:
    """Extract quoted and reported statements from the seed articles.

    Merges into the statements file: statements no longer found are kept with is_stale=true,
    ids are stable across runs, and the file is rewritten atomically, sorted by (article, start).
    Speakers are matched against the packaged actor table plus an optional actors.tsv at the
    corpus root (columns: name, role, affiliation, kind, aliases separated by |).

    Dumps and crawls keep only articles on the target (stancebench.toml's sources.topic_keywords);
    near-duplicate articles (syndicated copies) are grouped and each copied statement is linked
    to one canonical statement (canonical_id / copies), so it is labelled once.

    A bad source file (empty, binary, not UTF-8, unreadable, a dump with no text column, a
    truncated gzip) gets a warning naming the file; the other articles are still extracted and
    written, its earlier statements are kept as they were, and the command exits with code 1.
    A record with no article in it (a page with no main text, a row with no text, a WARC record
    that is not HTML) and a malformed quote are warnings only, counted in the summary.
    A malformed existing statements file is an error and nothing is written.
    """
    from stancebench.commands import echo_warnings, get_project
    from stancebench.corpus.distributed import default_jobs
    from stancebench.corpus.extract import extract_corpus

    result = extract_corpus(get_project(ctx), seeds=seeds, output=output, jobs=jobs or default_jobs(), scheduler=scheduler)
    echo_warnings(result.warnings, limit=200)
    click.echo(result.summary())
    if result.bad_files:
        raise click.ClickException(f"{len(result.bad_files)} article file(s) could not be read; see the warnings above")


COMMANDS.append(extract_command)


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--target-id", required=True, help="Short id of the stance target (lower-case letters, digits, '.', '_', '-').")
@click.option("--target", "target", required=True, help="One-line description of the stance target.")
@click.option("--labels", default=None, metavar="A,B,...",
              help="Labels annotators may give (default: support,oppose,hedge,off_target).")
def init_command(folder: str, target_id: str, target: str, labels: str | None) -> None:
    """Create a corpus folder: stancebench.toml, seeds/, annotations/ with a codebook template.

    Commands run inside the folder (or any subfolder) then work on this corpus, as git finds
    a repository; elsewhere, pass --root FOLDER.
    """
    from stancebench.project import CONFIG_NAME, init_corpus  # lazy: keeps --help instant
    from stancebench.schema import LABELS

    chosen = LABELS if labels is None else tuple(x.strip() for x in labels.split(",") if x.strip())
    unknown = [x for x in chosen if x not in LABELS]
    if unknown or not chosen:
        raise click.BadParameter(f"expected a subset of {', '.join(LABELS)}, got {labels!r}", param_hint="--labels")
    project = init_corpus(folder, target_id, target, labels=chosen)
    click.echo(f"Created corpus {project.name!r} in {project.root} (target {project.target_id}: {project.target})")
    click.echo(f"  {CONFIG_NAME}, seeds/, annotations/GUIDELINES.md, annotations/labels/")
    click.echo("Next: put articles (.txt .md .html), dumps (.jsonl .csv .parquet) or crawls (.warc) in seeds/ "
               "and run 'stancebench extract' inside the folder.")


COMMANDS.insert(0, init_command)  # first in the data flow
