"""Speaker attribution, one class per test: appositives, role-only mentions, capitalised runs,
people the actor table does not know, and journalists' questions."""

from __future__ import annotations

import pytest

from tests.support import attributions, extract_text

HEAD = "Headline words here\n\n"


def _speakers(body: str) -> list[str]:
    return [speaker for speaker, _, _ in attributions(HEAD + body + "\n")]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ('Dmitry Peskov, a spokesperson for Vladimir Putin, said: "Any such step is escalation."', "Dmitry Peskov"),
        ("Antonio Tajani, the foreign minister, said that Italian weapons would stay in Ukraine.", "Antonio Tajani"),
        ("Maria Zakharova, spokeswoman for Sergei Lavrov, warned the West would regret it.", "Maria Zakharova"),
        ("The regional governor, Oleh Syniehubov, said the strikes must stop.", "Oleh Syniehubov"),
    ],
)
def test_appositives(body, speaker):
    assert _speakers(body) == [speaker]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("Vladimir Putin spoke in Tashkent. “This will mean war,” the Kremlin leader said.", "Vladimir Putin"),
        ("Giorgia Meloni went further. The prime minister said the remarks were a mistake.", "Giorgia Meloni"),
        ("Lloyd Austin met his allies. The Pentagon chief noted that drones had a longer range.", "Lloyd Austin"),
        ("Volodymyr Zelensky arrived late. “We need the permission,” the Ukrainian leader said.", "Volodymyr Zelensky"),
    ],
)
def test_role_only_mentions_resolve_to_the_person_named_nearby(body, speaker):
    assert _speakers(body) == [speaker]


def test_a_following_pronoun_is_the_resolved_person():
    body = ("Rishi Sunak spoke in London on Monday. Giorgia Meloni spoke in Rome. The prime minister said the idea "
            "was wrong. “We are not at war,” she said.")
    assert _speakers(body) == ["Giorgia Meloni", "Giorgia Meloni"]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("Asked about the cost to Kyiv, Donald Trump said the war would end in a day.", "Donald Trump"),
        ("Speaking in Berlin, Olaf Scholz warned that the rules would not change.", "Olaf Scholz"),
        ("After the talks in Kyiv, German officials said the step was overdue.", "German officials"),
    ],
)
def test_no_capitalised_run_across_a_comma(body, speaker):
    assert _speakers(body) == [speaker]


@pytest.mark.parametrize(
    ("body", "speaker", "role"),
    [
        ('"The rules were written for a different war," council spokesperson Alex Poe said.', "Alex Poe",
         "council spokesperson"),
        ('"We just want to sleep through one night," added resident Kim Moe.', "Kim Moe", "resident"),
        ('"Nobody here wants this," said shopkeeper Lena Vos.', "Lena Vos", "shopkeeper"),
        ('"Every night is the same," farmer Olek Brand told reporters.', "Olek Brand", "farmer"),
    ],
)
def test_people_the_table_does_not_know_never_lose_to_the_previous_speaker(body, speaker, role):
    text = HEAD + 'Antony Blinken said the plan was good. "We will do it," he said.\n' + body + "\n"
    statements = extract_text(text)
    assert [s.speaker for s in statements] == ["Antony Blinken", "Antony Blinken", speaker]
    assert statements[-1].speaker_role == role


@pytest.mark.parametrize(
    "body",
    [
        "When asked whether Volodymyr Zelensky had said that permission had been granted, Lloyd Austin responded "
        "evasively.",
        "Asked whether Olaf Scholz had promised to send the missiles, the spokesman declined to comment.",
        "Reporters asked if Sergei Lavrov had warned that Moscow would retaliate.",
    ],
)
def test_a_journalists_question_is_not_the_asked_about_persons_statement(body):
    assert _speakers(body) == []



def test_the_short_window_finds_the_speaker_the_full_window_finds(monkeypatch):
    # `at_end` looks at the last 64 characters first; with that shortcut off it must resolve the same speakers.
    import random

    from stancebench.corpus import speakers
    from stancebench.corpus.actors import load_actors

    table = load_actors()
    pieces = ["Antony Blinken", "Blinken", "he", "she", "officials", "the foreign minister", "US Secretary of State",
              "of", "the", "The", "French and German leaders", "Kyiv", ",", ", ", "Asked about it,", "Jane Smith",
              "council spokesperson Alex Poe", "Kremlin", "said", "x", "word", "(", "“", "Defence Minister", "Mr",
              "Prague"]
    rng = random.Random(8)
    phrases = [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 24))) + rng.choice(["", " "])
               for _ in range(3000)]
    article = " ".join(phrases)

    def resolve(short_window: int) -> list:
        monkeypatch.setattr(speakers, "_SHORT_WINDOW", short_window)
        resolver = speakers.SpeakerResolver(table, article)
        offset, found = 0, []
        for phrase in phrases:
            found.append(resolver.at_end(phrase, offset))
            offset += len(phrase) + 1
        return found

    assert resolve(64) == resolve(10**9)


