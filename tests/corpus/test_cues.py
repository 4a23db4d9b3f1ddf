"""Cue forms, one class per test, several variants each (verbs, names, punctuation)."""

from __future__ import annotations

import random

import pytest

from stancebench.corpus import cues
from tests.support import attributions


def _one(text: str) -> tuple[str, str, str]:
    got = attributions("Headline words here\n\n" + text + "\n")
    assert len(got) == 1, got
    return got[0]


def _content(text: str) -> str:
    return " ".join(_one(text)[2].split())


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Ukraine's request to use the missiles on Russian bases has won support in Paris.", "Ukraine",
         "use the missiles on Russian bases"),
        ("Kyiv’s renewed calls for permission to strike airfields were discussed on Monday.", "Ukraine",
         "permission to strike airfields"),
        ("Poland's demands that the limits be dropped go back to the spring.", "Poland", "the limits be dropped"),
        ("Antony Blinken spoke first. His repeated appeals for a decision drew no answer.", "Antony Blinken",
         "a decision"),
    ],
)
def test_noun_cues_with_a_possessive_source(sentence, speaker, content):
    got = attributions(f"Headline words here\n\n{sentence}\n")
    assert got[-1][0] == speaker and " ".join(got[-1][2].split()) == content


@pytest.mark.parametrize(
    "sentence",
    [
        "The embassy did not respond to a request for comment.",
        "No request has formally been put to the alliance, a diplomat noted.",
        "Calls for calm went unanswered.",
    ],
)
def test_noun_cues_without_a_source_are_not_statements(sentence):
    assert all(s[2].split()[0] != "comment" for s in attributions(f"Headline words here\n\n{sentence}\n"))
    assert not [s for s in attributions(f"Headline words here\n\n{sentence}\n") if s[0] in ("embassy", "Calls")]


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Olaf Scholz made clear that the rules had not changed.", "Olaf Scholz", "the rules had not changed"),
        ("Sergei Lavrov made it clear the West would pay a price.", "Sergei Lavrov", "the West would pay a price"),
        ("Jens Stoltenberg, speaking in Oslo, made clear allies were ready to act.", "Jens Stoltenberg",
         "allies were ready to act"),
    ],
)
def test_made_clear(sentence, speaker, content):
    assert _one(sentence)[0] == speaker and _content(sentence) == content


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Kyiv has been urging its partners to drop the limits since May.", "Ukraine", "drop the limits since May"),
        ("Dmytro Kuleba urged allies not to wait for the next offensive.", "Dmytro Kuleba",
         "not to wait for the next offensive"),
        ("Washington has asked Kyiv not to use the rockets on Russian soil.", "United States",
         "not to use the rockets on Russian soil"),
        ("Emmanuel Macron is pressing Berlin to let Ukraine fire the missiles.", "Emmanuel Macron",
         "let Ukraine fire the missiles"),
    ],
)
def test_object_then_infinitive(sentence, speaker, content):
    assert _one(sentence)[0] == speaker and _content(sentence) == content


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Rishi Sunak pledged to keep sending aid for as long as it takes.", "Rishi Sunak",
         "keep sending aid for as long as it takes"),
        ("Olaf Scholz has vowed not to send the Taurus missiles.", "Olaf Scholz", "not to send the Taurus missiles"),
        ("Antony Blinken promised to review the requests with urgency.", "Antony Blinken",
         "review the requests with urgency"),
    ],
)
def test_infinitive_content(sentence, speaker, content):
    assert _one(sentence)[0] == speaker and _content(sentence) == content


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Maria Zakharova called the remarks a provocation aimed at Moscow.", "Maria Zakharova",
         "a provocation aimed at Moscow"),
        ("Sergei Lavrov called it “a dangerous game” with a nuclear power.", "Sergei Lavrov",
         "“a dangerous game” with a nuclear power"),
        ("Dmytro Kuleba described the decision as overdue but welcome.", "Dmytro Kuleba", "overdue but welcome"),
    ],
)
def test_called_it(sentence, speaker, content):
    assert _one(sentence)[0] == speaker and _content(sentence) == content


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Jens Stoltenberg cited the shelling of Kharkiv as the reason to act.", "Jens Stoltenberg",
         "the shelling of Kharkiv as the reason to act"),
        ("The Daily Ledger reported that the decision had been made a week earlier.", "Daily Ledger",
         "the decision had been made a week earlier"),
    ],
)
def test_cited_and_reported_with_a_named_source(sentence, speaker, content):
    assert _one(sentence)[0] == speaker and _content(sentence) == content


