"""Commands for the evaluation stage: `eval` (score a model or predictions) and `compare` (two reports)."""

from __future__ import annotations

import click

from stancebench.commands import echo_warnings as _echo_warnings
from stancebench.commands import find_corpus

__all__ = ["COMMANDS", "eval_command", "compare_command", "lm_eval_task_command"]


def _release_dir(ctx: click.Context, release: str | None) -> str | None:
    # --release wins; else the release of the corpus the command runs in (--root, or found from the
    # cwd like every other command); outside any corpus, None: the bundled one.
    if release is not None:
        return release
    project = find_corpus(ctx)
    return None if project is None else str(project.release_dir)


def _print(renderable) -> None:
    from rich.console import Console

    Console().print(renderable)


def _language_model_options(command):
    """The options for language models (--endpoint, --hf-model on a causal LM) and quick runs."""
    options = [
        click.option("--prompt-template", type=click.Path(exists=True, dir_okay=False),
                     help="A user-prompt template file: {text} {context} {speaker} {target} {label_definitions} {labels}."),
        click.option("--shots", default=0, show_default=True, type=click.IntRange(0, 64),
                     help="k-shot examples per item, drawn (seeded) from the training rows, never the scored ones."),
        click.option("--lm-mode", type=click.Choice(["loglik", "generate"]), default="loglik", show_default=True,
                     help="--hf-model on a causal LM: score each label's log-likelihood (as lm-eval), or generate."),
        click.option("--limit", type=click.IntRange(1), help="Score a seeded sample of N gold items (a quick run)."),
        click.option("--log-samples", type=click.Path(dir_okay=False),
                     help="Write each item's exact prompt, raw answer and parsed label here (JSONL)."),
        click.option("--fail-fast", is_flag=True,
                     help="Stop the run when one --endpoint request exhausts its retries (default: count it missing)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("eval")
@click.option("--predictions", type=click.Path(dir_okay=False), help="Predictions file (JSONL, CSV or parquet: id, label).")
@click.option("--model", "model_spec", metavar="PATH.py[:NAME]|MODULE:NAME",
              help="A Python model: an object with predict(examples).")
@click.option("--hf-model", type=click.Path(file_okay=False), help="A local Hugging Face classifier or NLI model folder.")
@click.option("--endpoint", metavar="URL", help="An OpenAI-compatible chat-completions endpoint (e.g. http://localhost:8000/v1).")
@click.option("--model-name", help="Model name sent to --endpoint.")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True, help="Environment variable holding the API key.")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256), help="Parallel requests to --endpoint.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(0.1),
              help="Deadline in seconds for each request, however slowly the server sends.")
@click.option("--max-retries", default=5, show_default=True, type=click.IntRange(0, 20),
              help="Retries of a request on HTTP 5xx, a dropped connection or the deadline.")
@click.option("--temperature", default=0.0, show_default=True, type=float, help="Sampling temperature for --endpoint.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Answer cache for --endpoint [default: ~/.cache/stancebench/chat].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the --endpoint answer cache.")
@click.option("--system-prompt", type=click.Path(exists=True, dir_okay=False),
              help="A file whose text replaces the codebook system prompt sent to --endpoint.")
@click.option("--hypothesis", help="Zero-shot NLI hypothesis template: {} for the label phrase, {target} for the target.")
@click.option("--trust-remote-code", is_flag=True, help="Allow --hf-model to run code shipped with the model.")
@click.option("--use-context", is_flag=True, help="Give --hf-model the context sentence(s) before the statement.")
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1), help="Batch size for --hf-model.")
@click.option("--label-map", metavar="A=support,B=oppose|FILE.json", help="Map other label names to support/oppose/hedge.")
@click.option("--split", default="test", show_default=True, help="Gold split to score ('all' for every row).")
@click.option("--gold", type=click.Path(dir_okay=False),
              help="A labelled file (id, text, label; optional split) to score instead of the release.")
@click.option("--release", type=click.Path(),
              help="Release folder [default: the corpus's release, else the dataset bundled with stancebench].")