@pytest.mark.parametrize(
    ("phrase", "name", "kind"),
    [
        ("Earlier, the kremlin ", "Kremlin", "institution"),  # an alias in lower case
        ("Antony Blinken spoke. Later he ", "Antony Blinken", "person"),  # a pronoun
        ("After the talks, officials ", "officials", "group"),  # a role noun
        ("They met the senators ", "senators", "group"),
        ("The border region has come under ", None, None),  # a plain word: no speaker
        ("The strikes were debated at length ", None, None),
    ],
)
def test_a_phrase_ending_in_a_lower_case_word(phrase, name, kind):
    from stancebench.corpus.actors import load_actors
    from stancebench.corpus.speakers import SpeakerResolver

    found = SpeakerResolver(load_actors(), phrase).at_end(phrase, 0)
    assert (found.name, found.kind) == (name, kind) if name else found is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # The nearest table name before each pronoun, however far the article has been searched for names.
        ('Blinken came. "We are ready," he said. Kuleba said the talks went well. "Good," he said.',
         ["Antony Blinken", "Dmytro Kuleba", "Dmytro Kuleba"]),
        ("Kuleba arrived first. Blinken came later. He said the talks went well.", ["Antony Blinken"]),
        # A role resolved to a person named after it, once a pronoun has searched only part of the article.
        ('Officials met on Monday. "It is late," he said. The Pentagon chief noted that drones had a longer range. '
         "Lloyd Austin met his allies later.", ["Lloyd Austin"]),
    ],
)
def test_pronouns_and_roles_find_the_table_names_around_them(body, expected):
    assert _speakers(body) == expected


def test_looking_back_for_a_pronouns_person_finds_what_a_scan_from_the_start_finds(monkeypatch):
    # A pronoun far from where the scan for table names stopped looks back a few hundred characters first;
    # with that shortcut off (the scan runs on to the pronoun) every statement must come out the same.
    import random

    from stancebench.corpus import speaker_memory
    from stancebench.corpus.actors import load_actors
    from stancebench.corpus.statements import extract_statements
    from stancebench.schema import Article

    pieces = ["Blinken said the plan was sound.", '"We will see," he said.', "He warned that it was late.",
              "Kuleba warned that the step was risky.", "She said no to the plan.", "Antony Blinken met Kuleba.",
              "Officials met in Kyiv on Monday to talk about it again.",
              "Putin's spokesman said that it was an escalation.", "Zelensky-Blinken talks went on.", "\n\n",
              "Foreign Minister Radoslaw Sikorski spoke. He said Poland agreed.",
              "Blinken met Defence Minister Jane Moe. He said it went well."]  # (Moe: not in the table)
    filler = "The weather was fine all week long, and the roads were quiet."
    rng = random.Random(5)
    articles = [Article(id=f"a{i}", title="", text=" ".join(
        rng.choice(pieces) if rng.random() < 0.15 else filler for _ in range(rng.randint(5, 400)))) for i in range(20)]
    table = load_actors()
    looked_back = []
    look_back = speaker_memory.SpeakerMemory._look_back

    def counting(self, position):
        found = look_back(self, position)
        looked_back.append(found is not None)
        return found

    monkeypatch.setattr(speaker_memory.SpeakerMemory, "_look_back", counting)
    got = [extract_statements(a, actors=table) for a in articles]
    assert any(looked_back)  # (the shortcut was taken)
    monkeypatch.setattr(speaker_memory, "_LOOK_BACK", 10**9)
    assert got == [extract_statements(a, actors=table) for a in articles]
    assert any(s.speaker_source == "pronoun" for statements in got for s in statements)