def test_agentless_reported_is_not_a_statement():
    assert attributions("Headline words here\n\nIt was reported that a decision could come in July.\n") == []


@pytest.mark.parametrize(
    ("sentence", "first", "second"),
    [
        ("John Kirby said there was no change to announce, arguing that strikes were one tool among many.",
         "there was no change to announce", "strikes were one tool among many"),
        ("Andrii Sybiha welcomed the U.S. decision, calling the move “long overdue.”",
         "the U.S. decision", "“long overdue.”"),
        ("Pat Ryder said the U.S. would keep evaluating requests, stating that the policy was under review.",
         "the U.S. would keep evaluating requests", "the policy was under review"),
    ],
)
def test_participle_cues_take_the_main_clause_speaker(sentence, first, second):
    got = attributions(f"Headline words here\n\n{sentence}\n")
    assert [" ".join(t.split()) for _, _, t in got] == [first, second]
    assert len({speaker for speaker, _, _ in got}) == 1


def test_participle_cue_after_a_non_speech_verb():
    got = attributions("Headline words here\n\nA group of senators sent a letter to the White House on Thursday, "
                       "stating that the limits were costing lives.\n")
    assert [(s, t) for s, _, t in got] == [("group of senators", "the limits were costing lives")]


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("The step is risky, Dmitry Peskov said Monday, as talks stalled.", "Dmitry Peskov", "The step is risky"),
        ("Policy has not changed, a Downing Street spokesman said on Friday, as critics demanded answers.",
         "Downing Street spokesman", "Policy has not changed"),
        ("The plan is sound, French and German leaders said.", "French and German leaders", "The plan is sound"),
        ("The whole debate is premature, Belgian and Dutch diplomats said privately, because no request was made.",
         "Belgian and Dutch diplomats", "The whole debate is premature"),
    ],
)
def test_content_before_the_cue(sentence, speaker, content):
    got = attributions(f"Headline words here\n\n{sentence}\n")
    assert (got[0][0], " ".join(got[0][2].split())) == (speaker, content)


@pytest.mark.parametrize("place", ["in Meseberg, Germany,", "at a long joint news conference with Olaf Scholz in Meseberg,"
                                   " north of Berlin, on Tuesday"])
def test_long_gap_between_cue_and_that(place):
    sentence = f"Emmanuel Macron said {place} that Ukraine should be allowed to hit the bases."
    assert _one(sentence)[0] == "Emmanuel Macron"
    assert _content(sentence) == "Ukraine should be allowed to hit the bases"


@pytest.mark.parametrize(
    ("headline", "speaker", "content"),
    [
        ("Zelensky on the use of Western weapons against targets in Russia: Partners must let us defend our cities",
         "Volodymyr Zelensky", "Partners must let us defend our cities"),
        ("Kuleba on the Kharkiv offensive and the weapons debate: Every restriction costs us ground",
         "Dmytro Kuleba", "Every restriction costs us ground"),
    ],
)
def test_headline_colon_after_a_long_topic(headline, speaker, content):
    got = attributions(f"{headline}\n\nThe minister spoke in Kyiv.\n")
    assert got[0][:1] == (speaker,) and got[0][2] == content


