"""Turn knowledge/ (lever records and strategy documents) into retrieval documents and chunks."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from retrieval.chunking import chunk_documents
from retrieval.loading import Skipped, read_folder
from retrieval.models import Chunk, Document

from .catalogue import LANGS, PRIMARY_NEED, Catalogue, Lever, Source
from .fiches import Fiche

CITATION = re.compile(r"\[(s\d{3,})(?:,\s*([^\]]*))?\]")
_HEAD = {
    "fr": {
        "summary": "Résumé",
        "facts": "Chiffres et faits datés",
        "conditions": "Conditions",
        "next": "Prochaines étapes",
        "eligibility": "Éligibilité",
        "operator": "Opérateur",
        "contact": "Contact",
    },
    "en": {
        "summary": "Summary",
        "facts": "Dated facts and figures",
        "conditions": "Conditions",
        "next": "Next steps",
        "eligibility": "Eligibility",
        "operator": "Operator",
        "contact": "Contact",
    },
}


def source_label(src: Source, lang: str = "en") -> str:
    return f"{src.title} — {src.publisher_in(lang)}, {src.date.isoformat()}"


def _sources_text(ids: list[str], cat: Catalogue) -> str:
    return "; ".join(source_label(cat.sources[i]) for i in ids if i in cat.sources)


def lever_document(lever: Lever, lang: str, cat: Catalogue) -> Document:
    """A lever record as a Markdown document, every fact followed by its [source, date] reference."""
    h = _HEAD[lang]
    lines = [
        f"## {h['summary']}",
        lever.summary.get(lang),
        "",
        f"{h['operator']} : {lever.operator.get(lang)}"
        if lang == "fr"
        else f"{h['operator']}: {lever.operator.get(lang)}",
        "",
        f"## {h['facts']}",
    ]
    for fact in lever.facts:
        lines += [f"{fact.text.get(lang)} [{fact.source}, {fact.as_of.isoformat()}]", ""]
    lines.append(f"## {h['eligibility']}")
    for crit in lever.criteria:  # the clause alone: a criterion's short name is a label, not a statement
        lines += [f"{crit.clause.get(lang)} [{crit.source}]", ""]
    lines.append(f"## {h['conditions']}")
    lines += [f"- {c}" for c in lever.conditions.get(lang)]
    lines += ["", f"## {h['next']}"]
    lines += [f"- {s}" for s in lever.next_steps.get(lang)]
    return Document(
        id=f"lever-{lever.id}.{lang}",
        lang=lang,
        title=lever.name.get(lang),
        text="\n".join(lines),
        lever_id=lever.id,
        source=_sources_text(list(lever.sources), cat),
        as_of=max(f.as_of for f in lever.facts).isoformat(),
        path=f"knowledge/levers/{lever.id}.yaml",
    )


def lever_examples(lever: Lever, cat: Catalogue) -> list[Chunk]:
    """Routing chunks: how founders who need this lever talk, one chunk per phrasing."""
    out = []
    for lang in LANGS:
        texts = [*lever.examples.get(lang), f"{lever.name.get(lang)}. {lever.summary.get(lang)}"]
        texts += [cat.vocab.needs[n].label.get(lang) for n, w in lever.needs.items() if w >= PRIMARY_NEED]
        doc_id = f"lever-{lever.id}-examples.{lang}"
        for n, text in enumerate(texts):
            out.append(
                Chunk(
                    id=f"{doc_id}#{n:04d}",
                    doc_id=doc_id,
                    lang=lang,
                    kind="example",
                    title=lever.name.get(lang),
                    section="",
                    text=text,
                    lever_id=lever.id,
                )
            )
    return out


def fiche_documents(fiche: Fiche, cat: Catalogue) -> list[Document]:
    """A fiche's answer as one searchable passage per language, titled by its first question."""
    return [
        Document(
            id=f"fiche-{fiche.id}.{lang}",
            lang=lang,
            title=fiche.questions.get(lang)[0],
            text=fiche.answer.get(lang),
            lever_id=fiche.levers[0] if fiche.levers else None,
            source=_sources_text(list(fiche.sources), cat),
            as_of=fiche.as_of.isoformat(),
            path=f"knowledge/fiches/{fiche.id}.yaml",
        )
        for lang in LANGS
    ]


def fiche_questions(fiche: Fiche) -> list[Chunk]:
    """Matching chunks: each phrasing of a fiche's question, in both languages (kind "fiche")."""
    out = []
    for lang in LANGS:
        doc_id = f"fiche-{fiche.id}-questions.{lang}"
        for n, text in enumerate(fiche.questions.get(lang)):
            out.append(
                Chunk(
                    id=f"{doc_id}#{n:04d}",
                    doc_id=doc_id,
                    lang=lang,
                    kind="fiche",
                    title="",  # the id would leak its words into matching
                    section="",
                    text=text,
                    lever_id=fiche.levers[0] if fiche.levers else None,
                )
            )
    return out


def strategy_documents(root: Path, cat: Catalogue) -> tuple[list[Document], list[Skipped]]:
    """knowledge/documents/**: Markdown with front matter; source ids resolved to readable labels."""
    docs, skipped = read_folder(root)
    resolved = []
    for d in docs:
        ids = [s.strip() for s in d.source.split(",") if s.strip() in cat.sources]
        resolved.append(replace(d, source=_sources_text(ids, cat) or d.source))
    return resolved, skipped


def build_chunks(cat: Catalogue, knowledge_dir: Path, max_chars: int = 700) -> tuple[list[Chunk], list[Skipped]]:
    """Every chunk of the knowledge base. Documents from elsewhere (uploads, `--docs`) are added by
    api/core/indexing.py, each in its own id namespace (api/core/extras.py), never as knowledge."""
    docs = [lever_document(lv, lang, cat) for lv in cat.levers for lang in LANGS]
    docs += [d for f in cat.fiches for d in fiche_documents(f, cat)]
    strategy, skipped = strategy_documents(knowledge_dir / "documents", cat)
    docs += strategy
    chunks = chunk_documents(docs, max_chars=max_chars)
    chunks += [c for lv in cat.levers for c in lever_examples(lv, cat)]
    chunks += [c for f in cat.fiches for c in fiche_questions(f)]
    return chunks, skipped
