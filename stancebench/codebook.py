"""The codebook in code: the bundled target and the label definitions, one source for the dataset
card, the chat prompt, the NLI hypothesis and `stancebench init`. `annotations/GUIDELINES.md`
holds the full codebook for annotators."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "TARGET_ID",
    "TARGET",
    "TARGET_KEYWORDS",
    "LABEL_DEFINITIONS",
    "GENERIC_LABEL_DEFINITIONS",
    "is_bundled_target",
    "label_definitions",
    "system_prompt",
]

#: The bundled corpus's target.
TARGET_ID = "lift-ukraine-strike-restrictions"
TARGET = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
#: The topic filter's default for the bundled target (dumps and crawls): an article is kept when it
#: mentions a word of every group (case-insensitive, whole words; a trailing `*` matches any ending).
TARGET_KEYWORDS: tuple[tuple[str, ...], ...] = (
    ("Ukrain*", "Kyiv", "Kiev", "Zelensky*", "Zelenskiy"),
    ("Russia*", "Kremlin", "Moscow", "Putin"),
    ("weapon*", "missile*", "ATACMS", "Storm Shadow", "SCALP", "HIMARS", "Taurus", "long-range", "arms",
     "strike*", "restriction*", "red line*"),
)

LABEL_DEFINITIONS: dict[str, str] = {
    "support": "favours lifting or loosening the restrictions: argues the target country must be able to hit "
    "the places it is attacked from, requests permission, criticises the restrictions.",
    "oppose": "favours keeping them: warns of escalation or retaliation tied to the strikes or weapons, threatens "
    "consequences, restates the ban as settled policy.",
    "hedge": "deliberately takes no position: 'under consideration', 'no decision yet', openness to adapting "
    "without commitment, conditions that name no targets, ambiguous promises.",
    "off_target": "takes no position on the restrictions (about something else, or relaying a decision with no "
    "stance of its own). Annotation only: in the `annotations` config, never in `default`.",
}

#: For corpora on other targets (`stancebench init`): the same codebook in general terms.
GENERIC_LABEL_DEFINITIONS: dict[str, str] = {
    "support": "favours the target: argues for it, requests it, criticises what stands in its way.",
    "oppose": "favours the status quo against the target: warns of its consequences, threatens a response, "
    "restates the current position as settled policy.",
    "hedge": "deliberately takes no position: 'under consideration', 'no decision yet', openness without "
    "commitment, ambiguous promises.",
    "off_target": "takes no position on the target (about something else, or relaying a decision with no "
    "stance of its own). Annotation only: in the `annotations` config, never in `default`.",
}


def is_bundled_target(target_ids: str | Iterable[str] | None) -> bool:
    """Is this the bundled target (or no target named at all)?"""
    if target_ids is None or target_ids == "":
        return True
    ids = {target_ids} if isinstance(target_ids, str) else set(target_ids)
    return ids == {TARGET_ID}


def label_definitions(target_ids: str | Iterable[str] | None) -> dict[str, str]:
    """The label definitions for a target (or a release's targets): specific for the bundled one, general otherwise."""
    return LABEL_DEFINITIONS if is_bundled_target(target_ids) else GENERIC_LABEL_DEFINITIONS


def system_prompt(target_id: str | None, labels: Iterable[str] = ("support", "oppose", "hedge")) -> str:
    """The instructions a chat model gets: the label definitions for the statement's target."""
    definitions = label_definitions(target_id)
    labels = list(labels)
    toward = f"toward {TARGET[0].lower()}{TARGET[1:]}" if is_bundled_target(target_id) else "toward a target"
    lines = [f"You label the stance of one statement from a news article {toward}.", "", "Labels:"]
    lines += [f"- {label}: {definitions[label]}" for label in labels]
    lines += [
        "",
        "Label the statement by its own content, reading its context only to understand it.",
        f"Answer with exactly one word: {', '.join(labels[:-1])} or {labels[-1]}.",
    ]
    return "\n".join(lines)
