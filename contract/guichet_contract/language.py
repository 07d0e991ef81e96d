"""French or English, told from a text's function words, accents and English contractions.

One detector for both environments: the API (retrieval's query analysis, profile extraction) and the
dialogue (the NLU component that sets the `language` slot every reply follows). Words that both languages
use ("a", "on", "me", "as") tell nothing; an accented word counts once for French; an English contraction ("let's",
"don't", "we're") counts for English, where a French elision puts its letter before the apostrophe
("l'aide", "c'est", "qu'on").
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

# French function words (Snowball's list, as bm25s ships it), common verbs of a request and words of small talk.
FR: frozenset[str] = frozenset("""
a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions aurons auront aux
avaient avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons c ca ce cela ces cet
cette combien comment d dans de des doit du elle elles en es est et etaient etais etait etant etante etantes
etants ete etee etees etes etiez etions etre eu eue eues eumes eurent eus eusse eussent eusses eussiez
eussions eut eutes eux faire fait fumes furent fus fusse fussent fusses fussiez fussions fut futes il ils j je
l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ont ou par pas peut peuvent
pour qu quand que quel quelle quelles quels qui s sa se sera serai seraient serais serait seras serez seriez
serions serons seront ses soient sois soit sommes son sont soyez soyons suis sur t ta te tes toi ton tu un une
vos votre vous y aide aimerait aussi besoin bonjour bonsoir car cherchons deja donc encore merci moins non oui
parce peux plus projet quoi salut tres veux voudrais dis dites donne donnez raconte racontez svp stp ouais
voici voila rien tout tous toutes chez vers depuis comme entre sans sous apres avant ici ceci
""".split())  # noqa: SIM905 (one word list a reader can scan)
# English function words (bm25s's list and the usual ones it lacks), common verbs of a request, small talk.
EN: frozenset[str] = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just let lets me more most my no nor not of off on once only or other
our ours out over own same she should so some such than that the their them then there these they this those
through to too under until up us very was we were what when where which while who whom why will with would you
your yours already hello help hey hi less looking many much need project still thank thanks want yes tell give
show please know get make yeah yep nope
""".split())  # noqa: SIM905 (one word list a reader can scan)
_TELLING_FR = FR - EN
_TELLING_EN = EN - FR
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # a figure glued to a unit (20m) is no word
_WORD_ANY_CASE = re.compile(_WORD.pattern, re.IGNORECASE)
# An English contraction: the letters after the apostrophe are English ("let's", "don't", "I'm", "we're").
_EN_CONTRACTION = re.compile(r"^([a-z]{2,}|i)'(s|t|re|ve|ll|m|d)$")
_ACCENTED_WORD = re.compile(r"[^\W\d_]*[éèêàùçôîûëïœ][^\W\d_]*", re.IGNORECASE)


def fold(text: str, lower: bool = True) -> str:
    """Accents stripped, apostrophes made plain and (unless told not to) lower-cased: é, E and e read the same."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower() if lower else text


def _scores(text: str) -> tuple[int, int, int]:
    """(French, English) evidence (telling words, accented words for French, contractions for English), and
    the number of words."""
    fr, en, words, _ = _read(text)
    return fr, en, words


def _read(text: str) -> tuple[int, int, int, str | None]:
    """_scores, and the language of the first word that tells one ("how" of "How many people use Mon espace
    santé?")."""
    # An accented word tells French once, however many accents it carries: "Agence du numérique en santé", a name
    # within an English question, is no more French than the question's own words are English.
    fr, en = len(_ACCENTED_WORD.findall(text)), 0
    tokens = _WORD.findall(fold(text))
    # An acronym in a text written in lower case ("CE class IIa", "la HAS") is a name, not a function word: "CE"
    # is no French "ce". In a text typed all in capitals, every word counts.
    if any(c.islower() for c in text):
        typed = _WORD_ANY_CASE.findall(fold(text, lower=False))
        tokens = [t.lower() for t in typed if not (t.isupper() and len(t) > 1)]
    first = None
    for token in tokens:
        contraction = _EN_CONTRACTION.match(token)
        parts = [contraction.group(1)] if contraction else [p for p in token.split("'") if p]
        said_fr, said_en = sum(p in _TELLING_FR for p in parts), sum(p in _TELLING_EN for p in parts)
        said_en += 1 if contraction else 0
        fr, en = fr + said_fr, en + said_en
        if first is None and said_fr != said_en:
            first = "fr" if said_fr > said_en else "en"
    return fr, en, len(tokens), first


def detect_with_confidence(text: str) -> tuple[str | None, float]:
    """("fr" | "en" | None, confidence 0..1): the likelier language of a text that must be read in one (a
    query); as much of each: the language its first telling word is in ("How many people use Mon espace santé?"),
    with confidence 0; None and 0 when nothing tells the two apart."""
    fr, en, _, first = _read(text)
    if fr == en:
        return first, 0.0
    return ("fr" if fr > en else "en"), abs(fr - en) / (fr + en)


def detect(text: str) -> str | None:
    """The language a conversation should follow after this message, or None to keep its own: a short reply
    ("yes", "oui merci") tells with one word; a longer message needs two more words of one language than of
    the other ("claire at exemple" is no English)."""
    fr, en, words = _scores(text)
    if abs(fr - en) < (1 if words <= 2 else 2):
        return None
    return "fr" if fr > en else "en"
