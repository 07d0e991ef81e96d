// The staff page: asks for an API key (kept in sessionStorage only), reads /staff/analytics,
// /staff/conversations, /staff/handoffs and /staff/knowledge/lapsed, and draws charts and tables. Every piece of data is
// inserted as a text node (textContent), never as HTML.
import Chart from "chart.js/auto";

const KEY = "guichet.staff.key";
const LANG = "guichet.staff.lang";
const PAGE_SIZE = 25;

const T = {
  fr: {
    title: "Guichet — espace équipe", logout: "Se déconnecter", loginTitle: "Clé d'API",
    loginHelp: "Saisissez une clé d'équipe (créée par « guichet keys create »). Elle reste dans cet onglet seulement.",
    keyLabel: "Clé", open: "Ouvrir", since: "Depuis", until: "Jusqu'au", apply: "Appliquer",
    figConversations: "conversations", figHandoffs: "mises en relation", figUnanswered: "questions sans réponse",
    figFeedback: "avis positifs", chartDays: "Conversations par jour", chartFunnel: "Parcours",
    chartLevers: "Leviers recommandés", chartNeeds: "Besoins exprimés", chartFeedback: "Avis et motifs",
    unansweredTitle: "Questions sans réponse, regroupées", colQuestion: "Question", colCount: "Nombre",
    colExamples: "Exemples", conversationsTitle: "Conversations", colLang: "Langue", colLevers: "Leviers",
    colHandoff: "Mise en relation", any: "toutes", yes: "oui", no: "non", colStarted: "Début",
    colTurns: "Messages", prev: "Précédent", next: "Suivant", detailTitle: "Conversation",
    erase: "Effacer cette conversation (droit à l'effacement)", close: "Fermer",
    handoffsTitle: "Demandes de mise en relation", colReference: "Référence", colStatus: "État",
    colAssignee: "Conseiller", colCreated: "Reçue le", read: "Lire", loading: "Chargement…",
    loaded: "À jour", badKey: "Clé refusée : vérifiez-la ou demandez-en une nouvelle.",
    failed: "Le service ne répond pas correctement", noTracker: "Aucune conversation enregistrée pour l'instant (le serveur de dialogue n'a pas encore démarré).",
    confirmErase: "Effacer définitivement cette conversation et tout ce qui s'y rattache ?",
    erased: "Conversation effacée", needAdmin: "Il faut une clé « admin » pour effacer.",
    founder: "Porteur de projet", assistant: "Assistant", pageOf: "{from}–{to} sur {total}",
    funnel: ["Commencées", "Profil qualifié", "Leviers présentés", "Mise en relation"],
    up: "Utile", down: "Pas utile", count: "conversations", open_: "ouverte", assigned: "attribuée", closed: "close",
    reasons: { clear: "clair", complete: "complet", "reliable-sources": "sources fiables", incorrect: "incorrect",
      "off-topic": "hors sujet", "missing-sources": "sources manquantes" },
    lapsedTitle: "Connaissances à revoir (comme « guichet check »)", colState: "État", colRecord: "Élément",
    colField: "Champ", colDate: "Date passée", colDetail: "Quoi faire", wrong: "à corriger", onPurpose: "voulu",
    lapsedSummary: "{wrong} à corriger, {ok} passés volontairement (au {today})",
  },
  en: {
    title: "Guichet — staff", logout: "Log out", loginTitle: "API key",
    loginHelp: "Enter a staff key (made with `guichet keys create`). It stays in this tab only.",
    keyLabel: "Key", open: "Open", since: "From", until: "To", apply: "Apply",
    figConversations: "conversations", figHandoffs: "advisor requests", figUnanswered: "unanswered questions",
    figFeedback: "positive ratings", chartDays: "Conversations per day", chartFunnel: "Funnel",
    chartLevers: "Levers recommended", chartNeeds: "Needs expressed", chartFeedback: "Ratings and reasons",
    unansweredTitle: "Unanswered questions, grouped", colQuestion: "Question", colCount: "Count",
    colExamples: "Examples", conversationsTitle: "Conversations", colLang: "Language", colLevers: "Levers",
    colHandoff: "Advisor request", any: "any", yes: "yes", no: "no", colStarted: "Started",
    colTurns: "Messages", prev: "Previous", next: "Next", detailTitle: "Conversation",
    erase: "Erase this conversation (right to erasure)", close: "Close",
    handoffsTitle: "Advisor requests", colReference: "Reference", colStatus: "Status",
    colAssignee: "Advisor", colCreated: "Received", read: "Read", loading: "Loading…",
    loaded: "Up to date", badKey: "Key refused: check it or ask for a new one.",
    failed: "The service did not answer properly", noTracker: "No conversation stored yet (the dialogue server has not started).",
    confirmErase: "Erase this conversation and everything attached to it, for good?",
    erased: "Conversation erased", needAdmin: "Erasing needs an 'admin' key.",
    founder: "Founder", assistant: "Assistant", pageOf: "{from}–{to} of {total}",
    funnel: ["Started", "Profile qualified", "Levers shown", "Advisor request"],
    up: "Helpful", down: "Not helpful", count: "conversations", open_: "open", assigned: "assigned", closed: "closed",
    reasons: { clear: "clear", complete: "complete", "reliable-sources": "reliable sources", incorrect: "incorrect",
      "off-topic": "off-topic", "missing-sources": "missing sources" },
    lapsedTitle: "Knowledge to review (as `guichet check`)", colState: "State", colRecord: "Record",
    colField: "Field", colDate: "Date passed", colDetail: "What to do", wrong: "to fix", onPurpose: "on purpose",
    lapsedSummary: "{wrong} to fix, {ok} lapsed on purpose (as of {today})",
  },
};

