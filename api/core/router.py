"""Rank the levers for a founder: needs and eligibility from the lever records, similarity from retrieval.

score(lever) = sum over the founder's needs of strength(need) x lever.needs[need]
             + SIMILARITY_WEIGHT x similarity(message, the lever's example phrasings)
             + small bonuses when the product kind or organisation is one the lever lists
             - SOFT_MISS for each criterion without `required` that the profile does not meet.
A lever is recommended only if it passes every required criterion, fails not all of its criteria, and
answers a need the founder expressed (or resembles the request closely); the others are listed with why.
Scores are rounded and ties go by id, so the same input gives the same cards in the same order.
The lever's example phrasings only measure similarity: they are never quoted to a founder.
All lever-specific knowledge is in knowledge/levers/*.yaml; nothing here names a lever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from guichet_contract import heading

from .catalogue import PRIMARY_NEED, Catalogue, Criterion, Lever
from .corpus import source_label
from .profile import Extraction, Profile

SIMILARITY_WEIGHT = 0.6
FIT_BONUS = 0.05
MIN_SCORE = 0.2
# A criterion that is not required but not met (a product already on the market for an early-stage aid)
# weighs the lever down by this much instead of hiding it.
SOFT_MISS = 0.1
# A lever that answers none of the needs the founder expressed is recommended only when the request
# resembles its examples this closely (0..1, as SIM_ALONE below): fit bonuses and loose similarity alone made
# the third card change with every rewording of the same project. When no need is expressed at all,
# similarity is all there is to go by, and SIM_WITH_ONE_NEED is enough.
SIM_WITHOUT_NEED = 0.55
SCORE_DECIMALS = 6
AMOUNT_ORDER = ("per-project", "national", "reference")  # float sums in another order must not reorder tied levers
DEFAULT_NEED_STRENGTH = 0.3
MAX_LEVERS = 5
MAX_TOPICS = 3  # topics named on one lever's card, in rank order
# The dialogue asks only about what decides an eligibility criterion of the levers it would show first.
ASK_FROM_TOP = 3
# In-scope thresholds on similarity to the levers' example phrasings (0..1).
SIM_WITH_ONE_NEED = 0.3
# Needs alone (strengths summed) that put a message in scope: one specific need, or two generic ones.
NEEDS_ALONE = 0.6
SIM_ALONE = 0.55
# A message that names no project (stage, organisation, product, project wording) and does not speak for a
# team ("nous", "our") must at least resemble the levers' example requests: health words and a generic need
# alone are how patients and job seekers write too (their knee, their sick pay, their career).
SIM_UNANCHORED = 0.4  # or two needs ("former des ingénieurs aux règles de la e-santé")

_T = {
    "need": {"fr": "Besoin exprimé : {}", "en": "Need you expressed: {}"},
    # A step named on a card whose condition the founder does not meet yet (not CE-marked for early coverage).
    "unmet": {"fr": "{} — condition pas encore remplie : {}", "en": "{} — condition not met yet: {}"},
    "kind": {"fr": "Votre produit ({}) entre dans son périmètre", "en": "Your product ({}) is within its scope"},
    "org": {"fr": "Il s'adresse aux structures comme la vôtre ({})", "en": "It serves organisations like yours ({})"},
    "close": {"fr": "Votre demande ressemble à celles que ce levier traite",
              "en": "Your request is like those this lever deals with"},
    "amount": {"fr": "{} (chiffre au {})", "en": "{} (figure as of {})"},
    "not_met": {"fr": "Critère non rempli : {} — {}", "en": "Criterion not met: {} — {}"},
    "none_met": {"fr": "Aucun de ses critères n'est rempli ({})", "en": "None of its criteria is met ({})"},
    "no_need": {
        "fr": "Aucun besoin exprimé ne correspond à ce levier (il répond à : {})",
        "en": "No need you expressed matches this lever (it answers: {})",
    },
    "low": {"fr": "Moins pertinent que les leviers proposés", "en": "Less relevant than the levers shown"},
}


Scored = tuple[float, Lever, list[tuple[Criterion, str]], float]  # score, lever, verdicts, similarity


@dataclass(frozen=True)
class Scope:
    in_scope: bool
    reason: str


def assess_scope(ex: Extraction, best_similarity: float) -> Scope:
    """Off-topic, injection and gibberish are out; in scope needs a domain term, needs or a close match."""
    if ex.off_topic:
        return Scope(False, f"off-topic or instruction pattern: {ex.off_topic[0]!r}")
    if ex.known_words == 0:
        return Scope(False, "no words")
    if ex.private_person:
        return Scope(False, f"a private person's own situation, no project: {(ex.personal or ex.health)[0]!r}")
    expressed = sum(ex.need_strength.values())
    if not (ex.project or ex.team) and best_similarity < SIM_UNANCHORED and len(ex.need_strength) < 2:
        return Scope(False, "no project, no team, one need at most, and unlike the requests the levers answer")
    if ex.has_domain_signal or expressed >= NEEDS_ALONE:
        return Scope(True, "domain terms or clearly expressed needs")
    if expressed and best_similarity >= SIM_WITH_ONE_NEED:
        return Scope(True, "a need and a close lever")
    if best_similarity >= SIM_ALONE:
        return Scope(True, "close to a lever's examples")
    return Scope(False, "nothing about digital-health innovation support")


def verdict(crit: Criterion, profile: Profile) -> str:
    value = getattr(profile, crit.slot)
    if crit.slot == "needs":
        return "unknown" if not value else ("met" if set(value) & set(crit.accepts) else "not_met")
    if value is None:
        return "unknown"
    return "met" if value in crit.accepts else "not_met"


def _label(table: Mapping, code: str | None, lang: str) -> str:
    entry = table.get(code) if code else None
    return entry.label.get(lang) if entry else str(code)


def score_lever(
    lever: Lever, profile: Profile, strength: Mapping[str, float], similarity: float, cat: Catalogue
) -> tuple[float, list[tuple[Criterion, str]]]:
    verdicts = [(c, verdict(c, profile)) for c in lever.criteria]
    need_part = sum(strength[n] * lever.needs.get(n, 0.0) for n in sorted(strength))
    score = need_part + SIMILARITY_WEIGHT * similarity
    if profile.product_kind and profile.product_kind in lever.product_kinds:
        score += FIT_BONUS
    if profile.organisation_type and profile.organisation_type in lever.organisation_types:
        score += FIT_BONUS
    score -= SOFT_MISS * sum(1 for c, v in verdicts if v == "not_met" and not c.required)
    return round(score, SCORE_DECIMALS), verdicts


def blocking(verdicts: list[tuple[Criterion, str]]) -> list[Criterion]:
    """The criteria that keep a lever from being recommended: a required one not met, or all of them not met."""
    failed = [c for c, v in verdicts if v == "not_met"]
    required = [c for c in failed if c.required]
    if required:
        return required
    return failed if failed and len(failed) == len(verdicts) else []


def need_strengths(ex: Extraction | None, profile: Profile, cat: Catalogue) -> dict[str, float]:
    """Text-detected strengths, plus needs given in the profile at their vocabulary weight."""
    strength = dict(ex.need_strength) if ex else {}
    for n in profile.needs:
        if n in cat.vocab.needs:
            strength.setdefault(n, cat.vocab.needs[n].weight)
    if not strength:  # nothing expressed: orienting is the single window's answer, weakly
        d = cat.vocab.default_need
        strength[d] = DEFAULT_NEED_STRENGTH * cat.vocab.needs[d].weight
    return strength


def rank(
    cat: Catalogue,
    profile: Profile,
    strength: Mapping[str, float],
    similarity: Mapping[str, float],
    lang: str,
    about: frozenset[str] = frozenset(),
) -> dict:
    """The /route body (less in_scope and profile): recommended levers with reasons and verdicts, the rest with why,
    and the levers the founder asks `about` (recommended or not) with their criteria's verdicts."""
    scored = []
    for lever in cat.levers:
        sim = similarity.get(lever.id, 0.0)
        s, verdicts = score_lever(lever, profile, strength, sim, cat)
        scored.append((s, lever, verdicts, sim))
    scored.sort(key=lambda t: (-t[0], t[1].id))
    eligible = [t for t in scored if not blocking(t[2])]
    expressed = {n: w for n, w in strength.items() if n != cat.vocab.default_need or n in profile.needs}
    close = SIM_WITHOUT_NEED if expressed else SIM_WITH_ONE_NEED
    relevant = [t for t in eligible if _answers(t[1], expressed) or t[3] >= close]
    open_doors = {t[1].id: t for t in eligible}
    doors, topics = _fold(relevant, open_doors)
    chosen = [t for t in doors if t[0] >= MIN_SCORE][:MAX_LEVERS] or (doors or _fold(eligible, open_doors)[0])[:1]
    picked = {t[1].id for t in chosen} | {lv.id for t in chosen for lv in topics.get(t[1].id, [])}
    levers = [
        _card(lv, s, v, sim, profile, strength, lang, cat, topics.get(lv.id, [])) for s, lv, v, sim in chosen
    ]
    excluded = [
        {"id": lv.id, "name": lv.name.get(lang), "why": _why_not(lv, v, strength, lang, cat)}
        for _, lv, v, _ in scored
        if lv.id not in picked
    ]
    asked = [
        {"id": lv.id, "name": lv.name.get(lang), "recommended": lv.id in picked, "criteria": _verdicts(v, lang, cat)}
        for _, lv, v, _ in scored
        if lv.id in about
    ]
    return {
        "levers": levers,
        "excluded": excluded,
        "asked": asked,
        "missing": _missing(profile, levers),
        "ask": _deciding(profile, levers[:ASK_FROM_TOP]),
    }