@pytest.mark.parametrize("verb", ["stated", "said", "announced"])
def test_cue_in_the_next_sentence(verb):
    got = attributions("Headline words here\n\nUkraine needs permission to hit the positions that shell Kharkiv. "
                       f"This was {verb} by President Volodymyr Zelensky in his evening address.\n")
    assert got == [("Volodymyr Zelensky", "indirect", "Ukraine needs permission to hit the positions that shell Kharkiv")]


@pytest.mark.parametrize(
    "sentence",
    [
        "When asked whether Volodymyr Zelensky had said that permission was granted, Lloyd Austin responded evasively.",
        "Asked if Olaf Scholz had promised the missiles, the spokesman declined to comment.",
    ],
)
def test_a_journalists_question_is_no_statement(sentence):
    assert attributions(f"Headline words here\n\n{sentence}\n") == []


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("Radoslaw Sikorski wrote on X: “Ukraine has the right to strike the bases.”", "Radoslaw Sikorski"),
        ("Dmytro Kuleba posted on Telegram: \"Lift the limits now.\"", "Dmytro Kuleba"),
        ("Sergei Lavrov said in a statement: “The West is playing with fire.”", "Sergei Lavrov"),
    ],
)
def test_cue_and_place_before_a_colon_quote(sentence, speaker):
    assert _one(sentence)[:2] == (speaker, "direct")


@pytest.mark.parametrize(
    ("sentence", "contents"),
    [
        ("Peter Szijjarto called the decision “very dangerous” and said Washington was prolonging the war.",
         ["“very dangerous”", "Washington was prolonging the war"]),
        ("Ruslan Stefanchuk called the plan a road map to peace and warned that delays were measured in lives.",
         ["a road map to peace", "delays were measured in lives"]),
    ],
)
def test_two_cues_in_one_sentence(sentence, contents):
    got = attributions(f"Headline words here\n\n{sentence}\n")
    assert [" ".join(t.split()) for _, _, t in got] == contents
    assert len({s for s, _, _ in got}) == 1


@pytest.mark.parametrize("source", ["Landsbergis", "the minister"])
def test_as_x_put_it_and_as_x_reported(source):
    text = ("Headline words here\n\nLithuania's Gabrielius Landsbergis spoke in Vilnius. Restrictions only help "
            f"Russia, as {source} put it in a radio interview.\n")
    got = attributions(text)
    assert got[-1][2] == "Restrictions only help Russia"
    got = attributions("Headline words here\n\nAs the Daily Ledger reported, the decision was made in secret.\n")
    assert got == [("Daily Ledger", "indirect", "the decision was made in secret")]


# After a thin space or a tab the verb is no cue ('denied' is the sentence's cue): 'as X said' is still found.
@pytest.mark.parametrize("space", [" ", "\u2009", "\t", "\u00a0"])
@pytest.mark.parametrize("verb", [*str.split("reported said noted stated wrote announced reports says notes writes"),
                                  "put it", "puts it", "has put it", "had said"])
def test_as_x_said_with_every_verb_and_space(verb, space):
    sentence = f"Restrictions, which Kyiv has denied, only help Russia, as Landsbergis{space}{verb}."
    got = attributions(f"Headline words here\n\n{sentence}\n")
    assert [(s, t) for s, _, t in got] == [("Gabrielius Landsbergis", "Restrictions, which Kyiv has denied, only help Russia")]


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Each country decides on its own weapons, Secretary General Jens Stoltenberg said at the news conference.",
         "Jens Stoltenberg", "Each country decides on its own weapons"),
        ("The rules stay as they are, Foreign Minister Dmytro Kuleba said on Friday, as allies met.", "Dmytro Kuleba",
         "The rules stay as they are"),
        ('The weapons could be used "within the law," he said.', "Olaf Scholz", 'The weapons could be used "within the law'),
    ],
)
def test_content_before_a_titled_source_or_a_closing_mark(sentence, speaker, content):
    got = attributions(f"Headline words here\n\nOlaf Scholz spoke in Berlin.\n\n{sentence}\n")
    assert (got[-1][0], " ".join(got[-1][2].split())) == (speaker, content)


