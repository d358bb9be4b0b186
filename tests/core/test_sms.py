from decimal import Decimal

import pytest

from relance.core.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Encoding,
    encoding_of,
    estimate,
    fit,
    is_mobile_number,
    length,
    plain_punctuation,
    segments,
    split,
)

GSM, UCS = Encoding.GSM7, Encoding.UCS2


def test_the_tables_have_the_sizes_of_gsm_03_38():
    # 128 positions, less the escape to the extension table; 9 extension characters + FF.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Merci de régler votre facture", GSM),
        ("é è ù ì ò à É Ç", GSM),  # in the basic table
        ("Ä Ö Ñ Ü ä ö ñ ü ß Æ æ Ø ø Å å", GSM),
        ("@ £ $ ¥ § ¿ ¡ ¤ _ Δ Ω", GSM),
        ("Montant : 1 200,00 €", GSM),  # € is an extension character
        ("[réf] {x} ~ ^ | \\", GSM),
        ("ligne 1\nligne 2\r", GSM),
        ("Vous êtes en retard", UCS),  # ê is not in GSM 03.38
        ("total dû", UCS),  # nor û
        ("reçu", UCS),  # the table has Ç, not ç
        ("â", UCS),
        ("î", UCS),
        ("ô", UCS),
        ("ë", UCS),
        ("ï", UCS),
        ("Merci 🙏", UCS),  # emoji
        ("1\u00a0200,00\u00a0€", UCS),  # the no-break space money formatting uses
        ("l’échéance", UCS),  # typographic apostrophe
        ("`code`", UCS),  # the backtick is not in the table
        ("", GSM),
    ],
)
def test_detects_gsm7_or_ucs2(text, encoding):
    assert encoding_of(text) is encoding


@pytest.mark.parametrize(
    ("text", "places", "count"),
    [
        ("", 0, 0),
        ("a", 1, 1),
        ("a" * 160, 160, 1),  # one GSM-7 SMS holds 160
        ("a" * 161, 161, 2),  # split: 153 per segment
        ("a" * 306, 306, 2),
        ("a" * 307, 307, 3),
        ("€" * 80, 160, 1),  # each extension character counts two
        ("a" * 159 + "€", 161, 2),
        ("ê" * 70, 70, 1),  # one UCS-2 SMS holds 70
        ("ê" * 71, 71, 2),  # split: 67 per segment
        ("ê" * 134, 134, 2),
        ("ê" * 135, 135, 3),
        ("é" * 160, 160, 1),  # é is GSM-7: 160, not 70
        ("a" * 69 + "ê", 70, 1),  # one ê turns the whole text into UCS-2
        ("a" * 70 + "ê", 71, 2),
        ("🙂" * 35, 70, 1),  # an emoji is two UTF-16 units
        ("🙂" * 36, 72, 2),
    ],
)
def test_counts_places_and_segments(text, places, count):
    assert length(text) == places
    assert segments(text) == count


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("a" * 152 + "€" + "b" * 10, [152, 11]),  # the escape pair is never split: € opens part 2
        ("a" * 66 + "🙂" + "b" * 5, [66, 6]),  # nor is a surrogate pair
    ],
)
def test_never_splits_a_two_place_character(text, sizes):
    assert [len(part) for part in split(text)] == sizes
    assert "".join(split(text)) == text


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("Bonjour", "0.05", (GSM, 7, 1, "0.05")),
        ("a" * 200, "0.05", (GSM, 200, 2, "0.10")),
        ("Vous êtes " * 10, "0.045", (UCS, 100, 2, "0.090")),
        ("", "0.05", (GSM, 0, 0, "0.00")),
    ],
)
def test_estimates_the_cost_from_the_unit_price(text, unit, expected):
    result = estimate(text, Decimal(unit))
    encoding, places, count, cost = expected
    assert (result.encoding, result.length, result.segments) == (encoding, places, count)
    assert result.cost == Decimal(cost)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("1\u00a0200,00\u00a0€", "1 200,00 €"),
        (
            "Total\u202f: l’échéance — «\u00a0réglée\u00a0» – “ok”…",
            'Total : l\'échéance - " réglée " - "ok"...',
        ),
        ("dû, être, reçu", "dû, être, reçu"),  # letters are never changed
    ],
)
def test_plain_punctuation_keeps_the_meaning(text, plain):
    assert plain_punctuation(text) == plain


def test_an_amount_formatted_for_french_fits_gsm7_once_plain():
    assert encoding_of(plain_punctuation("Reste dû : 1\u00a0200,00\u00a0€")) is UCS  # û
    assert encoding_of(plain_punctuation("Solde : 1\u00a0200,00\u00a0€")) is GSM


@pytest.mark.parametrize(
    ("text", "max_segments", "keep", "expected"),
    [
        ("Merci de votre règlement rapide", 1, "", "Merci de votre règlement rapide"),
        ("Merci", 1, "https://r.example/x", "Merci https://r.example/x"),
        ("Bonjour " * 30, 1, "", " ".join(["Bonjour"] * 19) + "..."),
        # UCS-2 anyway: the one-unit ellipsis
        ("Vous êtes " * 10, 1, "", " ".join(["Vous êtes"] * 7) + "…"),
        # the link stays whole, the text gives way
        (
            "mot " * 100,
            1,
            "https://r.example/abc",
            " ".join(["mot"] * 34) + "... https://r.example/abc",
        ),
        # one long word: cut inside it
        ("x" * 200, 1, "", "x" * 157 + "..."),
        ("texte", 1, "", "texte"),
    ],
)
def test_fits_a_text_into_segments(text, max_segments, keep, expected):
    fitted = fit(text, max_segments, keep=keep)
    assert fitted == expected
    assert segments(fitted) <= max_segments


def test_fit_keeps_whole_sentences_when_it_can():
    sentence = "Société Durand : sauf erreur, 1 234,56 € restent impayés. "
    fitted = fit(sentence * 8, 2)
    assert fitted == (sentence * 5).strip()  # 5 x 59 places + 5 € = 299 <= 306
    assert segments(fitted) == 2
    assert encoding_of(fitted) is GSM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the abbreviation "art." is no sentence end: the last whole sentence goes
        (
            "Bâtiments Durand : 1 440,00 € restent impayés sur votre compte C0042. Merci de "
            "régulariser rapidement. Pénalités applicables (art. L441-10 C. com.).",
            "Bâtiments Durand : 1 440,00 € restent impayés sur votre compte C0042. Merci de "
            "régulariser rapidement.",
        ),
        # a lower-case word after the period does not start a sentence: cut between words
        ("Bâtiment " * 10 + "n. " + "mot " * 30, "Bâtiment " * 10 + "n. " + "mot " * 9 + "mot…"),
    ],
)
def test_fit_cuts_after_a_sentence_not_an_abbreviation(text, expected):
    assert fit(text, 2) == expected


def test_fit_refuses_a_kept_part_that_cannot_fit():
    with pytest.raises(ValueError):
        fit("texte", 1, keep="x" * 200)


@pytest.mark.parametrize(
    ("number", "mobile"),
    [
        ("+33612345678", True),
        ("+33756123456", True),
        ("+33145678900", False),  # Paris landline
        ("+33972123456", False),  # 09: a box line
        ("+32470123456", True),  # Belgian mobile
        ("", False),
        ("not a number", False),
    ],
)
def test_tells_mobile_numbers(number, mobile):
    assert is_mobile_number(number) is mobile