def _verdicts(verdicts: list[tuple[Criterion, str]], lang: str, cat: Catalogue) -> list[dict]:
    """A lever's criteria and where the founder stands on each, with the clause that says so."""
    return [
        {
            "id": c.id,
            "name": c.name.get(lang),
            "slot": c.slot,
            "verdict": verdict_,
            "required": c.required,
            "evidence": {"text": c.clause.get(lang), "source": _src(cat, c.source)},
        }
        for c, verdict_ in verdicts
    ]


def _fold(ranked: list[Scored], open_doors: dict[str, Scored]) -> tuple[list[Scored], dict[str, list[Lever]]]:
    """Topics (levers `within` another) go inside their lever's card and lift it to their score; a topic
    whose lever is not open to this founder (a required criterion failed) stands on its own. `ranked` is in
    rank order; `open_doors` holds every eligible lever by id."""
    doors: dict[str, Scored] = {}
    topics: dict[str, list[Lever]] = {}
    for t in ranked:
        parent = t[1].within
        if parent is None or parent not in open_doors:
            doors.setdefault(t[1].id, t)
            continue
        topics.setdefault(parent, []).append(t[1])
        own = doors.get(parent, open_doors[parent])
        doors[parent] = (max(own[0], t[0]), *own[1:])
    return sorted(doors.values(), key=lambda t: (-t[0], t[1].id)), {k: v[:MAX_TOPICS] for k, v in topics.items()}