const state = { lang: "fr", offset: 0, total: 0, charts: {}, labels: { levers: {}, needs: {} }, current: null };
const $ = (id) => document.getElementById(id);
const t = (key) => T[state.lang][key] ?? T.fr[key] ?? key;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    if (c instanceof Node) td.appendChild(c);
    else td.textContent = c === null || c === undefined ? "" : String(c);
    tr.appendChild(td);
  }
  return tr;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

class HttpError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const key = sessionStorage.getItem(KEY);
  const headers = { Accept: "application/json", Authorization: `Bearer ${key}` };
  const res = await fetch(path, { ...options, headers });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const detail = body && typeof body.detail === "string" ? body.detail : `${res.status}`;
    throw new HttpError(res.status, detail);
  }
  return body;
}

function translate() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const b of document.querySelectorAll("button.lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
}

function status(text, isError = false) {
  const s = $("status");
  s.textContent = text;
  s.className = isError ? "error" : "muted";
}

function dateParams() {
  const p = new URLSearchParams();
  if ($("since").value) p.set("since", $("since").value);
  if ($("until").value) p.set("until", $("until").value);
  return p;
}

function chart(id, config) {
  if (state.charts[id]) state.charts[id].destroy();
  state.charts[id] = new Chart($(id), config);
}

const bar = (labels, data, horizontal = false) => ({
  type: "bar",
  data: { labels, datasets: [{ label: t("count"), data, backgroundColor: "#000091" }] },
  options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } }, animation: false,
    scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } } },
});