@pytest.mark.parametrize("verb", ["declined to comment on the details", "refused to give a date", "met reporters"])
def test_a_second_verb_after_a_non_speech_verb_takes_the_subject(verb):
    got = attributions(f"Headline words here\n\nState Department spokesman Matthew Miller {verb} but said the "
                       "United States saw no reason to change course.\n")
    assert got == [("Matthew Miller", "indirect", "the United States saw no reason to change course")]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("Dutch Prime Minister Dick Schoof said the jets came with no limits.", "Dick Schoof"),
        ("Latvian Foreign Minister Baiba Braze warned that the limits helped Moscow.", "Baiba Braze"),
        ("Czech President Petr Pavel said he saw no reason for the limits.", "Petr Pavel"),
    ],
)
def test_nationality_title_and_name(sentence, speaker):
    assert _one(sentence)[0] == speaker


@pytest.mark.parametrize("aside", ["however", "too", "once again"])
def test_an_aside_before_that(aside):
    sentence = f"Radoslaw Sikorski made clear, {aside}, that the decision lay with Washington."
    assert _content(sentence) == "the decision lay with Washington"


@pytest.mark.parametrize(
    "sentence",
    [
        'Ukraine has the right to defend itself, she said, "including on Russian soil".',
        'The document was published "promptly," she said, "so that all countries can assess it."',
    ],
)
def test_a_quote_after_a_mid_sentence_cue_continues_the_content(sentence):
    got = attributions(f"Headline words here\n\nMette Frederiksen said the limits must go.\n\n{sentence}\n")
    assert [(s, k) for s, k, _ in got] == [("Mette Frederiksen", "indirect")] * 2


def test_two_quotes_sharing_one_cue_stay_two_direct_records():
    got = attributions('Headline words here\n\n"We are ready," Olaf Scholz said, "and we will act."\n')
    assert [(s, k) for s, k, _ in got] == [("Olaf Scholz", "direct"), ("Olaf Scholz", "direct")]


def test_first_time_in_a_relative_clause_is_no_framing():
    got = attributions("Headline words here\n\nVolodymyr Zelensky, who attended in person for the first time, told the "
                       "ministers that Ukraine needed the long-range capability.\n")
    assert got == [("Volodymyr Zelensky", "indirect", "Ukraine needed the long-range capability")]
    assert attributions("Headline words here\n\nIt is the first time an official has indicated that the U.S. may "
                        "change course.\n") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Five of the missiles were shot down and a sixth was damaged, the ministry said in a statement, adding that "
         "debris had caused a fire.",
         ["Five of the missiles were shot down and a sixth was damaged", "debris had caused a fire"]),
        ("Biden quietly authorised the strikes, two US officials told AP.", ["Biden quietly authorised the strikes"]),
        ("The plan is sound and fair, several diplomats said.", ["The plan is sound and fair"]),
    ],
)
def test_content_before_the_cue_survives_a_participle_or_a_number(body, expected):
    got = attributions(f"Headline words here\n\n{body}\n")
    assert [" ".join(t.split()) for _, _, t in got] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("A Pentagon spokesperson told Reuters the policy had not changed.",
         [("Pentagon spokesperson", "the policy had not changed")]),
        ("Kirby told The Associated Press the policy had not changed.", [("John Kirby", "the policy had not changed")]),
        ("Zelensky told lawmakers they must act now.", [("Volodymyr Zelensky", "they must act now")]),
        ("He told reporters the story of his life.", []),  # an object, no clause: no statement
        ('"We will respond," Peskov told reporters, adding that Moscow had taken note.',
         [("Dmitry Peskov", "We will respond"), ("Dmitry Peskov", "Moscow had taken note")]),
    ],
)
def test_told_an_audience_and_a_participle_after_a_quote(body, expected):
    got = attributions(f"Headline words here\n\n{body}\n")
    assert [(s, " ".join(t.split())) for s, _, t in got] == expected


