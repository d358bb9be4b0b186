"""Mentions in notes: which usernames a text names, and which of them may not be told."""

import pytest

from relance.core.mentions import mentioned_usernames, refused


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@paul, peux-tu appeler le client ?", ("paul",)),
        ("Voir avec @marie.l.", ("marie.l",)),  # the sentence's full stop is not hers
        ("@Paul et @paul : un seul", ("Paul",)),  # case aside, one mention
        ("cc @a-b_c+d @zoé", ("a-b_c+d", "zoé")),  # Django's username characters, accents
        ("écrire à compta@durand.fr", ()),  # an e-mail address mentions nobody
        ("deux @@paul", ()),
        ("(@paul) [@jean]", ("paul", "jean")),
        ("@ seul, ou @.", ()),
        ("", ()),
        ("@marie\n@paul-", ("marie", "paul")),
    ],
)
def test_finds_the_usernames_a_note_mentions(text, expected):
    assert mentioned_usernames(text) == expected


@pytest.mark.parametrize(
    ("names", "reachable", "expected"),
    [
        (("paul",), {"paul"}, ()),
        (("Paul",), {"paul"}, ()),
        (("paul", "inconnu", "marie"), {"paul"}, ("inconnu", "marie")),
        ((), set(), ()),
    ],
)
def test_refuses_whoever_cannot_read_the_customer(names, reachable, expected):
    assert refused(names, reachable) == expected