def _answers(lever: Lever, strength: Mapping[str, float]) -> bool:
    """Whether the lever is for one of these needs (its weight for it is PRIMARY_NEED or more)."""
    return any(lever.needs.get(n, 0.0) >= PRIMARY_NEED for n in strength)


def _card(
    lever: Lever,
    score: float,
    verdicts,
    similarity: float,
    profile: Profile,
    strength,
    lang: str,
    cat: Catalogue,
    topics: list[Lever],
) -> dict:
    v = cat.vocab
    reasons = [
        _T["need"][lang].format(_label(v.needs, n, lang))
        for n in sorted(strength, key=lambda n: (-strength[n] * lever.needs.get(n, 0), n))
        if lever.needs.get(n, 0.0) >= PRIMARY_NEED and n in profile.needs
    ]
    if profile.product_kind in lever.product_kinds:
        reasons.append(_T["kind"][lang].format(_label(v.product_kinds, profile.product_kind, lang)))
    if profile.organisation_type in lever.organisation_types:
        reasons.append(_T["org"][lang].format(_label(v.organisation_types, profile.organisation_type, lang)))
    if similarity >= SIM_WITH_ONE_NEED:
        reasons.append(_T["close"][lang])
    if topics:
        # The closest step only (its name is long enough): the card's topics and the roadmap list them all.
        step = topics[0].name.get(lang)
        unmet = [c.name.get(lang) for c in topics[0].criteria if verdict(c, profile) == "not_met"]
        if unmet:
            step = _T["unmet"][lang].format(step, ", ".join(unmet))
        reasons.insert(0, f"{heading('topics', lang)}{' : ' if lang == 'fr' else ': '}{step}")
    return {
        "id": lever.id,
        "name": lever.name.get(lang),
        "score": round(score, 4),
        "summary": lever.summary.get(lang),
        "reasons": reasons,
        "criteria": _verdicts(verdicts, lang, cat),
        "amounts": [  # what one project can get first; national envelopes and reference figures say so
            {
                "label": a.label.get(lang),
                "value_eur": a.value_eur,
                "scope": a.scope,
                "period": a.period,
                "as_of": a.as_of.isoformat(),
                "source": _src(cat, a.source),
            }
            for a in sorted(lever.amounts, key=lambda a: AMOUNT_ORDER.index(a.scope))
        ],
        "next_steps": lever.next_steps.get(lang),
        "contact": {"channel": lever.contact.channel, "label": lever.contact.label.get(lang), "url": lever.contact.url},
        "sources": [_src(cat, s) for s in lever.sources],
        "topics": [{"id": tp.id, "name": tp.name.get(lang), "summary": tp.summary.get(lang)} for tp in topics],
        "status": {
            "value": lever.status.value,
            "known_on": lever.status.known_on.isoformat(),
            "text": lever.status.line(lang),
            "told": lever.status.told(),
            "source": _src(cat, lever.status.source),
        },
    }


