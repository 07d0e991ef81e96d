"""Public knowledge routes: search, route, ask, the lever catalogue."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from ..core import roadmap as roadmap_md
from ..deps import BrainDep
from ..schemas import AskIn, RouteIn, SearchIn

router = APIRouter(tags=["knowledge"])


@router.post("/search")
def search(body: SearchIn, brain: BrainDep) -> dict:
    hits = brain.search(body.query, k=body.k, lang=body.lang)
    return {"results": [h.to_dict() for h in hits], "mode": brain.mode}


@router.post("/route")
def route(body: RouteIn, brain: BrainDep) -> dict:
    if not (body.text and body.text.strip()) and body.profile is None:
        raise HTTPException(422, "give a text, a profile or both")
    return brain.route(body.text, body.profile, body.lang)


@router.post("/roadmap", response_class=PlainTextResponse, responses={200: {"content": {"text/markdown": {}}}})
def roadmap(body: RouteIn, brain: BrainDep) -> PlainTextResponse:
    """The founder's roadmap to take away: the recommended levers in order, as a Markdown document."""
    if not (body.text and body.text.strip()) and body.profile is None:
        raise HTTPException(422, "give a text, a profile or both")
    routed = brain.route(body.text, body.profile, body.lang)
    lang = routed.get("lang") or body.lang or "fr"
    text = roadmap_md.render(routed, brain.labels(lang), lang)
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="feuille-de-route.md"'},
    )


@router.post("/ask")
def ask(body: AskIn, brain: BrainDep) -> dict:
    return brain.ask(body.question, body.lang, context=body.levers)


@router.get("/levers")
def levers(brain: BrainDep, lang: str = Query(default="fr", pattern="^(fr|en)$")) -> dict:
    return {
        "levers": [
            {
                "id": lv.id,
                "name": lv.name.get(lang),
                "summary": lv.summary.get(lang),
                "lever_type": lv.lever_type,
                "needs": sorted(lv.needs, key=lambda n: -lv.needs[n]),
            }
            for lv in brain.catalogue.levers
        ]
    }


@router.get("/vocabularies")
def vocabularies(brain: BrainDep, lang: str = Query(default="fr", pattern="^(fr|en)$")) -> dict:
    """Code -> label tables (stages, organisation types, product kinds, needs) in one language."""
    return brain.vocabulary_labels(lang)


@router.get("/levers/{lever_id}")
def lever(lever_id: str, brain: BrainDep) -> dict:
    lv = brain.catalogue.lever(lever_id)
    if lv is None:
        raise HTTPException(404, f"no lever with id '{lever_id}'")
    return lv.model_dump(mode="json", exclude={"examples"})  # the example phrasings are internal (routing only)