# ---- institutions as sources -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "speaker", "affiliation"),
    [
        ("The Defence Ministry said that two civilians were injured.", "Defence Ministry", None),
        ("The Kremlin press service said that Putin held a call with the leader of Hungary.", "Kremlin press service",
         "Russia"),
        ("The regional military administration said two civilians were injured overnight.",
         "regional military administration", None),
        ("Ukraine's General Staff said that 35 of 41 drones were shot down.", "Ukraine's General Staff", "Ukraine"),
        ("Zelensky's office said the request had been sent.", "Zelensky's office", "Ukraine"),
        ("The Foreign Office said the policy had not changed.", "Foreign Office", "United Kingdom"),  # (in the actor table)
        ("Police said two civilians were injured.", "Police", None),
        ("The press service said the call lasted an hour.", "press service", None),
        ("Prime Minister Rishi Sunak's office said the position had not changed.", "Rishi Sunak's office",
         "United Kingdom"),
        ("The General Staff of the Armed Forces of Ukraine said 35 of 41 drones were shot down.",
         "General Staff of the Armed Forces of Ukraine", "Ukraine"),
        ("The mayor is Taras Hnat. The regional military administration said two civilians were injured.",
         "regional military administration", None),
    ],
)
def test_a_body_that_speaks_is_the_source(body, speaker, affiliation):
    [statement] = extract_text(HEAD + body + "\n")
    assert (statement.speaker, statement.speaker_affiliation) == (speaker, affiliation)


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("The Russian Defence Ministry reported the strike overnight. Five missiles were shot down, the ministry said.",
         "Russian Defence Ministry"),
        ("Russia's foreign ministry issued a note on Monday. The ministry said it would respond.",
         "Russian Foreign Ministry"),
        ("The General Staff of the Armed Forces of Ukraine gave figures. Ukrainian forces shot down 35 drones, the "
         "General Staff said.", "General Staff of the Armed Forces of Ukraine"),
        ("The Kremlin press service gave no details. The press service said the call lasted an hour.",
         "Kremlin press service"),
    ],
)
def test_a_body_named_again_by_its_head_noun_is_the_body_named_before(body, speaker):
    [statement] = extract_text(HEAD + body + "\n")
    assert (statement.speaker, statement.speaker_source) == (speaker, "role")


def test_a_head_noun_takes_only_a_body_with_the_same_words():
    body = ("The Russian Foreign Ministry issued a note. Five missiles were shot down, the defence ministry said.")
    [statement] = extract_text(HEAD + body + "\n")
    assert statement.speaker == "defence ministry"
    assert statement.speaker_source == "named"


# ---- people named with where they are from, and people not named --------------------------------
@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ('"It is proof the threat works," said Jonah Reyes of the Lakeside Institute.', "Jonah Reyes"),
        ("Jonah Reyes of the Lakeside Institute said the threat works.", "Jonah Reyes"),
        ('"It is proof," said Ihor Terekhov of Ukraine.', "Ihor Terekhov"),
        ("A resident of Belgorod said people there wanted the war to end.", "resident of Belgorod"),
        ('"It works," said a resident of Kharkiv.', "resident of Kharkiv"),
        ("An official in Kyiv said the threat works.", "official in Kyiv"),
        ("A witness said the blast shook the whole street.", "witness"),
        ("Western diplomats in Moscow said the warnings were meant for voters.", "Western diplomats"),
    ],
)
def test_a_person_with_a_place_or_an_unnamed_person_is_the_source(body, speaker):
    assert _speakers(body) == [speaker]


def test_she_after_an_unnamed_person_is_that_person_not_an_earlier_name():
    body = ("Alexander Grushko spoke on Monday. A resident of Belgorod said people there wanted the war to end. "
            "“Nobody here wants this,” she said.")
    assert _speakers(body) == ["resident of Belgorod", "resident of Belgorod"]


def test_a_correspondent_credit_is_no_source():
    body = "This was stated by President Volodymyr Zelensky in his evening address, a Dnipro Line correspondent reports."
    assert "Dnipro Line correspondent" not in _speakers(body)


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ('Antony Blinken spoke in Chisinau. “We have adapted,” the secretary of state told reporters there.',
         "Antony Blinken"),
        ('Antony Blinken spoke in Chisinau. “We have adapted,” the Secretary of State told reporters there.',
         "Antony Blinken"),
        ("Dmytro Kuleba spoke first. The minister of foreign affairs said the plan was sound.", "Dmytro Kuleba"),
        ("The chief of staff said the plan was sound.", "chief of staff"),
    ],
)
def test_a_post_named_with_of_is_a_role(body, speaker):
    assert _speakers(body) == [speaker]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ('A bipartisan group of senators sent a letter, stating that the limits "are costing lives."',
         "bipartisan group of senators"),
        ("A group of lawmakers said the restrictions were costing lives.", "group of lawmakers"),
        ("The Republicans' demands that the limits be lifted were echoed by some Democrats.", "Republicans"),
        ("Lindsey Graham spoke. The letter is the latest of the senators' renewed calls for the White House to let "
         "Kyiv strike air bases.", "senators"),
    ],
)
def test_groups_keep_their_plural(body, speaker):
    assert _speakers(body) == [speaker]


