"""Commands for the annotation stage: annotate, label, import-labels, status, agreement, adjudicate.

Each command reads its options, calls stancebench.annotation.session / stancebench.annotation.agreement / stancebench.store
and prints the result. Library imports happen inside the commands, so `--help` stays instant.
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
    try:
        while True:
            outcome = session.handle_key(read_key())
            if outcome.is_finished:
                click.echo(outcome.message)
                return
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


@_register
@click.command("annotate")
@click.option("--annotator", required=True, help="Your annotator name (letters, digits, '-', '_', '.').")
@click.option("--order", type=click.Choice(["corpus", "shuffle"]), default="corpus", show_default=True,
              help="Order of statements: as in statements.jsonl, or shuffled by --seed.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --order shuffle (same seed, same order).")
@click.option("--max-labels", type=click.IntRange(min=1), default=None,
              help="Only statements with fewer than N labels from all annotators.")
@click.option("--disputed", is_flag=True, help="Only statements on which annotators disagree.")
def annotate_command(annotator: str, order: str, seed: int, max_labels: int | None, disputed: bool) -> None:
    """Label statements one key press at a time (s/o/h/x; ? for help).

    Every label is saved the moment you give it; the next session resumes at the first
    statement you have not labelled. Reads one key per line when stdin is not a terminal,
    e.g. printf 's\\no\\nq\\n' | stancebench annotate --annotator bob
    """
    from stancebench.annotation.session import open_annotation_session

    is_tty = sys.stdin.isatty()
    problems: list[str] = []
    session = open_annotation_session(
        _project(), annotator, order=order, seed=seed, max_labels=max_labels,
        is_disputed_only=disputed, ask=_line_reader(is_tty), problems=problems,
    )
    _warn(problems)
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
    """How far labelling has got: per annotator and overall."""
    from stancebench.annotation.labelling import load_statements
    from stancebench.annotation.labels import current_labels, labelling_status
    from stancebench.store import read_label_logs

    project = _project()
    problems: list[str] = []
    statements = load_statements(project)
    status = labelling_status(statements, current_labels(read_label_logs(project.labels_dir, problems=problems)))
    _warn(problems)
    if as_json:
        click.echo(json.dumps(status, indent=2, sort_keys=True))
        return
    click.echo(
        f"statements: {status['statements']} (stale, left out: {status['stale_statements']})\n"
        f"labelled: {status['labelled']}  unlabelled: {status['unlabelled']}\n"
        f"with 1 label: {status['with_1_label']}  2 labels: {status['with_2_labels']}  "
        f"3+ labels: {status['with_3_or_more_labels']}\n"
        f"disputed: {status['disputed']}"
    )
    if status["labels_on_unknown_or_stale_statements"]:
        click.echo(f"labels on unknown or stale statements: {status['labels_on_unknown_or_stale_statements']}")
    if not status["annotators"]:
        click.echo("no labels yet")
    for name, mine in status["annotators"].items():
        by_label = ", ".join(f"{label} {count}" for label, count in mine["by_label"].items())
        click.echo(
            f"  {name}: labelled {mine['labelled']}/{status['statements']}, remaining {mine['remaining']}, "
            f"disputed {mine['disputed']} ({by_label})"
        )


@_register
@click.command("agreement")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--target", "target_id", metavar="ID", help="Only statements about this target id (multi-target corpora).")
def agreement_command(as_json: bool, target_id: str | None) -> None:
    """Inter-annotator agreement: observed, Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha."""
    from stancebench.annotation import agreement
    from stancebench.annotation.labels import current_labels
    from stancebench.errors import StancebenchError
    from stancebench.store import read_label_logs, read_statements

    project = _project()
    problems: list[str] = []
    current = current_labels(read_label_logs(project.labels_dir, problems=problems))
    statements = read_statements(project.statements_path) if project.statements_path.exists() else None
    if target_id is not None:
        if statements is None:
            raise StancebenchError(f"{project.statements_path}: file not found; --target needs the statements")
        known = sorted({s.target_id for s in statements})
        if target_id not in known:
            raise StancebenchError(f"unknown target id {target_id!r} (statements have: {', '.join(known) or 'none'})")
        statements = [s for s in statements if s.target_id == target_id]
    if statements is not None:  # labels on stale or removed statements (or other targets) do not count
        live = {s.id for s in statements if not s.is_stale}
        current = {sid: labels for sid, labels in current.items() if sid in live}
    _warn(problems)
    summary = agreement.summarise(current, statements)
    click.echo(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) if as_json else summary.as_table())


@_register
@click.command("adjudicate")
@click.option("--interactive", is_flag=True, help="Decide disputed statements one key press at a time.")
@click.option("--adjudicator", default=None, help="Your name, recorded with each decision (needed with --interactive).")
def adjudicate_command(interactive: bool, adjudicator: str | None) -> None:
    """Derive gold labels (single, unanimous, majority, adjudicated) into annotations/gold.jsonl."""
    from stancebench.annotation.labelling import load_statements
    from stancebench.annotation.session import open_adjudication_session
    from stancebench.errors import StancebenchError

    project = _project()
    problems: list[str] = []
    if interactive:
        if not adjudicator:
            raise StancebenchError("--interactive needs --adjudicator NAME")
        is_tty = sys.stdin.isatty()
        session = open_adjudication_session(project, adjudicator, ask=_line_reader(is_tty), problems=problems)
        _warn(problems)
        problems = []
        _run_session(session, is_tty)
        click.echo("")
    from stancebench.annotation import labels
    from stancebench.annotation.adjudication import adjudicate
    from stancebench.store import read_label_log, read_label_logs, write_jsonl_atomic

    statements = load_statements(project)
    logs = read_label_logs(project.labels_dir, problems=problems)
    path = project.adjudications_path
    decision_log = read_label_log(path, problems=problems) if path.exists() and path.stat().st_size else []
    _warn(problems)
    gold, unresolved = adjudicate(
        statements,
        labels.current_labels(logs),
        labels.latest_decisions(decision_log),
        project.target_id,
        notes=labels.current_notes(logs),
    )
    write_jsonl_atomic(project.gold_path, [g.to_json() for g in gold])
    from collections import Counter

    counts = Counter(g.method for g in gold)
    summary = ", ".join(f"{method} {counts[method]}" for method in ("single", "unanimous", "majority", "adjudicated"))
    click.echo(f"wrote {len(gold)} gold label(s) to {project.gold_path} ({summary})")
    if unresolved:
        click.echo(f"{len(unresolved)} disputed statement(s) without a decision "
                   f"(stancebench adjudicate --interactive --adjudicator NAME):")
        for sid in unresolved:
            click.echo(f"  {sid}")
