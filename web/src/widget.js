// Guichet's embeddable chat widget. One script tag embeds it:
//   <script src="https://guichet.example/static/widget.js" data-server="https://rasa.example"
//           data-api="https://guichet.example" data-lang="fr" defer></script>
// data-server: Rasa's base URL (socket.io); data-api: the Guichet API (feedback), default the
// script's own origin; data-lang: fr | en, default the page's <html lang>, else French.

import { pickLang, translator } from "./widget-i18n.js";
import { botMessage, el, userMessage } from "./widget-render.js";
import { connect, loadSession, saveLog, sendFeedback, startSession } from "./widget-session.js";
import { CSS } from "./widget-style.js";

function readConfig(script) {
  const data = (script && script.dataset) || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  return {
    server: data.server || "",
    api: data.api || scriptOrigin,
    lang: pickLang(data.lang || document.documentElement.lang || "fr"),
  };
}

function applyStyles(root) {
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS); // constructed sheets work under a strict style-src CSP
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(el("style", null, CSS));
  }
}

function mount(config) {
  const t = translator(config.lang);
  const host = el("div", { id: "guichet-widget", lang: config.lang });
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  applyStyles(root);

  const launcher = el(
    "button",
    { type: "button", class: "gw-launcher", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "gw-panel" },
    t("launcher"),
  );
  const close = el("button", { type: "button", class: "gw-close", "aria-label": t("close") }, "×");
  // The privacy notice: whole on a wide panel; one line on a phone, whole again when tapped.
  const privacy = el("p", { id: "gw-privacy", class: "gw-privacy", title: t("privacy") }, t("privacy"));
  const narrow = window.matchMedia("(max-width: 480px)");
  const fitPrivacy = () => privacy.classList.toggle("gw-short", narrow.matches && !privacy.dataset.open);
  privacy.addEventListener("click", () => {
    privacy.dataset.open = privacy.dataset.open ? "" : "1";
    fitPrivacy();
  });
  narrow.addEventListener("change", fitPrivacy);
  fitPrivacy();
  const status = el("p", { class: "gw-status", role: "status", "aria-live": "polite" });
  const log = el("div", { class: "gw-log", role: "log", "aria-live": "polite", "aria-label": t("log"), tabindex: "0" });
  const typing = el("p", { class: "gw-typing gw-sr", "aria-hidden": "true" });
  const input = el("textarea", { id: "gw-input", rows: "1", maxlength: "2000", placeholder: t("placeholder"), autocomplete: "off" });
  const form = el(
    "form",
    { class: "gw-form" },
    el("label", { class: "gw-sr", for: "gw-input" }, t("input")),
    input,
    el("button", { type: "submit", class: "gw-send" }, t("send")),
  );
  const panel = el(
    "section",
    { id: "gw-panel", class: "gw-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "gw-title", "aria-describedby": "gw-privacy", hidden: true },
    el("header", { class: "gw-head" }, el("div", null, el("h2", { id: "gw-title" }, t("title")), el("p", null, t("subtitle"))), close),
    privacy,
    status,
    log,
    typing,
    form,
  );
  root.append(el("div", { class: "gw" }, launcher, panel));

  let session = null;
  let link = null;
  let wasOffline = false;
  let typingTimer = 0;
  let replyStart = null; // the first bot message since the founder last spoke

  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
  };
  const setTyping = (on) => {
    clearTimeout(typingTimer);
    typing.textContent = on ? t("typing") : "";
    typing.classList.toggle("gw-sr", !on);
    if (on) typingTimer = setTimeout(() => setTyping(false), 30000);
  };
  const ctx = {
    t,
    lang: config.lang,
    send: (payload, title) => send(payload, title),
    feedback: (entry, rating, reasons) =>
      sendFeedback(config.api, { conversation_id: session.id, message_id: entry.id, rating, reasons })
        .then(() => {
          entry.feedback = rating;
          saveLog(session);
          return "sent";
        })
        .catch(() => "failed"),
  };
  const render = (entry) => {
    const node = entry.kind === "bot" ? botMessage(entry, ctx) : userMessage(entry, ctx);
    log.append(node);
    return node;
  };
  const nextBotId = () => {
    const last = [...session.log].reverse().find((e) => e.kind === "bot");
    return `bot-${last ? Number(String(last.id).split("-")[1]) + 1 : 1}`;
  };

  function onBotMessage(data) {
    setTyping(false);
    const entry = { kind: "bot", id: nextBotId(), data };
    session.log.push(entry);
    saveLog(session);
    const node = render(entry);
    // Show the bot's reply from its start (lever cards are taller than the panel), even in several parts.
    replyStart = replyStart || node;
    log.scrollTop = Math.max(0, replyStart.offsetTop - 8);
  }

  function send(text, shown) {
    const message = String(text || "").trim();
    if (!message || !link) return false;
    if (!link.send(message, config.lang)) {
      status.textContent = t("not_sent");
      return false;
    }
    const entry = { kind: "user", text: shown || message };
    session.log.push(entry);
    saveLog(session);
    render(entry);
    replyStart = null;
    setTyping(true);
    scrollDown();
    return true;
  }

  function start() {
    session = loadSession() || startSession();
    log.append(el("div", { class: "gw-msg gw-bot" }, t("welcome")));
    session.log.forEach(render);
    if (!config.server) {
      status.textContent = t("offline");
      return;
    }
    status.textContent = t("connecting");
    link = connect(config.server, session, {
      online() {
        status.textContent = wasOffline ? t("reconnected") : "";
        if (wasOffline) setTimeout(() => status.textContent === t("reconnected") && (status.textContent = ""), 4000);
        wasOffline = false;
      },
      offline() {
        wasOffline = true;
        setTyping(false);
        status.textContent = t("offline");
      },
      message: onBotMessage,
      restarted() {
        // The server could not resume this tab's session: what follows is a new conversation.
        session.log = [];
        saveLog(session);
      },
    });
  }

  function submit() {
    if (send(input.value)) input.value = "";
  }

  function open() {
    if (!session) start();
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    scrollDown();
    input.focus();
  }

  function hide() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  close.addEventListener("click", hide);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      hide();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
}

const script = document.currentScript || document.querySelector("script[src*='widget'][data-server]");
const config = readConfig(script);
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mount(config));
else mount(config);