def test_according_to_officials_familiar_with_it_and_they_said():
    body = ("The change applies only to the area near Kharkiv, according to two officials familiar with the decision, "
            "who spoke on condition of anonymity. The ban on strikes deep inside Russia remains in place, they said.")
    assert _speakers(body) == ["officials", "officials"]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("Scholz and Macron said the plan was sound.", "Olaf Scholz and Emmanuel Macron"),
        ('"It works," said Scholz and Macron.', "Olaf Scholz and Emmanuel Macron"),
        ("Jane Doe and John Roe said the plan was sound.", "Jane Doe and John Roe"),
        ("Talks between Russia and Ukraine stalled, officials said.", "officials"),
    ],
)
def test_two_named_sources_joined_by_and_speak_together(body, speaker):
    assert _speakers(body) == [speaker]


@pytest.mark.parametrize("dateline", ["KHARKIV — ", "KHARKIV, Ukraine — ", "KHARKIV, Ukraine - ", "KHARKIV, Ukraine—",
                                      "KHARKIV – "])
@pytest.mark.parametrize("title", ["", "Mayor ", "Colonel "])
def test_a_dateline_before_the_source_is_not_part_of_the_name(dateline, title):
    got = attributions(f"Headline words here\n\n{dateline}{title}Ihor Terekhov said the city needed more air defence.\n")
    assert [(speaker, content) for speaker, _, content in got] == [("Ihor Terekhov", "the city needed more air defence")]


def test_an_unknown_persons_title_keeps_its_inner_of():
    [statement] = extract_text("Headline words here\n\nMOSCOW—U.S. Secretary of State Jane Roe signaled on Wednesday "
                               "that the policy had changed.\n")
    assert (statement.speaker, statement.speaker_role) == ("Jane Roe", "Secretary of State")


@pytest.mark.parametrize("source", ["Sen. Lindsey Graham", "Sen. Lindsey Graham, R-S.C.", "Lindsey Graham, R-S.C.",
                                    "Gov. Lindsey Graham", "Dr. Lindsey Graham", "Lindsey O. Graham"])
def test_an_abbreviation_or_an_initial_after_the_cue_does_not_end_the_source(source):
    got = attributions(f"Headline words here\n\n“Lifting the limits is overdue,” said {source}.\n")
    assert got == [(got[0][0], "direct", "Lifting the limits is overdue")]
    assert got[0][0] in ("Lindsey Graham", "Lindsey O. Graham")


@pytest.mark.parametrize("party", [" (R-Texas)", ", R-Texas,", " (D-N.Y.)", ", D-N.Y.,", " (I-Vt.)"])
def test_a_us_politicians_party_and_state(party):
    got = attributions(f"Headline words here\n\nRep. Michael McCaul{party} said the limits should go.\n")
    assert got == [("Michael McCaul", "indirect", "the limits should go")]


@pytest.mark.parametrize(("phrase", "speaker"), [
    ("A Ukrainian commander in the Kharkiv region", "Ukrainian commander in the Kharkiv region"),
    ("A soldier in eastern Ukraine", "soldier in eastern Ukraine"),
    ("A resident of the Belgorod region", "resident of the Belgorod region"),
    ("An official in Kyiv", "official in Kyiv"),
])
def test_an_unnamed_person_and_where_they_are(phrase, speaker):
    got = attributions(f"Headline words here\n\n{phrase} said the strikes had helped.\n")
    assert got == [(speaker, "indirect", "the strikes had helped")]


@pytest.mark.parametrize("both", ["Both", "Either", "Neither"])
def test_both_is_not_part_of_a_name(both):
    got = attributions(f"Headline words here\n\n{both} Blinken and Austin said the policy would be reviewed.\n")
    assert got == [("Antony Blinken and Lloyd Austin", "indirect", "the policy would be reviewed")]


@pytest.mark.parametrize("second", ["He also said", "He emphasized that", "He added that"])
def test_a_pronoun_after_a_statement_naming_someone_else_is_its_speaker(second):
    got = attributions("Headline words here\n\nDmitry Peskov said Vladimir Putin's position had been clear. "
                       f"{second} the strikes would escalate the war.\n")
    assert [s for s, _, _ in got] == ["Dmitry Peskov", "Dmitry Peskov"]


