"""Commands for the annotation stage: assign, annotate, label, correct, import-labels, status, agreement, adjudicate.

Each command reads its options, calls one stancebench.annotation function and prints the result.
Library imports happen inside the commands, so `--help` stays instant.
"""

from __future__ import annotations

import json
import sys

import click

from stancebench.commands import echo_warnings as _warn
from stancebench.commands import get_project as _project

COMMANDS: list[click.Command] = []


def _register(command: click.Command) -> click.Command:
    COMMANDS.append(command)
    return command


def _key_reader(is_tty: bool):
    """One key press from a terminal, or one key per line from a pipe (EOF quits)."""

    def read_key() -> str:
        if is_tty:
            return click.getchar()
        line = sys.stdin.readline()
        if not line:
            return "q"
        return line.strip()[:1] or " "

    return read_key


def _line_reader(is_tty: bool):
    def ask(prompt: str) -> str:
        if is_tty:
            return click.prompt(prompt.rstrip(": "), default="", show_default=False)
        click.echo(prompt, nl=False)
        text = sys.stdin.readline().rstrip("\n")
        click.echo(text)
        return text

    return ask


def _run_session(session, is_tty: bool) -> None:
    """Show a screen, read a key, hand it to the session, until it says it is finished."""
    read_key = _key_reader(is_tty)
    if session.is_finished:
        click.echo(session.render())
        return

    def show(message: str = "") -> None:
        if is_tty:
            click.clear()
        click.echo(session.render(color=is_tty))
        if message:
            click.echo(message)

    show()
    session.prepare()  # the rest of the queue is computed while the annotator reads the first screen
    try:
        while True:
            outcome = session.handle_key(read_key())
            if outcome.is_finished:
                click.echo(outcome.message)
                return
            if outcome.is_help:  # short: printed under the screen, no pager and no blank screenful
                if is_tty:
                    show(outcome.message)
                click.echo(outcome.page)
                if not is_tty:
                    click.echo("")
                    click.echo(session.render())
                continue
            if outcome.page:
                if is_tty:
                    click.echo_via_pager(outcome.page)
                else:
                    click.echo(outcome.page)
            if is_tty:
                show(outcome.message)
            else:  # a pipe: a transcript, screen after screen
                if outcome.message:
                    click.echo(outcome.message)
                click.echo("")
                click.echo(session.render())
    except (KeyboardInterrupt, EOFError, click.Abort):
        # Every label given so far is already on disk; just say so.
        click.echo("")
        click.echo(f"Stopped. {session.handle_key('q').message}")
    finally:
        if session.suggester is not None:
            session.suggester.wait()  # a refit still running in C code would abort the interpreter's exit
            _warn(session.suggester.warnings)


@_register
@click.command("assign")
@click.option("--annotators", required=True, metavar="A,B,C", help="Comma-separated annotator names.")
@click.option("--overlap", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="Share of statements given to two annotators (the agreement set).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the overlap draw and ties.")
def assign_command(annotators: str, overlap: float, seed: int) -> None:
    """Split the statements into queues (annotations/queues/NAME.txt); re-run after extract to add new ones."""
    from stancebench.annotation.queues import assign

    result = assign(_project(), annotators.split(","), overlap=overlap, seed=seed)
    _warn(result.warnings)
    click.echo(result.as_text())


@_register
@click.command("annotate")
@click.option("--annotator", required=True, help="Your annotator name (letters, digits, '-', '_', '.').")
@click.option("--order", type=click.Choice(["document", "random", "uncertainty"]), default="document",
              show_default=True, help="As in statements.jsonl, shuffled by --seed, or least confident --suggest first.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --order random (same seed, same order).")
@click.option("--max-labels", type=click.IntRange(min=1), default=None,
              help="Only statements with fewer than N labels from all annotators.")
@click.option("--disputed", is_flag=True, help="Only statements on which annotators disagree.")
@click.option("--review", is_flag=True, help="Go through your own labels (with --disputed: the disputed ones).")
@click.option("--only-flagged", is_flag=True, help="Only statements whose speaker the extractor guessed.")
@click.option("--suggest", "suggest", metavar="MODEL",
              help="Show a model's suggestion: path.py[:NAME], MODULE:NAME, a HF folder, or http://host/v1#MODEL.")
@click.option("--refit-every", type=click.IntRange(min=1), default=None,
              help="Refit a --suggest model that has fit() every N labels, in the background.")
