"""French and English text analysis for BM25: accent folding, stop words, Snowball stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH
from guichet_contract.language import detect_with_confidence

LANGS = ("fr", "en")
# The tokens' version, in each index's manifest and hash: a change of `tokenize` rebuilds the index, and an
# index of other tokens is refused at load.
ANALYSIS = 4
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
_COMPOUND = re.compile(r"(?<![a-z0-9])[a-z0-9]+(?:[-_][a-z0-9]+)+")
_CLITICS = frozenset(
    ["t", "il", "ils", "elle", "elles", "on", "ce", "je", "tu", "nous", "vous", "y", "en", "moi", "toi", "lui", "la",
     "le", "les", "leur", "ci"]
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-", "\u00a0": " "})

# bm25s ships a short English list; these are the usual function words it lacks.
_EXTRA_EN = [
    # filler words (as "si", "environ" in French)
    "approximately",
    "roughly",
    "exactly",
    "really",
    "actually",
    "basically",
    "quite",
    "please",
    "anyway",
    # interjections typed mid-conversation ("wait, what is PECAN?")
    "wait",
    "hmm",
    "um",
    "uh",
    "ok",
    "okay",
    "oops",
    "sorry",
    "get",
    "gets",
    "got",
    "getting",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "us",
    "let",
    "lets",
]
_EXTRA_FR = [
    "a",
    "au",
    "aux",
    "avec",
    "ce",
    "ces",
    "cet",
    "cette",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "elles",
    "en",
    "et",
    "est",
    "etre",
    "eu",
    "il",
    "ils",
    "je",
    "la",
    "le",
    "les",
    "leur",
    "leurs",
    "lui",
    "ma",
    "mais",
    "me",
    "meme",
    "mes",
    "moi",
    "mon",
    "ne",
    "nos",
    "notre",
    "nous",
    "on",
    "ou",
    "par",
    "pas",
    "pour",
    "qu",
    "que",
    "qui",
    "sa",
    "se",
    "ses",
    "son",
    "sur",
    "ta",
    "te",
    "tes",
    "toi",
    "ton",
    "tu",
    "un",
    "une",
    "vos",
    "votre",
    "vous",
    "y",
    "d",
    "l",
    "j",
    "m",
    "n",
    "s",
    "t",
    "c",
    "qu",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "comment",
    "combien",
    "quand",
    "sont",
    "ont",
    "fait",
    "faire",
    "peut",
    "peuvent",
    "doit",
    "cela",
    "ca",
    # filler and linking words founders type ("à peu près", "si on dépose", "concrètement", "en gros ça va…"):
    # rare in the knowledge, they would weigh as much as what is asked.
    "si",
    "peu",
    "pres",
    "environ",
    "donc",
    "alors",
    "tres",
    "aussi",
    "plutot",
    "vraiment",
    "exactement",
    "concretement",
    "ainsi",
    "comme",
    "va",
    "vont",
    "vais",
    "ya",
    "puis",
    "ensuite",
    "bref",
    "voila",
    "svp",
    "stp",
    # interjections typed mid-conversation ("attends, c'est quoi la PECAN ?")
    "attends",
    "attendez",
    "euh",
    "hmm",
    "ben",
    "bah",
    "ok",
    "okay",
    "tiens",
    "oups",
    "pardon",
]


def fold(text: str) -> str:
    """Lower-case, strip accents and normalise apostrophes and dashes, so é, E and e match."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.lower()).strip()


STOPWORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(fold(w) for w in (*STOPWORDS_FRENCH, *_EXTRA_FR)),
    "en": frozenset(fold(w) for w in (*STOPWORDS_EN, *_EXTRA_EN)),
}
_STEMMER_NAMES = {"fr": "french", "en": "english"}


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES[lang])


def words(text: str, split_units: bool = True) -> list[str]:
    """Folded word tokens; decimal numbers such as 718,4 stay whole, 650M€ also gives 650 and m."""
    folded = fold(text).replace("€", " eur ").replace("$", " usd ")
    out = []
    # "start-up", "e-santé", "G_NIUS", "i-Lab", "MR-004": a word cut by a hyphen or an underscore next to a part of
    # one or two letters is also written solid ("startup", "gnius"): both spellings must meet.
    # French inversions and pointers ("fera-t-il", "peut-on", "est-ce", "celle-ci") are grammar, not one word.
    for compound in _COMPOUND.findall(folded):
        parts = re.split(r"[-_]", compound)
        if any(len(p) <= 2 and not p.isdigit() for p in parts) and not _CLITICS.intersection(parts[1:]):
            out.append("".join(parts))
    for tok in _TOKEN.findall(folded):
        out.append(tok.replace(",", "."))
        # "650m" / "20m" / "90md" are figures glued to a unit: index the number alone too.
        m = re.fullmatch(r"(\d+)([a-z]+)", tok) if split_units else None
        if m:
            out.extend(m.groups())
    return out


def tokenize(text: str, lang: str) -> list[str]:
    """BM25 tokens: folded words less the language's stop words, stemmed with its Snowball stemmer."""
    return list(_tokens(text, lang))


# Answering one question weighs the same texts again and again (the fiches' phrasings, the sentences of the passages
# found): their tokens are kept, a few thousand texts at most.
@lru_cache(maxsize=4096)
def _tokens(text: str, lang: str) -> tuple[str, ...]:
    stop = STOPWORDS[lang]
    kept = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    return tuple(_stemmer(lang).stemWords(kept))


def detect_lang(text: str) -> tuple[str, float]:
    """fr or en with a confidence 0..1 (French and 0 when nothing tells): the dialogue's detector
    (guichet_contract.language), so the bot and the API never disagree on a message's language."""
    lang, confidence = detect_with_confidence(text)
    return lang or "fr", confidence