def test_a_pronoun_after_a_mention_outside_the_statement_is_that_person():
    got = attributions("Headline words here\n\nDmitry Peskov said the decision was dangerous. Vladimir Putin met his "
                       "generals on Friday. He said the strikes would escalate the war.\n")
    assert [s for s, _, _ in got] == ["Dmitry Peskov", "Vladimir Putin"]


@pytest.mark.parametrize("description", ["government spokesperson", "Kremlin spokesperson", "opposition leader"])
def test_a_lower_case_description_before_a_known_name_after_a_quote(description):
    got = attributions(f"Headline words here\n\nThe Kremlin spoke first. “It is obvious,” {description} Dmitry Peskov "
                       "said in a press briefing.\n")
    assert got[-1][:2] == ("Dmitry Peskov", "direct")


def test_went_on_to_say():
    got = attributions("Headline words here\n\nVladimir Putin spoke first. “This radically changes the modality,” "
                       "Peskov went on to say.\n")
    assert got == [("Dmitry Peskov", "direct", "This radically changes the modality")]


@pytest.mark.parametrize(("source", "speaker"), [("The Élysée", "Élysée Palace"), ("Downing Street", "Downing Street"),
                                                 ("The Foreign Office", "Foreign Office"), ("Reuters", "Reuters")])
def test_offices_and_news_agencies_are_institutions(source, speaker):
    [statement] = extract_text(f"Headline words here\n\n{source} said the policy on strikes had not changed.\n")
    assert (statement.speaker, statement.speaker_role is not None) == (speaker, True)


@pytest.mark.parametrize("pronoun", ["him", "her"])
def test_quoted_him_as_saying(pronoun):
    person = "Jens Stoltenberg" if pronoun == "him" else "Maria Zakharova"
    got = attributions(f"Headline words here\n\n{person} spoke on Friday. “It makes sense to allow the strikes,” TASS "
                       f"quoted {pronoun} as saying.\n")
    assert got == [(person, "direct", "It makes sense to allow the strikes")]


def test_one_word_fast_path_finds_what_the_rules_find(monkeypatch):
    """A phrase of one or two words of letters (a pronoun, an alias, a lone capitalised word) skips (most of) finding
    words: the rules' speaker."""
    import random

    from stancebench.corpus import speakers
    from stancebench.corpus.actors import WORD, load_actors

    table = load_actors()
    words = [w for w in table.by_alias if " " not in w][:60] + ["he", "It", "they", "Ministry", "Kyiv", "Sunak's", "Novak",
                                                                "x", "Zelensky-", "U.S.", "ÉLYSÉE", "spokesman", "Of", "The",
                                                                "Officials", "Headquarters", "Stoltenburg", "Police", "Rishi"]
    # (Before the phrases, at 5: an earlier 'Jo Of', so that a lone 'Of' could be taken for that name; the rules drop it.)
    text = "Jo Of Mars. " + "Rishi Sunak met Dmytro Kuleba in Kyiv. Jane Novak spoke. " * 3
    rng = random.Random(12)
    two = [w for w in table.by_alias if w.count(" ") == 1][:40] + ["Jane Doe", "the Kremlin", "Sunak he", "he Sunak",
                                                                     "Rishi Rishi", "Sunak Sunak", "Ivan Petrov"]
    phrases = [rng.choice(["", " ", "\n", "\u00a0"]) + rng.choice([w, w.title()]) + rng.choice(["", " ", "  "])
               for w in rng.choices(words, k=400) + rng.choices(two, k=300)]
    phrases += ["x" * 70 + " Sunak ", "Sunak " + " " * 60, "Peskov, Sunak ", "Rishi  Sunak", "Rishi\nSunak "]

    class CountingWord:  # `WORD`, counting the phrases it finds words in
        calls = 0

        def finditer(self, *args):
            CountingWord.calls += 1
            return WORD.finditer(*args)

        def match(self, *args):  # (one word, matched where it is known to be)
            return WORD.match(*args)

    monkeypatch.setattr(speakers, "WORD", CountingWord())
    fast = speakers.SpeakerResolver(table, text)
    flags = ((False, False), (True, False), (False, True))  # (whole, owner)
    got = [(fast.at_end(p, 5, whole=w, owner=o), p) for p in phrases for w, o in flags]
    assert CountingWord.calls < 0.7 * len(flags) * len(phrases)  # (the fast path was taken for many)
    monkeypatch.setattr(speakers, "_SHORT_WINDOW", -1)  # (no phrase is this short: the fast path is never taken)
    slow = speakers.SpeakerResolver(table, text)
    want = [(slow.at_end(p, 5, whole=w, owner=o), p) for p in phrases for w, o in flags]
    assert got == want
    assert sum(s is not None for s, _ in got) > 500
    assert fast._mentions == slow._mentions


