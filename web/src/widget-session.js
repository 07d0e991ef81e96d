// The conversation's identity and memory in this browser tab, and its socket.io link to Rasa.

import { io } from "socket.io-client";

const KEY_ID = "guichet.session";
const KEY_LOG = "guichet.log";
const MAX_LOG = 200;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: the conversation lasts as long as the page
  }
}

// 32 random bytes in hex: unguessable, and created only when the founder opens the chat.
export function newSessionId() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function loadSession() {
  const store = storage();
  const id = store && store.getItem(KEY_ID);
  if (!id || !/^[0-9a-f]{64}$/.test(id)) return null;
  let log = [];
  try {
    log = JSON.parse(store.getItem(KEY_LOG) || "[]");
  } catch {
    log = [];
  }
  return { id, log: Array.isArray(log) ? log : [] };
}

export function startSession() {
  const session = { id: newSessionId(), log: [] };
  const store = storage();
  if (store) store.setItem(KEY_ID, session.id);
  return session;
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

// Connects to Rasa's socket.io channel (session persistence on): asks to join the session, and sends
// only once Rasa confirms it (replies go to the session's room). Messages typed while the first
// connection is being made wait for it; once the server has been found unreachable, they are refused.
export function connect(server, sessionId, handlers) {
  const socket = io(server, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnectionDelayMax: 10000,
    timeout: 8000,
  });
  let ready = false;
  let failed = false;
  const waiting = [];
  const emit = (message) => socket.emit("user_uttered", { message: message.text, session_id: sessionId, metadata: { lang: message.lang } });
  const down = () => {
    ready = false;
    failed = true;
    handlers.offline();
  };
  socket.on("connect", () => socket.emit("session_request", { session_id: sessionId }));
  socket.on("session_confirm", () => {
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
