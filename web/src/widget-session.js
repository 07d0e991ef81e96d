// The conversation's identity and memory in this browser tab, and its socket.io link to Rasa.

import { io } from "socket.io-client";

const KEY_ID = "guichet.session";
const KEY_TOKEN = "guichet.token";
const KEY_LOG = "guichet.log";
const MAX_LOG = 200;
// What the server issues (bot/channels/sessions.py): 32 random bytes in hex, and an HMAC in base64url.
const SESSION_ID = /^[0-9a-f]{64}$/;
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: the conversation lasts as long as the page
  }
}

// The tab's session as the server issued it (id and token), with its messages; null when there is none.
export function loadSession() {
  const store = storage();
  const id = store && store.getItem(KEY_ID);
  const token = store && store.getItem(KEY_TOKEN);
  if (!id || !SESSION_ID.test(id) || !token || !SESSION_TOKEN.test(token)) return null;
  let log = [];
  try {
    log = JSON.parse(store.getItem(KEY_LOG) || "[]");
  } catch {
    log = [];
  }
  return { id, token, log: Array.isArray(log) ? log : [] };
}

// A session to be issued by the server when the chat connects; nothing is stored until then.
export function startSession() {
  const store = storage();
  if (store) [KEY_ID, KEY_TOKEN, KEY_LOG].forEach((key) => store.removeItem(key));
  return { id: null, token: null, log: [] };
}

function saveSession(session) {
  const store = storage();
  if (!store) return;
  store.setItem(KEY_ID, session.id);
  store.setItem(KEY_TOKEN, session.token);
}

export function saveLog(session) {
  const store = storage();
  if (!store) return;
  session.log = session.log.slice(-MAX_LOG);
  try {
    store.setItem(KEY_LOG, JSON.stringify(session.log));
  } catch {
    // quota reached: the server keeps the conversation; the tab just forgets older lines
  }
}

// Connects to Rasa's socket.io channel: asks for the tab's session (showing its token to resume it, or for a
// new one) and sends only once Rasa confirms it (replies go to the session's room). The server keeps a
// session for the socket that shows its token: when it confirms another id, the old session could not be
// resumed (its token was refused) and the conversation starts over. Messages typed while the first
// connection is being made wait for it; once the server has been found unreachable, they are refused.
export function connect(server, session, handlers) {
  const socket = io(server, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnectionDelayMax: 10000,
    timeout: 8000,
  });
  let ready = false;
  let failed = false;
  const waiting = [];
  const emit = (message) =>
    socket.emit("user_uttered", { message: message.text, session_id: session.id, metadata: { lang: message.lang } });
  const down = () => {
    ready = false;
    failed = true;
    handlers.offline();
  };
  socket.on("connect", () =>
    socket.emit("session_request", session.id ? { session_id: session.id, session_token: session.token } : {}),
  );
  socket.on("session_confirm", (data) => {
    if (!data || !SESSION_ID.test(data.session_id || "") || !SESSION_TOKEN.test(data.session_token || "")) return;
    if (session.id && session.id !== data.session_id) handlers.restarted();
    session.id = data.session_id;
    session.token = data.session_token;
    saveSession(session);
    ready = true;
    failed = false;
    handlers.online();
    while (waiting.length) emit(waiting.shift());
  });
  socket.on("connect_error", down);
  socket.on("disconnect", down);
  socket.on("bot_uttered", (data) => handlers.message(data || {}));
  return {
    send(text, lang) {
      if (ready) emit({ text, lang });
      else if (!failed) waiting.push({ text, lang });
      else return false;
      return true;
    },
    close() {
      socket.close();
    },
  };
}

export async function sendFeedback(api, body) {
  const response = await fetch(`${api.replace(/\/+$/, "")}/feedback`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`feedback: HTTP ${response.status}`);
}
