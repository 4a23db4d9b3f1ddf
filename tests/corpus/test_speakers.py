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

    from stancebench.corpus import speakers
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
    look_back = speakers.SpeakerResolver._look_back

    def counting(self, position):
        found = look_back(self, position)
        looked_back.append(found is not None)
        return found

    monkeypatch.setattr(speakers.SpeakerResolver, "_look_back", counting)
    got = [extract_statements(a, actors=table) for a in articles]
    assert any(looked_back)  # (the shortcut was taken)
    monkeypatch.setattr(speakers, "_LOOK_BACK", 10**9)
    assert got == [extract_statements(a, actors=table) for a in articles]
    assert any(s.speaker_source == "pronoun" for statements in got for s in statements)
