// Builds the DOM of each message. Server data only ever becomes text nodes: no innerHTML anywhere.

import { el } from "./widget-dom.js";
import { DOWN_REASONS, localized, pickLang, translator } from "./widget-i18n.js";
import { link, roadmapNodes } from "./widget-markdown.js";

const LABEL_CHARS = 60; // a button label: cut at a word with an ellipsis, the whole label kept as its tooltip

let uid = 0;

export { el };

// Thumb icons drawn as SVG (Feather icons, MIT): emoji fonts are missing on many systems.
const THUMBS = {
  up: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
  down: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17",
};

function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "18", height: "18", fill: "none", stroke: "currentColor",
    "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false" })) {
    svg.setAttribute(k, v);
  }
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", THUMBS[name]);
  svg.append(path);
  return svg;
}

function labelled(ctx, label, value) {
  return el("p", null, el("span", { class: "gw-label" }, `${label}${ctx.t("colon")}`), String(value));
}

// The custom payload of a bot message, whether nested under `custom` or sent as the message itself.
export function customOf(data) {
  if (data && data.custom && typeof data.custom === "object") return data.custom;
  if (data && typeof data.type === "string" && !data.text) return data;
  return null;
}

function leverIdOf(payload) {
  const match = /^\/ask_about_lever\s*(\{.*\})$/.exec(String(payload || ""));
  if (!match) return null;
  try {
    return JSON.parse(match[1]).lever || null;
  } catch {
    return null;
  }
}

// A label of at most `limit` characters, cut at a word (never inside one), with an ellipsis.
export function shorten(text, limit = LABEL_CHARS) {
  const words = String(text || "").split(/\s+/).filter(Boolean);
  const whole = words.join(" ");
  if (whole.length <= limit) return whole;
  let out = "";
  for (const word of words) {
    if ((out ? out.length + 1 : 0) + word.length > limit - 1) break;
    out = out ? `${out} ${word}` : word;
  }
  return `${(out || whole.slice(0, limit - 1)).replace(/[\s,;:.—(-]+$/, "")}…`;
}

function replyButton(reply, ctx) {
  const full = String(reply.title || reply.payload || "");
  const label = shorten(full);
  const button = el("button", { type: "button", class: "gw-reply", title: label === full ? null : full }, label);
  button.addEventListener("click", () => ctx.send(String(reply.payload || reply.title || ""), String(reply.title || "")));
  return button;
}

function replies(list, ctx) {
  if (!list.length) return null;
  return el("div", { class: "gw-replies", role: "group", "aria-label": ctx.t("options") }, ...list.map((r) => replyButton(r, ctx)));
}

// The heading and text of a card's amount: per project, or a national envelope said to be one, dated.
function amountLine(amount, ctx) {
  const heading = amount.heading || ctx.t("envelope");
  const when = amount.when || (amount.as_of ? ctx.t("as_of", { date: amount.as_of }) : "");
  return [heading, when ? `${amount.label} (${when})` : String(amount.label)];
}

// A lever card, compact: name, first reason, where it stands (when it must be said), amount and next step;
// criteria and source fold away.
function card(lever, detailReplies, ctx) {
  const { t } = ctx;
  const head = `gw-card-${++uid}`;
  const parts = [el("h3", { id: head }, String(lever.name || lever.id || ""))];
  const why = (lever.why || []).filter(Boolean);
  if (why.length) parts.push(labelled(ctx, t("why"), why.join(t("and"))));
  if (lever.status) parts.push(labelled(ctx, t("status"), String(lever.status)));
  if (lever.amount && lever.amount.label) parts.push(labelled(ctx, ...amountLine(lever.amount, ctx)));
  if (lever.next_step) parts.push(labelled(ctx, t("next"), lever.next_step));
  const crit = (lever.criteria || []).filter((c) => c && c.name);
  const more = [];
  if (crit.length) {
    more.push(
      el(
        "ul",
        { class: "gw-crit" },
        ...crit.map((c) => {
          const verdict = ["met", "not_met"].includes(c.verdict) ? c.verdict : "unknown";
          const mark = { met: "✓", not_met: "✗", unknown: "?" }[verdict];
          return el("li", { class: `gw-${verdict}` }, `${mark} ${c.name} — ${t(verdict)}`);
        }),
      ),
    );
  }
  if (lever.source) more.push(el("p", { class: "gw-source" }, `${t("source")}${t("colon")}${lever.source}`));
  if (more.length) {
    const summary = crit.length ? t("criteria_count", { n: crit.length, met: crit.filter((c) => c.verdict === "met").length }) : t("source");
    parts.push(el("details", { class: "gw-more" }, el("summary", null, summary), ...more));
  }
  const buttons = replies(detailReplies, ctx);
  if (buttons) parts.push(buttons);
  return el("li", null, el("article", { class: "gw-card", "aria-labelledby": head, "data-lever": String(lever.id || "") }, ...parts));
}