def _as_put_by_find(text: str, s0: int, s1: int):
    for word in ("as ", "As "):  # every 'as ' starting a word, then every 'As ', tried with `AS_PUT`
        at = text.find(word, s0, s1)
        while at != -1:
            if at == s0 or not text[at - 1].isalnum():
                put = cues.AS_PUT.match(text, at, s1)
                if put is not None:
                    return put
            at = text.find(word, at + 1, s1)
    return None


def test_as_put_search_finds_what_trying_each_as_finds():
    # (the verbs, with white space and word characters around them, also test `as_put_match`'s gate on a verb)
    pieces = ["as", "As", "has", "was", "Kirby", "said", "put it", "puts it", " ", ", ", "the minister", "reported", "x",
              "_as", "Alas", "wrote", "\n", "\u2009", "é", "As,", "says", "had", "\u2009said", "notes", "emphasized",
              "confirmed.", "said_", "putsch", "\tput it", "warns"]
    rng = random.Random(9)
    for _ in range(30000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        s0 = rng.randint(0, len(text) // 3)
        s1 = rng.randint(s0, len(text))
        want, got = _as_put_by_find(text, s0, s1), cues.as_put_match(text, s0, s1)
        assert (want and (want.span(), want.group("speaker"))) == (got and (got.span(), got.group("speaker"))), text


@pytest.mark.parametrize("verb", ["pressed", "have pressed", "pushed", "encouraged", "presses"])
def test_pressing_someone_to_act_is_a_cue(verb):
    assert _one(f"Britain and France {verb} Germany to let Kyiv fire the missiles deep into Russia.") == (
        "United Kingdom and France", "indirect", "let Kyiv fire the missiles deep into Russia")


@pytest.mark.parametrize("sentence", ["Russian forces have pressed their offensive near Kharkiv since early May.",
                                      "Russian troops pushed into the outskirts of Vovchansk on Friday.",
                                      "Officials pressed ahead with the plan to build new shelters."])
def test_pressing_on_without_anyone_to_act_is_no_cue(sentence):
    assert attributions(f"Headline words here\n\n{sentence}\n") == []


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        ("Analysts warn that the decision could escalate the war.", "Analysts", "the decision could escalate the war"),
        ("Critics argue the limits cost Ukrainian lives.", "Critics", "the limits cost Ukrainian lives"),
        ("Officials insist the policy has not changed.", "Officials", "the policy has not changed"),
        ("Ukrainian officials add that the weapons would be used near Kharkiv.", "Ukrainian officials",
         "the weapons would be used near Kharkiv"),
        ("Russian officials claim the strikes violate international law.", "Russian officials",
         "the strikes violate international law"),
        ("Lawmakers press the White House to drop the remaining limits.", "Lawmakers", "drop the remaining limits"),
    ],
)
def test_present_tense_plural_cues(sentence, speaker, content):
    assert _one(sentence) == (speaker, "indirect", content)


@pytest.mark.parametrize(
    "sentence",
    [
        "The allies want to warn Moscow that escalation has costs.",
        "Officials would respond that the policy has not changed.",
        "Officials did not deny that the policy had changed.",
        "Officials will announce the new package of weapons on Friday.",
        "Allies argue over strike rules as the war drags on.",
    ],
)
def test_base_forms_after_to_or_a_modal_are_no_cue(sentence):
    assert attributions(f"Headline words here\n\n{sentence}\n") == []


def test_a_cue_that_gives_nothing_leaves_the_statement_around_it_whole():
    got = attributions('Headline words here\n\nDmitry Peskov said that Russia was "well aware" of the permission and '
                       'would respond "at the right moment."\n')
    assert [(s, " ".join(t.split())) for s, _, t in got] == [
        ("Dmitry Peskov", 'Russia was "well aware" of the permission and would respond "at the right moment."')]