def _src(cat: Catalogue, source_id: str) -> str:
    src = cat.sources.get(source_id)
    return source_label(src) if src else source_id


def _why_not(lever: Lever, verdicts, strength, lang: str, cat: Catalogue) -> str:
    failed = blocking(verdicts)
    if failed and not any(c.required for c in failed) and len(failed) > 1:
        return _T["none_met"][lang].format("; ".join(c.name.get(lang) for c in failed))
    if failed:
        return _T["not_met"][lang].format(failed[0].name.get(lang), failed[0].clause.get(lang))
    if not _answers(lever, strength):
        answers = ", ".join(_label(cat.vocab.needs, n, lang) for n, w in lever.needs.items() if w >= PRIMARY_NEED)
        return _T["no_need"][lang].format(answers)
    return _T["low"][lang]


def _deciding(profile: Profile, levers: list[dict]) -> list[str]:
    """Unknown slots that decide a criterion of these levers, in the order the levers come."""
    unknown = profile.missing()
    deciding = [c["slot"] for lv in levers for c in lv["criteria"] if c["verdict"] == "unknown"]
    return [s for s in dict.fromkeys(deciding) if s in unknown]


def _missing(profile: Profile, levers: list[dict]) -> list[str]:
    """Slots still unknown, those that decide a shown lever's criteria first."""
    first = _deciding(profile, levers)
    return first + [s for s in profile.missing() if s not in first]