function leverCards(custom, quick, ctx) {
  const levers = Array.isArray(custom.levers) ? custom.levers : [];
  const byLever = new Map();
  const rest = [];
  for (const reply of quick) {
    const id = leverIdOf(reply.payload);
    if (id && levers.some((lv) => lv.id === id)) byLever.set(id, [...(byLever.get(id) || []), reply]);
    else rest.push(reply);
  }
  const nodes = [ctx.t("intro"), el("ul", { class: "gw-cards" }, ...levers.map((lv) => card(lv, byLever.get(lv.id) || [], ctx)))];
  return { nodes, rest };
}

// A citation's parts from /ask's fields (n, title, publisher, date, url), else its older title and source.
function citation(c, i) {
  const title = String(c.title || c.source || "").trim();
  let meta = [c.publisher, c.date].filter(Boolean).join(", ");
  if (!meta && c.source && c.source !== title) meta = String(c.source);
  return { n: Number.isInteger(c.n) ? c.n : i + 1, title, meta, url: String(c.url || "") };
}

function answer(custom, ctx) {
  const cites = (custom.citations || []).filter(Boolean).map((c, i) => {
    const p = citation(c, i);
    return el("li", { value: String(p.n) }, link(p.url, p.title), p.meta ? ` — ${p.meta}` : "");
  });
  const nodes = [String(custom.answer || "")];
  if (cites.length) nodes.push(el("p", { class: "gw-label" }, ctx.t("sources")), el("ol", { class: "gw-cites" }, ...cites));
  return nodes;
}

function leverDetail(custom, text, ctx) {
  const lever = custom.lever || {};
  const lang = custom.lang || ctx.lang;
  const head = `gw-card-${++uid}`;
  const parts = [el("h3", { id: head }, String(localized(lever.name, lang) || lever.id || ""))];
  const summary = localized(lever.summary, lang);
  if (summary) parts.push(el("p", null, String(summary)));
  const operator = localized(lever.operator, lang);
  if (operator) parts.push(labelled(ctx, ctx.t("operator"), operator));
  const contact = lever.contact ? localized(lever.contact.label, lang) : "";
  if (contact) parts.push(labelled(ctx, ctx.t("contact"), contact));
  for (const a of lever.amounts || []) {
    const heading = ctx.t({ "per-project": "amount", reference: "reference" }[a.scope] || "envelope");
    const when = a.as_of ? ` (${ctx.t("as_of", { date: a.as_of })})` : "";
    parts.push(labelled(ctx, heading, `${localized(a.label, lang)}${when}`));
  }
  const steps = localized(lever.next_steps, lang);
  if (Array.isArray(steps) && steps.length) {
    parts.push(el("p", { class: "gw-label" }, ctx.t("next")), el("ol", null, ...steps.map((s) => el("li", null, String(s)))));
  }
  if (!lever.name) return [text];
  return [el("article", { class: "gw-card", "aria-labelledby": head, "data-lever": String(lever.id || "") }, ...parts)];
}