function drawAnalytics(a) {
  $("fig-total").textContent = a.conversations.total;
  $("fig-handoffs").textContent = a.funnel.handoff;
  $("fig-unanswered").textContent = a.unanswered.total;
  const rated = a.feedback.up + a.feedback.down;
  $("fig-feedback").textContent = rated ? `${Math.round((100 * a.feedback.up) / rated)} %` : "–";
  if (a.tracker !== "ok") status(t("noTracker"));
  chart("chart-days", {
    type: "line",
    data: { labels: a.conversations.per_day.map((d) => d.day),
      datasets: [{ label: t("count"), data: a.conversations.per_day.map((d) => d.count), borderColor: "#000091", tension: 0.2 }] },
    options: { plugins: { legend: { display: false } }, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const f = a.funnel;
  chart("chart-funnel", bar(t("funnel"), [f.started, f.qualified, f.levers_shown, f.handoff], true));
  chart("chart-levers", bar(a.levers.map((l) => state.labels.levers[l.id] || l.id), a.levers.map((l) => l.count), true));
  chart("chart-needs", bar(a.needs.map((n) => state.labels.needs[n.id] || n.id), a.needs.map((n) => n.count), true));
  const reasons = Object.keys(a.feedback.reasons);
  chart("chart-feedback", bar([t("up"), t("down"), ...reasons.map((r) => T[state.lang].reasons[r] || r)],
    [a.feedback.up, a.feedback.down, ...reasons.map((r) => a.feedback.reasons[r])]));
  fill($("unanswered").tBodies[0], a.unanswered.groups.map((g) => row([g.label, g.count, g.examples.join(" · ")])));
  const select = $("f-lever");
  const chosen = select.value;
  select.replaceChildren(select.options[0]);
  for (const id of Object.keys(state.labels.levers).sort()) {
    const o = el("option", state.labels.levers[id]);
    o.value = id;
    select.appendChild(o);
  }
  select.value = chosen;
}

function readButton(id) {
  const b = el("button", t("read"));
  b.type = "button";
  b.addEventListener("click", () => openConversation(id));
  return b;
}

async function loadConversations() {
  const p = dateParams();
  p.set("limit", String(PAGE_SIZE));
  p.set("offset", String(state.offset));
  for (const [param, id] of [["lang", "f-lang"], ["lever", "f-lever"], ["has_handoff", "f-handoff"]]) {
    if ($(id).value) p.set(param, $(id).value);
  }
  const page = await api(`/staff/conversations?${p}`);
  state.total = page.total;
  fill($("conversations").tBodies[0], page.conversations.map((c) => row([
    (c.started_at || "").replace("T", " ").slice(0, 16), c.lang, c.turns,
    c.levers.map((id) => state.labels.levers[id] || id).join(", "), c.handoff ? t("yes") : t("no"), readButton(c.id),
  ])));
  const to = Math.min(state.offset + PAGE_SIZE, page.total);
  $("page").textContent = t("pageOf").replace("{from}", page.total ? state.offset + 1 : 0).replace("{to}", to).replace("{total}", page.total);
  $("prev").disabled = state.offset === 0;
  $("next").disabled = to >= page.total;
}

async function loadHandoffs() {
  const body = await api("/staff/handoffs?limit=100");
  fill($("handoffs").tBodies[0], body.handoffs.map((h) => row([
    h.reference, t(h.status === "open" ? "open_" : h.status), h.assignee || "", (h.created_at || "").slice(0, 10),
    h.levers.map((id) => state.labels.levers[id] || id).join(", "),
  ])));
}

async function loadLapsed() {
  const body = await api("/staff/knowledge/lapsed");
  $("lapsed-summary").textContent = t("lapsedSummary").replace("{wrong}", body.wrong).replace("{ok}", body.on_purpose)
    .replace("{today}", body.today);
  fill($("lapsed").tBodies[0], body.lapses.map((x) => row([
    x.on_purpose ? t("onPurpose") : t("wrong"), x.record, x.field, x.date, x.detail,
  ])));
}

async function openConversation(id) {
  const c = await api(`/staff/conversations/${encodeURIComponent(id)}`);
  state.current = id;
  $("detail").hidden = false;
  $("detail-status").textContent = "";
  $("detail-meta").textContent = `${c.started_at || ""} · ${c.lang} · ${c.turns} · ${c.handoffs.join(", ")}`;
  $("transcript").replaceChildren(...c.transcript.map((turn) => {
    const li = el("li", null, turn.role);
    li.appendChild(el("span", `${t(turn.role)} · ${(turn.at || "").slice(11, 19)}${turn.intent ? ` · ${turn.intent}` : ""}`, "meta"));
    li.appendChild(document.createTextNode(turn.text));
    if (turn.buttons && turn.buttons.length) li.appendChild(el("span", turn.buttons.map((b) => `[${b.title}]`).join(" "), "meta"));
    return li;
  }));
  $("detail").scrollIntoView({ behavior: "smooth" });
}

async function erase() {
  if (!state.current || !window.confirm(t("confirmErase"))) return;
  try {
    const res = await api(`/staff/conversations/${encodeURIComponent(state.current)}`, { method: "DELETE" });
    $("detail-status").textContent = `${t("erased")} (${res.deleted.events} + ${res.deleted.feedback} + ${res.deleted.handoffs})`;
    $("transcript").replaceChildren();
    state.current = null;
    await refresh();
  } catch (err) {
    $("detail-status").textContent = err.status === 403 ? t("needAdmin") : `${t("failed")}: ${err.message}`;
  }
}

async function loadLabels() {
  const [levers, vocab] = await Promise.all([api(`/levers?lang=${state.lang}`), api(`/vocabularies?lang=${state.lang}`)]);
  state.labels.levers = Object.fromEntries(levers.levers.map((l) => [l.id, l.name]));
  state.labels.needs = vocab.needs || {};
}

async function refresh() {
  status(t("loading"));
  try {
    // Everything at once; the tables wait for the labels, which are small and come first.
    const labels = loadLabels();
    const [analytics] = await Promise.all([
      api(`/staff/analytics?${dateParams()}`),
      labels.then(loadConversations),
      labels.then(loadHandoffs),
      loadLapsed(),
    ]);
    drawAnalytics(analytics);
    if (analytics.tracker === "ok") status(t("loaded"));
  } catch (err) {
    if (err.status === 401 || err.status === 403) return logout(t("badKey"));
    status(`${t("failed")}: ${err.message}`, true);
  }
}

function logout(message = "") {
  sessionStorage.removeItem(KEY);
  $("board").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("login-error").textContent = message;
}

function start() {
  $("board").hidden = false;
  $("login").hidden = true;
  $("logout").hidden = false;
  refresh();
}

function init() {
  state.lang = sessionStorage.getItem(LANG) || ((navigator.language || "fr").startsWith("en") ? "en" : "fr");
  translate();
  for (const b of document.querySelectorAll("button.lang")) {
    b.addEventListener("click", () => {
      state.lang = b.dataset.lang;
      sessionStorage.setItem(LANG, state.lang);
      translate();
      if (sessionStorage.getItem(KEY)) refresh();
    });
  }
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("key").value.trim());
    $("key").value = "";
    start();
  });
  $("logout").addEventListener("click", () => logout());
  $("range").addEventListener("submit", (e) => { e.preventDefault(); state.offset = 0; refresh(); });
  $("conv-filters").addEventListener("submit", (e) => { e.preventDefault(); state.offset = 0; loadConversations().catch((err) => status(err.message, true)); });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); loadConversations(); });
  $("next").addEventListener("click", () => { state.offset += PAGE_SIZE; loadConversations(); });
  $("erase").addEventListener("click", erase);
  $("close-detail").addEventListener("click", () => { $("detail").hidden = true; state.current = null; });
  if (sessionStorage.getItem(KEY)) start();
}

document.addEventListener("DOMContentLoaded", init);
