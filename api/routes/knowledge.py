"""Public knowledge routes: search, route, ask, the lever catalogue."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from .. import responses as out
from ..core import roadmap as roadmap_md
from ..deps import BrainDep
from ..errors import errors
from ..schemas import AskIn, RouteIn, SearchIn

router = APIRouter(tags=["knowledge"])
LangQuery = Annotated[Literal["fr", "en"], Query(description="the language of the names and texts")]


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


@router.post("/search", response_model=out.SearchResult)
def search(body: SearchIn, brain: BrainDep) -> out.SearchResult:
    return out.search_result(brain.search(body.query, k=body.k, lang=body.lang), brain.mode)


@router.post("/route", response_model=out.RouteResult)
def route(body: RouteIn, brain: BrainDep) -> out.RouteResult:
    return out.route_result(brain.route(body.text, body.profile, body.lang, about=body.about))


@router.post(
    "/roadmap",
    response_class=MarkdownResponse,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}, "description": "A Markdown file"}},
)
def roadmap(body: RouteIn, brain: BrainDep) -> MarkdownResponse:
    """The founder's roadmap to take away: the recommended levers in order, as a Markdown document."""
    routed = brain.route(body.text, body.profile, body.lang)
    lang = routed.get("lang") or body.lang or "fr"
    return MarkdownResponse(
        roadmap_md.render(routed, brain.labels(lang), lang),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="feuille-de-route.md"'},
    )


@router.post("/ask", response_model=out.Answer, response_model_exclude_unset=True)
def ask(body: AskIn, brain: BrainDep) -> out.Answer:
    return out.answer(brain.ask(body.question, body.lang, context=body.levers, topic=body.topic))


@router.get("/levers", response_model=out.LeverList)
def levers(brain: BrainDep, lang: LangQuery = "fr") -> out.LeverList:
    return out.lever_list(brain.catalogue.levers, lang)


@router.get("/vocabularies", response_model=out.Vocabularies)
def vocabularies(brain: BrainDep, lang: LangQuery = "fr") -> out.Vocabularies:
    """Code -> label tables (stages, organisation types, product kinds, needs) in one language."""
    return out.vocabularies(brain, lang)


@router.get("/levers/{lever_id}", response_model=out.LeverDetail, responses=errors(404, e404="no lever with this id"))
def lever(lever_id: str, brain: BrainDep) -> out.LeverDetail:
    lv = brain.catalogue.lever(lever_id)
    if lv is None:
        raise HTTPException(404, f"no lever with id '{lever_id}'")
    return out.lever_detail(lv)