@pytest.mark.parametrize("adjunct", ["Monday", "on Monday", "Monday night", "again", "repeatedly", "last week",
                                     "publicly on Friday"])
def test_an_adjunct_between_the_cue_and_a_content_without_that(adjunct):
    assert _one(f"Antony Blinken said {adjunct} the US would adapt its policy.") == (
        "Antony Blinken", "indirect", "the US would adapt its policy")


@pytest.mark.parametrize("sentence", ["Antony Blinken said Monday, as talks began in Prague.",
                                      "Antony Blinken said on Friday in Prague."])
def test_an_adjunct_and_nothing_after_it_is_no_content(sentence):
    assert attributions(f"Headline words here\n\n{sentence}\n") == []


@pytest.mark.parametrize("audience", ["reporters", "reporters in Moscow on Tuesday", "the state news agency TASS",
                                      "a briefing in Moscow"])
def test_a_colon_quote_after_a_cue_and_its_audience(audience):
    cue = "said at" if audience.startswith("a ") else "told"
    got = attributions(f"Headline words here\n\nThe Kremlin spokesman, Dmitry Peskov, {cue} {audience}: “We are "
                       "watching the decision closely.”\n")
    assert got == [("Dmitry Peskov", "direct", "We are watching the decision closely.")]


@pytest.mark.parametrize("aside", ["for its part", "in turn", "however", "meanwhile"])
def test_an_aside_between_the_source_and_the_cue(aside):
    assert _one(f"Russia, {aside}, has warned that it would respond to any strike.") == (
        "Russia", "indirect", "it would respond to any strike")


@pytest.mark.parametrize(("opening", "closing"), [("'", "'"), ("‘", "’"), ('"', '"'), ("“", "”")])
def test_a_quote_after_a_full_stop_starts_a_sentence_whatever_its_mark(opening, closing):
    got = attributions(f"Headline words here\n\nRishi Sunak spoke first. {opening}We will not be intimidated,{closing} "
                       "Mr Sunak said.\n")
    assert got == [("Rishi Sunak", "direct", "We will not be intimidated")]


@pytest.mark.parametrize("participle", ["adding", "saying", "insisting"])
def test_a_participle_before_a_colon_quote_takes_the_main_clauses_subject(participle):
    got = attributions(f"Headline words here\n\nScholz said Germany would not send the missiles, {participle}: “That is "
                       "my position.”\n")
    assert got == [("Olaf Scholz", "indirect", "Germany would not send the missiles"),
                   ("Olaf Scholz", "direct", "That is my position.")]


def test_an_unattributed_quote_inside_reported_content_stays_in_it():
    got = attributions('Headline words here\n\nMart Kuusk said that some strikes risked handing Moscow a propaganda '
                       'victory, "and they don\'t always change much on the ground."\n')
    assert got == [("Mart Kuusk", "indirect", "some strikes risked handing Moscow a propaganda victory, \"and they don't "
                    "always change much on the ground.\"")]


@pytest.mark.parametrize("aside", ["without providing evidence", "in a statement", "once again"])
def test_an_aside_between_commas_before_that(aside):
    assert _one(f"The Kremlin said, {aside}, that the strikes were planned in Washington.") == (
        "Kremlin", "indirect", "the strikes were planned in Washington")


@pytest.mark.parametrize("aux", ["has", "had also", "has repeatedly"])
def test_an_appositive_before_an_auxiliary(aux):
    assert _one(f"Kaja Kallas, the incoming EU foreign policy chief, {aux} welcomed the U.S. move on strikes.") == (
        "Kaja Kallas", "indirect", "the U.S. move on strikes")


@pytest.mark.parametrize("verb", ["explained", "argued", "warned", "recalled", "stressed"])
def test_as_x_explained(verb):
    assert _one(f"As German Defence Minister Boris Pistorius {verb}, Berlin changed its rhetoric on the weapons.") == (
        "Boris Pistorius", "indirect", "Berlin changed its rhetoric on the weapons")