@click.option("--train", "train", metavar="release|FILE",
              help="What a model with fit() is fitted on: the release's train split, or a labelled file "
                   "[default: the --gold file's own train rows, else the release's train split].")
@click.option("--cv", type=click.IntRange(2), help="Speaker-grouped K-fold cross-validation over all items (models with fit).")
@click.option("--no-fit", is_flag=True, help="Do not call the model's fit() on the train split.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for folds and bootstrap.")
@click.option("--resamples", default=1000, show_default=True, type=click.IntRange(1), help="Bootstrap resamples.")
@click.option("--bootstrap", "bootstrap", type=click.Choice(["items", "stratified", "article"]), default="items",
              show_default=True,
              help="Resample items, items within gold class, or whole articles (cluster bootstrap).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the JSON report here.")
@click.option("--plot", type=click.Path(dir_okay=False), help="Write a confusion-matrix heatmap (PNG) here.")
@_language_model_options
@click.pass_context
def eval_command(ctx: click.Context, predictions, model_spec, hf_model, endpoint, model_name, api_key_env, concurrency,
                 timeout, max_retries, temperature, cache_dir, no_cache, system_prompt, hypothesis, trust_remote_code,
                 use_context, batch_size, label_map, split, gold, release, train, cv, no_fit, seed, resamples,
                 bootstrap, output, plot, **lm) -> None:
    """Score predictions or a model: metrics with 95% bootstrap CIs, a JSON report and a plot."""
    sources = [x for x in (predictions, model_spec, hf_model, endpoint) if x]
    if len(sources) != 1:
        raise click.UsageError("give exactly one of --predictions, --model, --hf-model, --endpoint")
    from stancebench.evaluation.scoring import evaluate
    from stancebench.models.loading import load_model
    from stancebench.store import check_output_file

    for path in (output, plot, lm["log_samples"]):  # before any work: a bad path fails in one line, not after
        if path:
            check_output_file(path)
    release = _release_dir(ctx, release) if gold is None else release
    prompting = _prompting(lm, system_prompt, seed)
    if hf_model:
        model, descriptor = load_model("hf", hf_model, hypothesis=hypothesis, batch_size=batch_size,
                                       trust_remote_code=trust_remote_code, use_context=use_context,
                                       mode=lm["lm_mode"], **prompting)
    elif endpoint:
        model, descriptor = load_model(
            "chat", endpoint, model_name=model_name, api_key_env=api_key_env, temperature=temperature,
            concurrency=concurrency, timeout=timeout, max_retries=max_retries, cache_dir=cache_dir,
            use_cache=not no_cache, fail_fast=lm["fail_fast"], **prompting,
        )
    elif model_spec:
        model, descriptor = load_model("python", model_spec)
    else:
        model = None
        predictions_file = predictions
        predictions, descriptor = _read_predictions(predictions)
    for flag, given in (("--log-samples", lm["log_samples"]), ("--shots", lm["shots"]),
                        ("--prompt-template", lm["prompt_template"])):
        if given and not hasattr(model, "samples_"):
            raise click.UsageError(f"{flag} needs a language model: --endpoint, or --hf-model on a causal LM")
    report = evaluate(
        predictions=predictions, model=model, split=split, gold_file=gold, release=release, cv=cv,
        resamples=resamples, seed=seed, label_map=label_map, bootstrap=bootstrap, fit=not no_fit,
        model_descriptor=descriptor, train=train, limit=lm["limit"],
    )
    _record_provenance(ctx, report, predictions=predictions_file if model is None else None, model_spec=model_spec,
                       hf_model=hf_model, gold=gold, prompt_template=lm["prompt_template"], system_prompt=system_prompt,
                       train=train)
    _echo_warnings(report.warnings)
    if lm["log_samples"]:
        from stancebench.evaluation.harness import write_samples

        count = write_samples(lm["log_samples"], model.samples_, report.ids, report.gold, report.pred)
        click.echo(f"{count} samples written to {lm['log_samples']}", err=True)
    _print(report)
    if output:
        report.save(output)
        click.echo(f"Report written to {output}", err=True)
    if plot:
        report.plot(plot)
        click.echo(f"Plot written to {plot}", err=True)