def annotate_command(annotator: str, order: str, seed: int, max_labels: int | None, disputed: bool, review: bool,
                     only_flagged: bool, suggest: str | None, refit_every: int | None) -> None:
    """Label statements one key press at a time (s/o/h/x; ? for help).

    Every label is saved the moment you give it; the next session resumes at the first
    statement you have not labelled. Reads one key per line when stdin is not a terminal,
    e.g. printf 's\\no\\nq\\n' | stancebench annotate --annotator bob
    """
    from stancebench.annotation.opening import open_annotation_session

    is_tty = sys.stdin.isatty()
    session = open_annotation_session(
        _project(), annotator, order=order, seed=seed, max_labels=max_labels, is_disputed_only=disputed,
        is_review=review, is_flagged_only=only_flagged, suggest=suggest, refit_every=refit_every,
        ask=_line_reader(is_tty),
    )
    _warn(session.warnings)
    _run_session(session, is_tty)


@_register
@click.command("label")
@click.argument("statement_id")
@click.argument("label")
@click.option("--annotator", required=True, help="Annotator name.")
@click.option("--note", default=None, help="A note to keep with the label.")
def label_command(statement_id: str, label: str, annotator: str, note: str | None) -> None:
    """Give one statement one label (support, oppose, hedge, off_target); a unique id prefix is enough."""
    from stancebench.annotation.labelling import label_statement

    event = label_statement(_project(), statement_id, label, annotator, note)
    click.echo(f"{event.annotator}: {event.statement_id} = {event.label}")


@_register
@click.command("correct")
@click.argument("statement_id")
@click.option("--annotator", required=True, help="Annotator name (the correction goes to this log).")
@click.option("--speaker", default=None, help="The right speaker (the actor table fills in role and affiliation).")
@click.option("--not-statement", is_flag=True, help="Mark it as not a statement (left out of gold and release).")
@click.option("--span", default=None, metavar="trim|extend|start|START:END",
              help="Move the span to a sentence boundary, or to offsets into the article.")
@click.option("--undo", type=click.Choice(["speaker", "not_statement", "span"]), default=None,
              help="Withdraw your correction of this kind.")
@click.option("--note", default=None, help="Why (kept with the correction).")
def correct_command(statement_id: str, annotator: str, speaker: str | None, not_statement: bool, span: str | None,
                    undo: str | None, note: str | None) -> None:
    """Correct the extraction of one statement (speaker, not a statement, span); build applies it."""
    from stancebench.annotation.corrections import correct_statement

    event = correct_statement(_project(), statement_id, annotator, speaker=speaker, not_statement=not_statement,
                              span=span, undo=undo, note=note)
    what = event.correction["kind"].replace("_", " ")
    click.echo(f"{event.annotator}: {event.statement_id} {'undone: ' if event.is_retraction else ''}{what} correction"
               + (f" = {event.correction['speaker']}" if "speaker" in event.correction else ""))


@_register
@click.command("import-labels")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--annotator", required=True, help="Annotator the labels belong to.")
def import_labels_command(file: str, annotator: str) -> None:
    """Append labels from a CSV or JSONL file (statement_id, label, optional note): all rows or none."""
    from stancebench.annotation.labelling import import_labels

    count = import_labels(_project(), file, annotator)
    click.echo(f"imported {count} label(s) for {annotator}")


@_register
@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status_command(as_json: bool) -> None:
    """How far labelling has got: per annotator (queue, labels/hour) and overall, overlap agreement, disputes."""
    from stancebench.annotation.reports import corpus_status

    status = corpus_status(_project())
    _warn(status.warnings)
    click.echo(json.dumps(status.to_dict(), indent=2, sort_keys=True) if as_json else status.as_text())


@_register
@click.command("agreement")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--target", "target_id", metavar="ID", help="Only statements about this target id (multi-target corpora).")
def agreement_command(as_json: bool, target_id: str | None) -> None:
    """Inter-annotator agreement (observed, Cohen, Fleiss, Krippendorff) and how often suggestions are followed."""
    from stancebench.annotation.reports import corpus_agreement

    report = corpus_agreement(_project(), target_id)
    _warn(report.warnings)
    click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if as_json else report.as_table())


@_register
@click.command("adjudicate")
@click.option("--interactive", is_flag=True, help="Decide disputed statements one key press at a time.")
@click.option("--adjudicator", default=None, help="Your name, recorded with each decision (needed with --interactive).")
def adjudicate_command(interactive: bool, adjudicator: str | None) -> None:
    """Derive gold labels (single, unanimous, majority, adjudicated) into annotations/gold.jsonl."""
    from stancebench.annotation.adjudication import adjudicate_corpus
    from stancebench.annotation.opening import open_adjudication_session

    project = _project()
    if interactive:
        if not adjudicator:
            from stancebench.errors import StancebenchError

            raise StancebenchError("--interactive needs --adjudicator NAME")
        is_tty = sys.stdin.isatty()
        session = open_adjudication_session(project, adjudicator, ask=_line_reader(is_tty))
        _warn(session.warnings)
        _run_session(session, is_tty)
        click.echo("")
    result = adjudicate_corpus(project)
    _warn(result.warnings)
    click.echo(result.as_text())