def test_a_participle_after_a_comma_inside_a_closing_mark():
    got = attributions('Headline words here\n\nSteffen Hebestreit told reporters that Ukraine\'s "defensive action is not '
                       'limited to its own territory," adding he could not reveal the agreements with Kyiv.\n')
    assert [(s, " ".join(t.split())) for s, _, t in got] == [
        ("Steffen Hebestreit", 'Ukraine\'s "defensive action is not limited to its own territory,"'),
        ("Steffen Hebestreit", "he could not reveal the agreements with Kyiv")]


def test_described_as():
    assert _one("Peskov described the policy change as a clear sign that Washington wants escalation.") == (
        "Dmitry Peskov", "indirect", "a clear sign that Washington wants escalation")


@pytest.mark.parametrize(("verb", "content"), [
    ("called on allies to lift", "lift"), ("called on allies not to keep", "not to keep"), ("calls on allies to lift", "lift")])
def test_called_on_someone_to_act(verb, content):
    assert _one(f"Volodymyr Zelensky {verb} the restrictions on strikes.") == (
        "Volodymyr Zelensky", "indirect", f"{content} the restrictions on strikes")


def test_the_secretary_general_is_a_post():
    got = attributions("Headline words here\n\nNATO Secretary General Jens Stoltenberg spoke in Prague. The Secretary "
                       "General stated that Ukraine has the right to defend itself.\n")
    assert got == [("Jens Stoltenberg", "indirect", "Ukraine has the right to defend itself")]


@pytest.mark.parametrize("verb", ["warned of", "has warned of", "warned about", "cautioned of"])
def test_warned_of_takes_what_was_warned_of(verb):
    assert _one(f"Vladimir Putin {verb} the threat of a global conflict over the weapons.") == (
        "Vladimir Putin", "indirect", "the threat of a global conflict over the weapons")


@pytest.mark.parametrize("question", ["when asked at a press conference about the policy", "asked whether it had changed",
                                      "when questioned by reporters"])
def test_a_journalists_question_after_the_content_is_not_in_it(question):
    assert _one(f"Antony Blinken said the US would adjust and adapt, {question}.") == (
        "Antony Blinken", "indirect", "the US would adjust and adapt")


def test_a_leading_subordinate_clause_is_not_the_subject():
    assert _one("Since Russia launched its invasion in 2022, Washington has sent aid but has urged Kyiv not to fire "
                "the weapons into Russia.") == ("United States", "indirect", "not to fire the weapons into Russia")


def test_an_unknown_surname_right_before_the_cue_after_a_quote():
    got = attributions("Headline words here\n\nAntony Blinken spoke first. “Our friends in Ukraine pay a price every "
                       "day,” Sandu said.\n")
    assert got == [("Sandu", "direct", "Our friends in Ukraine pay a price every day")]


def test_when_asked_then_the_answer_is_a_quote():
    got = attributions("Headline words here\n\nAntony Blinken spoke first. When asked by a reporter whether his comments "
                       "meant a change, he replied, “That is exactly what it means to adapt.”\n")
    assert got == [("Antony Blinken", "direct", "That is exactly what it means to adapt.")]


def test_content_before_an_inverted_present_tense_cue():
    got = attributions("Headline words here\n\nOur country needs a long-range permit, states Ukrainian President "
                       "Volodymyr Zelensky.\n")
    assert got == [("Volodymyr Zelensky", "indirect", "Our country needs a long-range permit")]


@pytest.mark.parametrize(("person", "pronoun"), [("Volodymyr Zelensky", "him"), ("Maria Zakharova", "her")])
def test_according_to_him(person, pronoun):
    got = attributions(f"Headline words here\n\n{person} spoke on Friday. According to {pronoun}, the strikes will force "
                       "Russia to seek peace.\n")
    assert got == [(person, "indirect", "the strikes will force Russia to seek peace")]