// The roadmap laid out, compact (title, project, one folded section per lever), with the document to download.
function roadmap(custom, text, ctx) {
  const markdown = String(custom.markdown || "");
  if (!markdown) return [text];
  const name = /^[\w.-]{1,80}\.md$/.test(String(custom.filename || "")) ? custom.filename : ctx.t("roadmap_file");
  const download = el("a", { class: "gw-download", download: name }, ctx.t("roadmap_download"));
  download.href = URL.createObjectURL(new Blob([markdown], { type: "text/markdown;charset=utf-8" }));
  return [roadmapNodes(markdown), download];
}

function feedback(entry, ctx) {
  const { t } = ctx;
  const box = el("div", { class: "gw-feedback" });
  if (entry.feedback) {
    box.append(el("span", { role: "status" }, t(entry.feedback === "failed" ? "feedback_failed" : "thanks")));
    return box;
  }
  const up = el("button", { type: "button", class: "gw-thumb", "aria-label": t("up"), "aria-pressed": "false" }, icon("up"));
  const down = el("button", { type: "button", class: "gw-thumb", "aria-label": t("down"), "aria-pressed": "false" }, icon("down"));
  const done = (result) => {
    box.replaceChildren(el("span", { role: "status" }, t(result === "failed" ? "feedback_failed" : "thanks")));
  };
  up.addEventListener("click", () => ctx.feedback(entry, "up", []).then(done));
  down.addEventListener("click", () => {
    down.setAttribute("aria-pressed", "true");
    up.disabled = true;
    down.disabled = true;
    const boxes = DOWN_REASONS.map((code) => {
      const input = el("input", { type: "checkbox", value: code });
      return { input, label: el("label", null, input, ` ${t(`reason_${code}`)}`) };
    });
    const submit = el("button", { type: "button", class: "gw-small" }, t("send_feedback"));
    submit.addEventListener("click", () => {
      submit.disabled = true;
      const reasons = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
      ctx.feedback(entry, "down", reasons).then(done);
    });
    const set = el("fieldset", { class: "gw-reasons" }, el("legend", null, t("reasons_legend")), ...boxes.map((b) => b.label), submit);
    box.append(set);
    boxes[0].input.focus();
  });
  box.append(el("span", null, t("helpful")), up, down);
  return box;
}

// One bot message: its text or rich payload, its buttons, and thumbs for feedback.
export function botMessage(entry, ctx) {
  const data = entry.data || {};
  const text = String(data.text || "");
  const custom = customOf(data);
  // The widget's own words follow the conversation's language, which may not be the page's (an English
  // conversation on a French page): the bot's payloads say it, and messages without one (the form's questions)
  // follow the last that did.
  if (custom && custom.lang) ctx.replyLang = pickLang(custom.lang);
  ctx = inReplyLang(ctx);
  let quick = (data.quick_replies || data.buttons || []).filter((r) => r && (r.title || r.payload));
  let nodes = [text];
  if (custom && custom.type === "lever_cards") {
    const built = leverCards(custom, quick, ctx);
    nodes = built.nodes;
    quick = built.rest;
  } else if (custom && custom.type === "answer") nodes = answer(custom, ctx);
  else if (custom && custom.type === "lever") nodes = leverDetail(custom, text, ctx);
  else if (custom && custom.type === "roadmap") nodes = roadmap(custom, text, ctx);
  return el(
    "div",
    { class: "gw-msg gw-bot", "data-message-id": entry.id },
    el("span", { class: "gw-who" }, `${ctx.t("bot")}${ctx.t("colon")}`),
    ...nodes,
    replies(quick, ctx),
    feedback(entry, ctx),
  );
}

export function userMessage(entry, ctx) {
  ctx = inReplyLang(ctx);
  return el("div", { class: "gw-msg gw-user" }, el("span", { class: "gw-who" }, `${ctx.t("you")}${ctx.t("colon")}`), String(entry.text || ""));
}

function inReplyLang(ctx) {
  return ctx.replyLang && ctx.replyLang !== ctx.lang ? { ...ctx, lang: ctx.replyLang, t: translator(ctx.replyLang) } : ctx;
}