@click.command("compare")
@click.argument("report_a", type=click.Path(dir_okay=False))
@click.argument("report_b", type=click.Path(dir_okay=False))
@click.option("--resamples", default=1000, show_default=True, type=click.IntRange(1), help="Bootstrap resamples.")
@click.option("--seed", default=0, show_default=True, type=int, help="Bootstrap seed.")
@click.option("--bootstrap", type=click.Choice(["items", "stratified", "article"]), default="items", show_default=True,
              help="Resample items, items within gold class, or whole articles (cluster bootstrap).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the comparison as JSON here.")
def compare_command(report_a: str, report_b: str, resamples: int, seed: int, bootstrap: str, output: str | None) -> None:
    """Compare two eval reports on their common items: paired bootstrap and McNemar's exact test."""
    from stancebench.evaluation.comparison import compare
    from stancebench.store import check_output_file

    if output:
        check_output_file(output)
    result = compare(report_a, report_b, resamples=resamples, seed=seed, bootstrap=bootstrap)
    _echo_warnings(result.warnings)
    _print(result)
    if output:
        result.save(output)
        click.echo(f"Comparison written to {output}", err=True)


@click.command("lm-eval-task")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--release", type=click.Path(), help="Release folder [default: the dataset bundled with stancebench].")
@click.pass_context
def lm_eval_task_command(ctx: click.Context, folder: str, release: str | None) -> None:
    """Write an lm-evaluation-harness task over the release (run: lm_eval --tasks stancebench --include_path FOLDER)."""
    from stancebench.evaluation.harness import write_task
    from stancebench.release.dataset import packaged_release_dir

    path = write_task(folder, _release_dir(ctx, release) or packaged_release_dir())
    click.echo(f"Task written to {path}; run: lm_eval --model ... --tasks stancebench --include_path {folder} "
               "--log_samples --output_path OUT, then stancebench eval --predictions OUT/<model>/samples_stancebench_*.jsonl")


COMMANDS: list[click.Command] = [eval_command, compare_command, lm_eval_task_command]


def _read_prompt(path: str | None) -> str | None:
    if path is None:
        return None
    from stancebench.store import read_bytes

    try:
        text = read_bytes(path).decode("utf-8").strip()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    if not text:
        raise click.ClickException(f"{path}: empty system prompt")
    return text


def _prompting(lm: dict, system_prompt: str | None, seed: int) -> dict:
    from stancebench.models.prompts import PromptTemplate

    template = PromptTemplate.from_file(lm["prompt_template"]) if lm["prompt_template"] else None
    return {"system_prompt": _read_prompt(system_prompt), "template": template, "shots": lm["shots"], "seed": seed}


def _read_predictions(path: str):
    # lm-evaluation-harness's --log_samples output is read as predictions too.
    from stancebench.evaluation.harness import is_lm_eval_samples, lm_eval_run, read_lm_eval_samples

    if is_lm_eval_samples(path):
        return read_lm_eval_samples(path), {"type": "lm_eval_samples", "path": path, "lm_eval": lm_eval_run(path)}
    return path, None


def _record_provenance(ctx: click.Context, report, *, predictions, model_spec, hf_model, gold, prompt_template,
                       system_prompt, train) -> None:
    from pathlib import Path

    from stancebench.evaluation.provenance import collect

    model_file = model_spec.rpartition(":")[0] if model_spec and ":" in model_spec and not Path(model_spec).is_file() \
        else model_spec
    inputs = {"predictions": predictions, "model_file": model_file, "gold": gold, "prompt_template": prompt_template,
              "system_prompt": system_prompt, "train": train if train != "release" else None,
              "model_config": str(Path(hf_model) / "config.json") if hf_model else None}
    project = find_corpus(ctx)
    report.provenance = collect(inputs=inputs, corpus=project.root if project is not None else ".")
