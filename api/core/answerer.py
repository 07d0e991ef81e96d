"""Answers composed from passages: the sentence that holds what was asked first, nothing said twice.

Used when no fiche answers the question (`fiche_answer` serves those). A sentence is kept only when it
covers enough of the question; otherwise the answer is an honest "I don't know".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from guichet_contract import month_year

from retrieval.analysis import STOPWORDS, fold, tokenize
from retrieval.models import Hit

from .catalogue import Amount, Catalogue
from .citations import Statement, parse_date, render
from .corpus import CITATION
from .fiches import Fiche, statements
from .tense import past_targets

MAX_WORDS = 90  # of the composed answer, citations aside
MAX_STATEMENTS = 3
EVIDENCE_BONUS = 0.8  # a sentence holding the expected kind of answer (a figure, a date)
HEADING_WEIGHT = 0.5  # question words found in the passage's title or section count for half
# A sentence answers only if it covers this share of the question's weight (stems, idf-weighted): chosen on
# the curve of scripts/answer_curve.py (answers kept vs. wrong answers), see docs/answers.md.
MIN_COVERAGE = 0.55
REDUNDANT_OVERLAP = 0.5  # a further sentence sharing this share of its stems with a chosen one adds nothing
# Shorter pieces of a passage are headings, list labels or fragments ("Montant : 30 M€"), never a sentence that
# answers on its own. Set by hand in the first version (2026-11-23), before the curve of MIN_COVERAGE was measured.
MIN_SENTENCE_CHARS = 25
# A name in a question: a capitalised word inside a sentence (Doctolib, Bpifrance) or an acronym of three
# letters or more (PECAN, HDS). A composed answer whose first sentence never says it is about something else.
_NAME = re.compile(r"(?<=[\w,;:'’)] )[A-ZÀ-Ý][a-zà-ÿ][\w-]*|\b[A-Z][A-Z0-9_-]{2,}\b")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"\d€])|\n+")
_FIGURE = re.compile(r"\d+(?:[,.]\d+)?")
_YEAR = re.compile(r"^(19|20)\d\d$")
# Question words carry no content: they are left out of the question's weight.
_ASKING = {
    "fr": "combien quel quelle quels quelles quand comment pourquoi qui quoi où ou est-ce peut peuvent faut "
    "doit dois existe-t-il y-a-t-il savoir dire c'est possible encore toujours aujourd'hui actuellement "
    "maintenant concrètement exactement vraiment déjà alors donc bref svp stp",
    "en": "how what when which who whom why where much many does do did can could should is are was were "
    "there tell know possible still now today currently anymore yet exactly concretely actually really "
    "already please",
}
# What a comparison asks of each thing compared, when it asks no kind of answer ("PECAN ou forfait innovation ?").
WHAT_IS = {"fr": "c'est quoi", "en": "what is"}
# A question followed by context and no other question: "article 51 c'est quoi exactement ? on m'en a parlé".
_QUESTION_THEN_CONTEXT = re.compile(r"(?:^|[.!?]\s+)([^.!?]{3,}\?)\s+[^?]+$")
# Greetings and fillers ("ok et la bourse french tech ?") carry no content.
_CHATTER = "bonjour bonsoir salut hello hi hey coucou merci thanks thank svp stp please ok okay dac euh hmm"
# Where a question starts inside a longer message ("Bonjour, startup, on a une DTx marquée CE, comment obtenir la
# PECAN ?"): a clause opening with an asking word, up to the end.
_QUESTION_CLAUSE = re.compile(
    r"(?:^|[.!?;,:]\s*|\s[-–]\s)((?:et |and |so |alors |du coup |mais |but )?(?:comment|combien|quel(?:le)?s?|quand|"
    r"pourquoi|qui|que|qu'|quoi|où|est[- ]ce|faut-il|peut-on|doit-on|how|what|when|which|who|why|where|do|does|"
    r"can|should|is|are)\b[^.!?]*\?)\s*$",
    re.I,
)

# The clause after a message's last comma, when it asks and opens with no asking word ("on a un projet R&D de
# 800k€ sur 2 ans pour notre DM connecté, on peut candidater à i-Nov ?"); not inside brackets.
_LAST_CLAUSE = re.compile(r",\s*([^,()]{12,}\?)\s*$")


def last_clause(text: str) -> str | None:
    """The question after a message's last comma (see _LAST_CLAUSE), None when there is none. What comes before
    may matter ("pas encore marqué CE, on peut déposer la PECAN ?"): the brain takes it only when it alone
    matches clearly."""
    m = _LAST_CLAUSE.search(text.strip())
    return m.group(1) if m else None


def question_clause(text: str) -> str | None:
    """The question a message ends with, when the message says more before it (a project, a greeting), else
    the question it opens with when more follows ("article 51 c'est quoi ? on m'en a parlé pour…"), else its
    sentences that ask, without those that tell ("notre logiciel analyse des ECG. selon la règle 11 on est en
    quelle classe ? et ça peut monter ?"); None when the whole message is the question."""
    text = text.strip()
    m = _QUESTION_CLAUSE.search(text) or _QUESTION_THEN_CONTEXT.search(text)
    if m and len(m.group(1)) < len(text) - 3:
        return m.group(1)
    asked = asking_part(text)
    return asked if len(asked) < len(text) - 3 else None


# A sentence ends at a mark followed by a space or a line: not inside "2.5"; "art. 51" is cut (the whole message
# is read first, so only the sentences that ask are at stake).
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def asking_part(text: str) -> str:
    """The sentences of a message that ask (end with a question mark), joined; the whole message when none
    does (a question typed without one). A month or a year in the founder's story ("déposé en mars 2024",
    "we plan to launch in 2027") is not what they ask about."""
    return " ".join(questions(text)) or text.strip()


def questions(text: str) -> list[str]:
    """The sentences of a message that end with a question mark, in order ("combien max ? et à quel âge ?"); a
    sentence joining two questions with "et"/"and" gives both ("c'est quoi le PECAN et combien ça rapporte ?")."""
    asked = [s.strip() for s in _SENTENCE_BREAK.split(text) if s.strip().endswith("?")]
    return [part for s in asked for part in _joined(s)]


# A second question joined to a first one in the same sentence: "et"/"and" then, within two words, an asking
# word that opens a question, or right after it a verb that asks ("is", "faut", "can"): "…HDS et est-ce que le
# RGPD s'applique ?", "ça dure combien et on a combien de temps pour déposer ?", "what is PECAN and how much does
# it pay?"; not "et qui"/"and which" (a relative clause), nor a list of asking words ("quand et comment": the
# first part is too short, see _joined).
_JOINED = re.compile(
    r"\s(?:et|and)\s+(?=(?:(?:[\w'’-]+,?\s+){0,2}?(?:est-ce qu|combien|comment|quel(?:le)?s?\s|quand\s|pourquoi|"
    r"c.est (?:quoi|qui)|how\s|what\s|when\s|why\s|where\s)|(?:faut(?:-il)?\s|peut-on|doit-on|dois-je|puis-je|do\s|"
    r"does\s|can\s|should\s|is\s|are\s))\S*\s+\w"
    # or a clause of its own (a pronoun first) whose asking word comes last: "…combien de temps max et on dépose le
    # dossier à qui ?"; not a list of subjects ("les tiers-lieux et les incubateurs c'est où ?")
    r"|(?:on|ça|ca|cela|il|elle|ils|elles|je|nous|vous|c.est|faut)\s[^?]{3,}?\s"
    r"(?:(?:à|a|par|de|chez|aupr[eè]s de)\s+qui|où|quand|combien|comment|lequel|laquelle)\s*\?*\s*$)",
    re.IGNORECASE,
)


def _joined(sentence: str) -> list[str]:
    """A question sentence cut where a second question is joined to it (see _JOINED); the first part holds at
    least three words ("c'est quoi HDS"), the others two ("how long?"), else the sentence stays whole."""
    parts = [p.strip() for p in _JOINED.split(sentence)]
    if len(parts) > 1 and len(parts[0].split()) >= 3 and all(len(p.split()) >= 2 for p in parts[1:]):
        return parts
    return [sentence]


# A question asking what, how much, when, who…: a fiche's answer opening on "Oui" or "Non" (written for its yes/no
# phrasing: "les 63 M€, c'est par tiers-lieu ?") answers another question; that word is left out.
_WH = re.compile(
    r"\b(combien|quand|qui|quel(le)?s?|où|ou(?=\s*\?)|comment|pourquoi|c.est quoi|qu.est-ce que|quoi|how|what|when|who|"
    r"which|where|why)\b",
    re.IGNORECASE,
)
# The word, with what follows it up to a colon when it qualifies it ("Non pour le stockage :", "Yes in principle:").
_YES_NO_OPENING = re.compile(
    r"^(oui|non|yes|no)\b((?:\s*[,:;]|\s+[-–])\s*(?:mais\s+|but\s+)?|\s+(?=si\b|if\b|dès\b|from\b|pas\b|not\b)|"
    r"\s+(?:pour|en|sur|par|avec|for|in|as|with)\b[^:.;?!\[]{0,40}:\s*)",
    re.IGNORECASE,
)
# A question asked the other way round from the phrasing a fiche matched ("doit-on stocker en Europe ?" of "peut-on
# stocker hors d'Europe ?"): its yes is the fiche's no. One of these words makes a sentence negative ("optional",
# "still voluntary?": not required).
_NEGATIVE = re.compile(
    r"\b(?:pas|jamais|aucune?|rien|interdite?s?|facultati(?:f|ve)s?|optionnel(?:le)?s?|volontaires?|not|never|"
    r"no longer|cannot|forbidden|optional|voluntary)\b|n['’]t\b",
    re.IGNORECASE,
)
# "hors de l'UE", "sans organisme notifié": the other way round only from a text naming the same thing ("stocker en
# Europe ?"), not from one naming something else ("backups aux US, c'est ok ?" asks what "hors de l'UE" asks).
_OUTSIDE = re.compile(r"\b(?:hors|sans|outside|without)\b((?:\W+\w+){1,4})", re.IGNORECASE)
_EITHER_WAY = re.compile(r"\b(?:ou|or)\s+(?:pas|not)\b", re.IGNORECASE)  # "DM ou pas ?" asks both ways


def _negative(text: str, other: str = "") -> bool:
    text = _EITHER_WAY.sub(" ", text)
    if _NEGATIVE.search(text):
        return True
    named = _content_prefixes(other)
    return any(_content_prefixes(m.group(1)) & named for m in _OUTSIDE.finditer(text))


def _content_prefixes(text: str) -> set[str]:
    """The first five letters of each content word ("Europe" and "européenne" meet)."""
    return {w[:5] for w in re.findall(r"\w{3,}", fold(text)) if w not in _STOP}


_STOP = STOPWORDS["fr"] | STOPWORDS["en"]


_YES_NO_ASKED = re.compile(r"\best[- ]ce qu|^\W*(is|are|can|do|does|should|must)\b", re.IGNORECASE)
# What a yes/no question asks of its subject: whether it must ("faut-il l'HDS ?") or whether it may ("peut-on garder
# les données aux US ?"). A yes to one is no answer to the other.
_MODALITY = re.compile(
    r"\b(?P<must>need|needs|needed|have to|has to|must|required?|mandatory|obligatory|compulsory|faut|doi[st]|doivent|"
    r"devons|devez|obligatoire?s?|besoin|necessaires?|requise?s?|exige)\b|"
    r"\b(?P<may>can|could|may|allowed|permitted|peut|peux|peuvent|pouvons|pouvez|possible|autorisee?s?|ok)\b"
)


def _modality(text: str) -> str | None:
    m = _MODALITY.search(fold(text))
    return m.lastgroup if m else None


def without_yes_no(statements_: list[Statement], question: str, phrasing: str = "") -> list[Statement]:
    """The first statement without its opening "Oui"/"Non" (and what qualifies it up to a colon: "Non pour le
    stockage :") when the (first) question is no yes/no question, or asks it the other way round from the
    fiche's `phrasing` it matched (one of the two negative, the other not), or asks whether one may of a phrasing
    asking whether one must (or the reverse)."""
    asked = next(iter(questions(question)), question.strip())
    wh = bool(_WH.search(asked)) and not _YES_NO_ASKED.search(asked)
    said = next(iter(questions(phrasing)), phrasing.strip())  # its first question, like the founder's
    reversed_ = bool(phrasing) and _negative(asked, said) != _negative(said, asked)
    modalities = {_modality(asked), _modality(said)} if phrasing else set()
    other_modality = None not in modalities and len(modalities) == 2
    if not statements_ or not (wh or reversed_ or other_modality):
        return statements_
    return [without_opening(statements_[0]), *statements_[1:]]


def without_opening(statement: Statement) -> Statement:
    """The statement without its opening "Oui"/"Non" whatever was asked: said after another statement (a fiche's
    answer led by another of its statements, a second question's answer), a yes or a no answers no one; asked
    differently ("faut-il déjà le marquage CE ?" of a fiche on "peut-on déposer avant le marquage CE ?"), its
    yes would be the founder's no."""
    m = _YES_NO_OPENING.match(statement.text)
    rest = statement.text[m.end():] if m else ""
    return replace(statement, text=rest[:1].upper() + rest[1:]) if rest else statement


def without_said_figures(statement: Statement, said: Sequence[Statement]) -> Statement:
    """A statement added after others without its last clause when that clause only repeats a figure already said
    ("30 tiers-lieux pour 2025 : l'objectif annoncé le 18 octobre 2021, avec une enveloppe nationale de 63 M€"
    after the 63 M€ answer); unchanged when the repeated figure is not in such a clause."""
    seen = set().union(*(_figures(st.text) for st in said))
    twice = _figures(statement.text) & seen
    head, comma, tail = statement.text.rstrip(". ").rpartition(", ")
    if not twice or not comma or not twice <= _figures(tail) or _figures(head) & seen:
        return statement
    return replace(statement, text=f"{head}.")


def within(statements_: Sequence[Statement], budget: int) -> list[Statement]:
    """The first statements, in order, as long as their words fit the budget (the first one always)."""
    kept: list[Statement] = []
    words = 0
    for st in statements_:
        words += len(st.text.split())
        if kept and words > budget:
            break
        kept.append(st)
    return kept


_NOT_YET = {
    "fr": (
        "Je ne sais pas pour {period} : sur ce sujet, la dernière information de Guichet date {when}. "
        "Un conseiller du guichet peut chercher la réponse avec vous."
    ),
    "en": (
        "I don't know for {period}: Guichet's latest information on this dates from {when}. "
        "An advisor of the single window can look for the answer with you."
    ),
}
_NO_ANSWER = {
    "fr": (
        "Je ne sais pas : la base de connaissances de Guichet ne contient pas d'information fiable sur "
        "« {topic} ». Un conseiller du guichet peut chercher la réponse avec vous."
    ),
    "en": (
        "I don't know: Guichet's knowledge base holds no reliable information on \"{topic}\". "
        "An advisor of the single window can look for the answer with you."
    ),
}
# After a fiche whose sources answer only in part (Fiche.partial).
PARTIAL = {
    "fr": "Pour une réponse propre à votre cas, un conseiller du guichet peut chercher avec vous.",
    "en": "For an answer specific to your case, an advisor of the single window can look into it with you.",
}
OUT_OF_SCOPE = {
    "fr": (
        "Je ne peux répondre qu'aux questions sur l'accompagnement de l'innovation en santé numérique "
        "(financements, expérimentation, évaluation, données, accès au marché). Voulez-vous parler à un conseiller ?"
    ),
    "en": (
        "I can only answer questions about support for digital-health innovation (funding, experimentation, "
        "evaluation, data, market access). Would you like to talk to an advisor?"
    ),
}
# Follow-up questions on the levers shown (vocabulary `follow_ups`) that depend on the founder's profile: what
# the API alone says (a client without the dialogue's profile); the bot answers them from the profile and the
# cards (bot/actions/knowledge.py). {names}: the levers shown.
FOLLOW_UP = {
    "why": {
        "fr": "Les leviers présentés ({names}) ont été choisis d'après votre besoin, votre stade, votre type de "
              "structure et de produit ; chaque carte en donne les raisons.",
        "en": "The levers shown ({names}) were chosen from your need, stage, kind of organisation and product; each "
              "card gives its reasons.",
    },
    "eligible": {
        "fr": "L'éligibilité aux leviers présentés ({names}) se lit critère par critère sur leur fiche, d'après votre "
              "projet ; un conseiller du guichet peut la confirmer.",
        "en": "Eligibility for the levers shown ({names}) is read criterion by criterion on their details, from your "
              "project; an advisor of the single window can confirm it.",
    },
    "which": {  # "et combien ?" before any scheme was shown or answered about
        "fr": "De quel dispositif parlez-vous ? Nommez-le (par exemple i-Lab, la PECAN ou les tiers-lieux) ou "
              "décrivez votre projet, et je vous réponds, dates et sources à l'appui.",
        "en": "Which scheme do you mean? Name it (i-Lab, PECAN or the tiers-lieux, say) or describe your project, "
              "and I will answer with dates and sources.",
    },
    "check": {  # said after where the levers stand
        "fr": "Avant de candidater, vérifiez les dates auprès de l'organisme qui porte le dispositif.",
        "en": "Before applying, check the dates with the body that runs the scheme.",
    },
    "guide": {
        "fr": "Je peux vous orienter : décrivez votre projet en une ou deux phrases (ce que fait votre solution, où "
              "vous en êtes, ce que vous cherchez) et je vous indique les leviers qui y répondent.",
        "en": "I can guide you: describe your project in a sentence or two (what your solution does, where you "
              "stand, what you are looking for) and I will point you to the levers that fit.",
    },
    "sources": {
        "fr": "Les sources de chaque réponse sont listées sous elle, numérotées, avec leur éditeur, leur date et leur "
              "lien.",
        "en": "The sources of each answer are listed below it, numbered, with their publisher, date and link.",
    },
    "project": {
        "fr": "Je ne connais de votre projet que ce que vous en dites dans cette conversation.",
        "en": "I only know of your project what you say about it in this conversation.",
    },
}

# What Guichet does with a founder's conversation (docs/security.md), for questions about Guichet itself
# (vocabulary `about_guichet`); {days}: the retention period the deployment is configured with.
ABOUT_GUICHET = {
    "data": {
        "fr": (
            "Guichet conserve cette conversation (vos messages, ses réponses et le projet que vous avez décrit), "
            "vos avis et, si vous en faites une, votre demande de contact, pour vous répondre et améliorer le "
            "service ; l'équipe du guichet peut les lire. La durée de conservation fixée est de {days} jours sans "
            "nouveau message, et un conseiller peut faire effacer la conversation plus tôt. Guichet ne transmet "
            "rien de lui-même à d'autres organismes (financeurs, investisseurs) ; où il est hébergé dépend de "
            "l'organisme qui l'exploite, qu'un conseiller peut vous indiquer. Ne collez jamais de données de patients "
            "ici."
        ),
        "en": (
            "Guichet keeps this conversation (your messages, its replies and the project you described), your "
            "feedback and, if you make one, your contact request, to answer you and improve the service; the single "
            "window's team can read them. The retention period set is {days} days without a new message, and an "
            "advisor can have the conversation erased sooner. Guichet passes nothing on by itself to other bodies "
            "(funders, investors); where it is hosted depends on the body that runs it, which an advisor can tell "
            "you. Never paste patient data here."
        ),
    },
    "erase": {
        "fr": (
            "Je ne peux pas effacer moi-même cette conversation, mais l'équipe du guichet peut l'effacer en entier "
            "(messages, avis, demande de contact) : demandez-le à un conseiller du guichet. Sans demande, la durée de "
            "conservation fixée est de {days} jours sans nouveau message."
        ),
        "en": (
            "I cannot erase this conversation myself, but the single window's team can erase all of it (messages, "
            "feedback, contact request): ask an advisor of the single window. Otherwise the retention period set is "
            "{days} days without a new message."
        ),
    },
    "withdraw": {
        "fr": (
            "Une demande de contact se retire dans la conversation où elle a été faite : elle est alors supprimée, "
            "avec votre nom et votre adresse, et aucun conseiller ne vous écrira."
        ),
        "en": (
            "A contact request is withdrawn in the conversation where it was made: it is then deleted, with your "
            "name and address, and no advisor will write to you."
        ),
    },
    "contact": {
        "fr": (
            "Votre nom et votre adresse e-mail servent seulement à ce qu'un conseiller du guichet vous recontacte : "
            "ils sont enregistrés dans votre demande si vous donnez votre accord, et ne sont pas conservés sinon. "
            "Le conseiller vous répond par e-mail ; une fois la demande enregistrée, vous pouvez y joindre un "
            "message (par exemple si vous préférez un appel)."
        ),
        "en": (
            "Your name and e-mail address are only used for an advisor of the single window to get back to you: they "
            "are recorded in your request if you agree, and not kept otherwise. The advisor answers by e-mail; once "
            "the request is filed, you can add a message to it (if you would rather have a call, for instance)."
        ),
    },
    "reply": {
        "fr": "Une fois votre demande enregistrée, un conseiller du guichet vous écrit à l'adresse que vous avez "
              "donnée ; le délai habituel vous est indiqué à l'enregistrement.",
        "en": "Once your request is filed, an advisor of the single window writes to the address you gave; the usual "
              "delay is given when it is filed.",
    },
    "price": {
        "fr": "Cet assistant ne vous demande aucun paiement et ne vend rien : il vous oriente et vous met en relation "
              "avec un conseiller du guichet. Les leviers présentés ont leurs propres conditions, et certaines "
              "démarches ont un coût (un organisme notifié, un hébergeur certifié, par exemple).",
        "en": "This assistant asks you for no payment and sells nothing: it points you to the levers and puts you in "
              "touch with an advisor of the single window. The levers shown have their own conditions, and some "
              "steps have a cost (a notified body, a certified host, for instance).",
    },
    "language": {
        "fr": "Oui : je réponds en français et en anglais, dans la langue où vous m'écrivez. Décrivez votre projet "
              "ou posez votre question.",
        "en": "Yes: I answer in English and in French, in the language you write in. Describe your project or ask "
              "your question.",
    },
    "service": {
        "fr": (
            "Je suis l'assistant automatique du guichet santé numérique : je vous oriente vers les leviers qui "
            "correspondent à votre projet (financements, expérimentation, évaluation, données, accès au marché) et "
            "je réponds à vos questions en citant des sources publiques datées. Pour une décision, l'organisme "
            "concerné fait foi ; je peux aussi vous mettre en relation avec un conseiller du guichet."
        ),
        "en": (
            "I am the digital-health single window's automated assistant: I point you to the levers that fit your "
            "project (funding, experimentation, evaluation, data, market access) and answer your questions citing "
            "dated public sources. For a decision, the body concerned has the final word; I can also put you in "
            "touch with an advisor of the single window."
        ),
    },
}


# An amount's label says what it is; a national envelope is named as such, so that it never reads as what a
# project can get.
NATIONAL = {"fr": "enveloppe nationale", "en": "national envelope"}


def amount_named(name: str, amount: Amount, lang: str) -> str:
    """"<lever>: <the amount's label>"."""
    label = amount_label(amount, lang)
    if label[:2].istitle():  # "Jusqu'à…" after a colon: "jusqu'à…" (an acronym stays as it is)
        label = label[0].lower() + label[1:]
    return f"{short_name(name)}{' : ' if lang == 'fr' else ': '}{label}"


def amount_label(amount: Amount, lang: str) -> str:
    """An amount's label, "(national envelope)" added when the figure is a whole country's budget."""
    scope = f" ({NATIONAL['en' if lang == 'en' else 'fr']})" if amount.scope == "national" else ""
    return f"{amount.label.get(lang).rstrip('. ')}{scope}"


def short_name(name: str) -> str:
    """A lever's name without its subtitle ("Concours d'innovation i-Lab : créer une start-up…" -> "…i-Lab")."""
    return re.split(r"\s?: ", name, maxsplit=1)[0]


def about_guichet(kind: str, lang: str, retention_days: int) -> str:
    texts = ABOUT_GUICHET.get(kind, ABOUT_GUICHET["service"])
    return texts["en" if lang == "en" else "fr"].format(days=retention_days)


PATIENT = {
    "fr": (
        "Pour une question sur votre santé ou celle d'un proche, le mieux est d'en parler à votre médecin ou à "
        "votre pharmacien. En cas d'urgence, appelez le 15 (SAMU) ou le 112. Guichet, lui, accompagne les "
        "porteurs de projets de santé numérique."
    ),
    "en": (
        "For a question about your own health or a relative's, please ask your doctor or pharmacist. In an "
        "emergency, call 15 (SAMU) or 112 in France. Guichet helps people who build digital-health projects."
    ),
}


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: str  # the raw paragraph it comes from, with its [source, date] references
    hit: Hit
    score: float
    coverage: float  # share of the question's weight the sentence (and its heading) covers
    stems: frozenset[str]


def clean(text: str) -> str:
    """Sentence text without its [source, date] references or list markers."""
    return re.sub(r"\s+", " ", CITATION.sub("", text)).replace(" .", ".").strip().lstrip("-•* ").strip()


# "Comment ça marche ?", "ça fonctionne comment ?": asking how something works, not about a market ("marché" shares
# the stem) nor about a fiche whose phrasing says "ça a marché".
_HOW_IT_WORKS = re.compile(
    r"\b(?:comment\s+(?:(?:ça|ca|cela)\s+)?(?:marche|marchent|fonctionne|fonctionnent)|(?:ça|ca|cela)\s+(?:marche|fonctionne))\b",
    re.I,
)

# "On développe une appli de méditation, c'est un DM ?", "we're building an app": the founder telling what they do,
# not what they ask about (a fiche on a call "to develop" devices would win on that word).
_WE_BUILD = re.compile(
    r"\b(?:on|nous|we|we're|we are|je|j'ai|i'm|i am)\s+(?:a\s+|avons\s+|have\s+|are\s+)?"
    r"(?:d[ée]velopp?\w*|conçoi\w*|concev\w*|develop\w*|build\w*|built|design\w*)\b",
    re.I,
)


class Idf(dict[str, float]):
    """Stem -> inverse document frequency of one language, with its largest value (the weight of a stem the corpus
    never uses), computed once: the answerer weighs thousands of texts a question."""

    def __init__(self, weights: Mapping[str, float]):
        super().__init__(weights)
        self.top = max(self.values(), default=1.0)


@lru_cache(maxsize=4)
def _asking_stems(lang: str) -> frozenset[str]:
    return frozenset(tokenize(f"{_ASKING['en' if lang == 'en' else 'fr']} {_CHATTER}", lang))


def question_weights(question: str, lang: str, idf: Mapping[str, float]) -> dict[str, float]:
    """The question's content stems with their weight (idf; a stem the corpus never uses weighs the most)."""
    asking = _asking_stems(lang)
    top = idf.top if isinstance(idf, Idf) else max(idf.values(), default=1.0)
    text = _WE_BUILD.sub(" ", _HOW_IT_WORKS.sub(" ", question))
    return {t: idf.get(t, top) for t in tokenize(text, lang) if t not in asking and len(t) > 1}


def sentences(
    hits: list[Hit],
    question: str,
    idf: Mapping[str, Mapping[str, float]],
    evidence: list[re.Pattern[str]],
    asking: str = "",
) -> list[Sentence]:
    """Every sentence of the hits, scored by the weight of the question stems it covers (length-damped),
    the rank of its passage, and whether it holds the kind of answer expected; a sentence holding it covers
    the question's `asking` words too ("budget" in "quel budget pour la formation" is what 81 M€ answers)."""
    out = []
    for rank, hit in enumerate(hits):
        lang = hit.chunk.lang
        weights = question_weights(question, lang, idf.get(lang, {}))
        total = sum(weights.values()) or 1.0
        heading = set(tokenize(f"{hit.chunk.title} {hit.chunk.section}", lang))
        asked = set(tokenize(asking, lang)) & set(weights)
        for paragraph in hit.chunk.text.split("\n"):
            for raw in _SENT.split(paragraph):
                text = clean(raw)
                toks = set(tokenize(text, lang))
                shared = set(weights) & toks
                if len(text) < MIN_SENTENCE_CHARS or not shared:
                    continue
                holds = bool(evidence) and any(p.search(fold(text)) for p in evidence)
                if holds:
                    shared |= asked
                from_heading = (set(weights) & heading) - shared
                covered = sum(weights[t] for t in shared) + HEADING_WEIGHT * sum(weights[t] for t in from_heading)
                score = covered / math.sqrt(len(toks)) + 1.0 / (1 + rank)
                if holds:
                    score += EVIDENCE_BONUS
                out.append(Sentence(text, paragraph, hit, score, covered / total, frozenset(toks)))
    return sorted(out, key=lambda s: -s.score)


def _figures(text: str) -> set[str]:
    return {n for n in _FIGURE.findall(text) if len(n) >= 2 and not _YEAR.match(n)}


def _adds_nothing(s: Sentence, chosen: list[Sentence]) -> bool:
    """Same passage, same figure, or mostly the same words as a sentence already chosen."""
    for c in chosen:
        if s.hit.chunk.id == c.hit.chunk.id or _figures(s.text) & _figures(c.text):
            return True
        if len(s.stems & c.stems) / max(1, min(len(s.stems), len(c.stems))) >= REDUNDANT_OVERLAP:
            return True
    return False


def _statement(s: Sentence, lang: str, today: dt.date) -> Statement:
    refs = list(CITATION.finditer(s.paragraph)) or list(CITATION.finditer(s.hit.chunk.text))
    sources = tuple(dict.fromkeys(m.group(1) for m in refs))
    dates = [d for m in refs if (d := parse_date(m.group(2)))]
    date = max(dates) if dates else parse_date(s.hit.chunk.as_of)
    c = s.hit.chunk
    return Statement(past_targets(s.text, lang, today, date), sources, date, c.doc_id, c.id, c.title, c.lever_id)


def compose(
    question: str,
    hits: list[Hit],
    lang: str,
    idf: Mapping[str, Mapping[str, float]],
    evidence: list[re.Pattern[str]],
    today: dt.date,
    asking: str = "",
) -> list[Statement]:
    """The statements of a composed answer: the best sentence first, then what adds to it, ~90 words at most;
    empty when no sentence covers enough of the question."""
    every = sentences(hits, question, idf, evidence, asking)
    ranked = [s for s in every if s.hit.chunk.lang == lang] or every
    if not ranked or ranked[0].coverage < MIN_COVERAGE:
        return []
    names = {t for m in _NAME.findall(question) for t in tokenize(m, lang)}
    if names - ranked[0].stems - set(tokenize(f"{ranked[0].hit.chunk.title} {ranked[0].hit.chunk.section}", lang)):
        return []  # "what does Doctolib pay its HDS host": a sentence on HDS without Doctolib does not answer
    chosen = [ranked[0]]
    words = len(ranked[0].text.split())
    for s in ranked[1:]:
        if len(chosen) >= MAX_STATEMENTS:
            break
        if s.coverage < MIN_COVERAGE or _adds_nothing(s, chosen) or words + len(s.text.split()) > MAX_WORDS:
            continue
        chosen.append(s)
        words += len(s.text.split())
    return [_statement(s, lang, today) for s in chosen]


def fiche_statements(fiche: Fiche, lang: str, today: dt.date) -> list[Statement]:
    """A fiche's answer as statements, each with the sources and latest date of its references."""
    out = []
    doc_id = f"fiche-{fiche.id}.{lang}"
    for text, refs in statements(fiche.answer.get(lang)):
        date = max((parse_date(d) for _, d in refs), default=None, key=lambda d: d or dt.date.min)
        lever = fiche.levers[0] if fiche.levers else None
        out.append(
            Statement(past_targets(text, lang, today, date), tuple(s for s, _ in refs), date, doc_id, doc_id,
                      fiche.questions.get(lang)[0], lever)
        )
    return out


def lead_with_asked(
    statements_: list[Statement], evidence: list[re.Pattern[str]], named: frozenset[str] = frozenset(), lang: str = "fr"
) -> list[Statement]:
    """A fiche's statements with the one holding the kind of answer asked (a figure, a date, a span of time)
    first: a fiche leads with the answer to its main phrasing; asked another facet ("how long can it run?" of a
    fiche on who decides), the statement holding it comes first and the others follow in their order.
    `named`: the stems of the names the question asks about (acronyms: "le taux du CII"); among the statements
    holding that kind of answer, one saying more of them than the fiche's first statement leads (the CII's
    20 %, not the CIR's 30 % of a fiche on both)."""
    def holds(st: Statement) -> bool:
        return any(p.search(fold(st.text)) for p in evidence)

    def says(st: Statement) -> int:
        return len(named & set(tokenize(st.text, lang))) if named else 0

    if not evidence or not statements_:
        return statements_
    holding = [i for i, st in enumerate(statements_) if holds(st)]
    if not holding:
        return statements_
    best = max(holding, key=lambda i: (says(statements_[i]), -i))
    if holds(statements_[0]) and says(statements_[best]) <= says(statements_[0]):
        return statements_
    moved = [statements_[best], without_opening(statements_[0]), *statements_[1:best], *statements_[best + 1 :]]
    if any(_STEP.match(st.text) for st in statements_):  # numbered steps out of order: the numbers would mislead
        moved = [replace(st, text=_STEP.sub("", st.text, count=1)) for st in moved]
    return moved


_STEP = re.compile(r"^\d+\)\s+")  # "2) Once the file is complete…": a fiche listing steps in order


def not_yet_known(period: dict[str, str], latest: dt.date, lang: str) -> str:
    """What the sources cannot say: the period asked is later than their latest information on the subject."""
    lang = "en" if lang == "en" else "fr"
    return _NOT_YET[lang].format(period=period[lang], when=month_year(latest, lang))


def unknown(question: str, lang: str) -> str:
    topic = re.sub(r"\s+", " ", question).strip().rstrip("?!. ")
    if len(topic) > 90:
        topic = topic[:90].rsplit(" ", 1)[0] + "…"
    return _NO_ANSWER["en" if lang == "en" else "fr"].format(topic=topic)


def answer_body(statements_: list[Statement], cat: Catalogue, lang: str, today: dt.date) -> dict:
    """The answer text and its numbered citations; the levers the statements come from."""
    text, cites = render(statements_, cat, lang, today)
    levers = list(dict.fromkeys(st.lever_id for st in statements_ if st.lever_id))
    return {"answer": text, "citations": cites, "levers": levers}