def test_an_abbreviation_is_looked_for_just_before_the_stop():
    """`at_start` searches the last 5 characters before a full stop for an abbreviation: what the whole text gives."""
    import random

    from stancebench.corpus.speakers import _ABBREVIATED

    rng = random.Random(4)
    pieces = ["Sen", "Gen", "Capt", "Prof", "Mrs", "J", "F", "x", "said", " ", ".", "\n", "Lt.", "St", "ab", "Q"]
    hits = 0
    for _ in range(3000):
        text = "".join(rng.choices(pieces, k=rng.randint(1, 8)))
        cut = rng.randint(0, len(text))
        whole = _ABBREVIATED.search(text, 0, cut)
        assert (_ABBREVIATED.search(text, max(0, cut - 5), cut) is None) == (whole is None), (text, cut)
        hits += whole is not None
    assert hits > 300


def test_scanned_names_go_where_one_insort_each_would_put_them():
    # `_scan_mentions` merges a scan's names into the remembered ones at once; the rule it replaces put each name with
    # `insort_left` (left of a remembered mention at the same place). Any mix of scans and remembered mentions agrees.
    import bisect
    import random

    from stancebench.corpus.actors import load_actors
    from stancebench.corpus.speaker_memory import SpeakerMemory
    from stancebench.corpus.speaker_words import Speaker

    table = load_actors()
    pieces = ["Blinken", "Kuleba", "Peskov", "Sunak", "said", "the", "plan", ",", "Zelensky", "Macron"]
    rng = random.Random(21)
    for _ in range(300):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))
        memory, want, scanned_to = SpeakerMemory(table, text), [], 0
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.5:  # remember a person at a word (often one the scan will find) or anywhere
                at = rng.choice([m.start() for m in table.person_pattern.finditer(text)] or [0]) \
                    if rng.random() < 0.6 else rng.randint(0, len(text))
                person = Speaker("Jane Moe", None, None, "person", at, at + 3)
                memory._remember(person)
                bisect.insort(want, (at, person), key=lambda m: m[0])
            else:
                before = rng.choice([None, rng.randint(0, len(text))])
                memory._scan_mentions(before)
                stop = len(text) if before is None else before
                for m in table.person_pattern.finditer(text):
                    if scanned_to <= m.start() < stop:
                        bisect.insort_left(want, (m.start(), table.person_words[m.group().lower()]), key=lambda m: m[0])
                scanned_to = max(scanned_to, stop)
        assert [(at, s.name) for at, s in memory._mentions] == [(at, s.name) for at, s in want], text


def test_an_ascii_word_of_letters_is_normalised_by_its_lower_case():
    # `at_end`'s one- and two-word shortcut lower-cases an ASCII word of letters instead of calling `norm_word`.
    import random
    import string

    from stancebench.corpus.actors import norm_word

    rng = random.Random(3)
    letters = string.ascii_letters + "’'.é"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) for _ in range(5000)]
    shortcut = [w for w in words if w.isalpha() and w.isascii()]
    assert len(shortcut) > 1000 and all(norm_word(w) == w.lower() for w in shortcut)


def test_the_words_before_a_title_start_where_the_forward_pattern_finds_them():
    # `_title_start` reads the capitalised words before a title backwards; the rule it replaces searched forwards.
    import random
    import re

    from stancebench.corpus.speakers import _title_start

    forward = re.compile(r"(?:[A-Z][\w.'’-]*\s+){0,4}$")
    pieces = ["Foreign", "Minister", "the", "The", "U.S.", "Russia’s", "xAbc", "AB", "a", "Z", " ", "  ", "\n", "\t", ",",
              "-", "’", "é", "É", "_", "9", "Q-", "\u2003"]
    rng = random.Random(6)
    starts = set()
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        end = rng.randint(0, len(text))
        start = max(0, end - rng.choice([60, 5, 10, 1000]))
        want = forward.search(text, start, end).start()
        assert _title_start(text, start, end) == want, (text, start, end)
        starts.add(end - want)
    assert len(starts) > 20  # (titles with many lengths of words before them)

