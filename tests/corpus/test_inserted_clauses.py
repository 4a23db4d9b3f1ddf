"""Clauses set off by commas: an attribution inside its content ('The decision, officials said, applies only to …'),
and a source or a cue in a relative clause ('Scholz, who has said …, met Macron', 'the missiles, which Blinken said …')."""

from __future__ import annotations

import pytest

from tests.support import attributions


def _statements(text: str) -> list[tuple[str, str]]:
    return [(speaker, " ".join(content.split())) for speaker, _, content in attributions(f"Headline words here\n\n{text}\n")]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("The decision, officials said, applies only to targets near Kharkiv.", "officials"),
        ("The new policy, Blinken said on Friday, would let Ukraine strike back at forces across the border.",
         "Antony Blinken"),
        ("Ukraine, Foreign Minister Dmytro Kuleba said, needs permission to strike the launch sites.", "Dmytro Kuleba"),
        ("In the end, Scholz said, the decision on Taurus missiles rests with Germany alone.", "Olaf Scholz"),
        ("Such strikes, two US officials said earlier, remain limited to the area around Kharkiv.", "U.S. officials"),
        ("Any attack on Russian soil, the Kremlin said in a statement, would be met with a response.", "Kremlin"),
        ("Kyiv, Anna Novak said yesterday, “has every right” to hit the bases used against it.", "Anna Novak"),
    ],
)
def test_the_content_is_the_whole_clause_around_the_attribution(sentence, speaker):
    assert _statements(sentence) == [(speaker, sentence.rstrip("."))]


def test_a_pronoun_takes_the_previous_speaker():
    got = _statements("Maria Zakharova spoke on Thursday. Western capitals, she said, were escalating the conflict.")
    assert got == [("Maria Zakharova", "Western capitals, she said, were escalating the conflict")]


def test_a_coordinated_clause_starts_the_content():
    got = _statements("Peskov spoke first. The policy, he said, was wrong, and the White House, officials said on "
                      "Monday, would revisit it.")
    assert got == [("Dmitry Peskov", "The policy, he said, was wrong"),
                   ("officials", "the White House, officials said on Monday, would revisit it")]


@pytest.mark.parametrize(
    ("sentence", "content"),
    [
        ("The step is risky, Peskov said on Monday, as talks stalled in Geneva.", "The step is risky"),
        ("The step is risky, Peskov said, with a nod to the range of the missiles.", "The step is risky"),
        ("The plan is a sound one, Peskov said, and Moscow is studying it.", "The plan is a sound one"),
        ("The plan is a sound one, Peskov said, while officials in Kyiv were more cautious.", "The plan is a sound one"),
        ("The plan is a sound one, Peskov said, which surprised his critics.", "The plan is a sound one"),
    ],
)
def test_a_new_clause_after_the_attribution_leaves_the_content_before_it(sentence, content):
    assert _statements(sentence) == [("Dmitry Peskov", content)]


@pytest.mark.parametrize(
    "sentence",
    [
        "The decision, he said, applies only to targets near Kharkiv.",  # a pronoun with no one before it
        "The decision, it was said, applies only to targets near Kharkiv.",  # no source
    ],
)
def test_no_source_no_statement(sentence):
    assert _statements(sentence) == []


@pytest.mark.parametrize(
    "cue",
    ["who said", "who has said", "who has repeatedly said", "who said on Monday that", "who has argued that", "who warned that"],
)
def test_a_relative_clause_cue_ends_where_the_clause_does(cue):
    got = _statements(f"Olaf Scholz, {cue} Germany would not send Taurus missiles, met Emmanuel Macron in Paris.")
    assert got == [("Olaf Scholz", "Germany would not send Taurus missiles")]


@pytest.mark.parametrize("main_clause", ["", ", met Emmanuel Macron in Paris", " and then flew home"])
def test_a_relative_clause_source(main_clause):
    got = _statements(f"Ukraine wants more missiles, which Scholz said would stop the attacks on Kharkiv{main_clause}.")
    if main_clause.startswith(" and"):  # no comma closes the clause: the content runs on
        assert got[-1] == ("Olaf Scholz", "would stop the attacks on Kharkiv and then flew home")
    else:
        assert got == [("Olaf Scholz", "would stop the attacks on Kharkiv")]


def test_a_relative_clause_source_inside_another_statement_cuts_it():
    got = _statements("Antony Blinken arrived in Kyiv. The US has accused Tehran of sending missiles, which Blinken said "
                      "made a decision on the request more urgent.")
    assert got == [("United States", "Tehran of sending missiles"),
                   ("Antony Blinken", "made a decision on the request more urgent")]


def test_commas_that_do_not_close_the_clause():
    got = _statements("Olaf Scholz, who said the plan, if adopted, would fail, and that Kyiv knew it, met Macron.")
    assert got[0] == ("Olaf Scholz", "the plan, if adopted, would fail, and that Kyiv knew it")


@pytest.mark.parametrize("clause", ["who met his American counterpart last week", "who faces an election next year",
                                    "who spoke after the meeting in Ramstein"])
@pytest.mark.parametrize("cue", ["has vowed to", "said he would", "also promised to"])
def test_a_relative_clause_between_the_source_and_its_cue(clause, cue):
    got = _statements(f"Defence Minister Rustem Umerov, {clause}, {cue} keep raising the issue at every meeting.")
    assert got[0][0] == "Rustem Umerov"
    assert got[0][1].endswith("keep raising the issue at every meeting")


@pytest.mark.parametrize("aside", ["who spoke on condition of anonymity", "speaking on condition of anonymity",
                                   "briefing reporters in Kyiv", "who was not authorised to speak publicly"])
def test_an_aside_between_a_quotes_source_and_its_cue(aside):
    got = attributions(f"Headline words here\n\n“There is no change in our policy,” a senior official, {aside}, said.\n")
    assert got == [("senior official", "direct", "There is no change in our policy")]


@pytest.mark.parametrize("lead", ["His answer was shorter", "His response was blunt", "His message to allies was simple"])
def test_his_answer_colon_quote(lead):
    got = attributions(f"Headline words here\n\nPal Jonson, Sweden's defence minister, was asked the same question. {lead}: "
                       "\"Our weapons are Ukraine's weapons.\"\n")
    assert got[-1] == ("Pal Jonson", "direct", "Our weapons are Ukraine's weapons.")


@pytest.mark.parametrize("put", ["put it in a Bundestag debate on Wednesday", "put it", "put it bluntly"])
def test_as_x_put_it_before_a_colon_quote(put):
    got = attributions(f"Headline words here\n\nGermany's caution is hardly new, as the Green politician Agnieszka Brugger "
                       f"{put}: \"We have been too late with every decision.\"\n")
    assert got == [("Agnieszka Brugger", "indirect", "Germany's caution is hardly new"),
                   ("Agnieszka Brugger", "direct", "We have been too late with every decision.")]


def test_x_put_it_bluntly_colon_quote():
    got = attributions("Headline words here\n\nAgnieszka Brugger put it bluntly in a debate: \"We have been too late.\"\n")
    assert got == [("Agnieszka Brugger", "direct", "We have been too late.")]
