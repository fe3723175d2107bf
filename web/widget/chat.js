// @ts-check
// The conversation inside the widget's frame (on Baton's origin): start, send with an
// idempotency key kept until the desk acknowledges it, follow the transcript while visible,
// quick replies, hand-off. Every text a person or the bot wrote is set as text, never as HTML.

import { fetchJson } from "../shared/api.js";
import { $ } from "../shared/dom.js";
import { guideUrl } from "../shared/guides.js";
import { applyStrings, loadStrings, t } from "../shared/i18n.js";

const STORE_KEY = "baton.chat.v1";
// What the desk accepts (functions/desk/src/attachments): checked here only to answer at once.
const ATTACH_TYPES = ["image/png", "image/jpeg", "image/webp"];
const ATTACH_MAX_MB = 5;
const POLL_MS = 3000;
const params = new URLSearchParams(location.search);
const lang = params.get("lang") === "ko" ? "ko" : "en";
document.documentElement.lang = lang;

/** @typedef {{kind: "customer" | "bot" | "operator", name?: string}} Author */
/** @typedef {{guide: string, anchor?: string, title: string}} Link */
/** @typedef {{id: string, type: string, size: number, width: number, height: number}} Attachment */
/** @typedef {{id: string, author: Author, text: string, links?: Link[], quick_replies?: string[], attachments?: Attachment[], created_at: number}} Message */
/** @typedef {{key: string, file: File, failed?: boolean, id?: string, url?: string, sent?: boolean}} Upload */
/** @typedef {{key: string, text: string, failed?: boolean}} Pending */
/** @typedef {{id?: string, secret?: string, outbox: Pending[], context?: Context | null}} Saved */
/** @typedef {{article?: {id: string, title: string}, search?: string}} Context */

/** @returns {Saved} */
function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
    return { outbox: [], ...saved };
  } catch {
    return { outbox: [] };
  }
}

/** @param {Saved} saved */
function save(saved) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(saved));
  } catch {
    // Without storage the conversation lasts as long as the page.
  }
}

const state = load();
/** @type {{url?: string, title?: string}} */
let page = {};
/** @type {Map<string, Message>} */
const messages = new Map();
let conversationState = "bot";
/** Who on the team is with the conversation, as the last read said. */
let attention = { operator: "", typing: false, away: false, back_at: 0, rated: /** @type {boolean | undefined} */ (undefined) };
/** The identity token the host site signed for its signed-in customer (memory only). */
let identityToken = "";
/** The rating form, built once so a poll never loses a chosen score or a half-written comment. @type {HTMLLIElement | null} */
let ratingForm = null;
let visible = false;
/** @type {number | undefined} */
let pollTimer;
/** Screenshots on their way: kept in memory (a file does not fit in storage) with their key. @type {Upload[]} */
const uploads = [];
/** Attachments' images, by id, fetched once. @type {Map<string, HTMLImageElement>} */
const images = new Map();
/** A passing word for the customer (a refused file), shown until the next redraw that clears it. */
let notice = "";

const list = /** @type {HTMLOListElement} */ ($("[data-messages]"));
const input = /** @type {HTMLTextAreaElement} */ ($("[data-input]"));
const status = $("[data-status]");
const quick = $("[data-quick]");

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/**
 * The conversation API, with the conversation's secret once there is one.
 * @param {string} path
 * @param {{method?: string, json?: unknown}} [init]
 */
function api(path, init = {}) {
  return fetchJson(`/api${path}`, { ...init, token: state.secret });
}

function metadata() {
  /** @type {Record<string, string>} */
  const meta = { user_agent: navigator.userAgent.slice(0, 300), locale: navigator.language };
  if (page.url) meta.page_url = page.url.slice(0, 500);
  if (page.title) meta.page_title = page.title.slice(0, 200);
  if (state.context?.article) meta.article = `${state.context.article.id} (${state.context.article.title})`.slice(0, 300);
  if (state.context?.search) meta.last_search = state.context.search.slice(0, 200);
  return meta;
}

async function ensureConversation() {
  if (state.id && state.secret) return;
  const started = await api("/conversations", {
    method: "POST",
    json: { channel: "web", locale: lang, metadata: metadata(), ...(identityToken ? { identity_token: identityToken } : {}) },
  });
  state.id = started.conversation.id;
  state.secret = started.secret;
  save(state);
}

/** @param {Message} message */
function render(message) {
  const li = document.createElement("li");
  li.className = `msg ${message.author.kind}`;
  li.dataset.id = message.id;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = message.author.kind === "customer" ? t("widget.you") : message.author.kind === "bot" ? t("widget.bot") : message.author.name || "";
  const text = document.createElement("span");
  // A person's or the bot's web addresses become links (built as elements, never as HTML); a
  // customer's own text stays text.
  text.append(...(message.author.kind === "customer" ? [message.text] : linkify(message.text)));
  li.append(who);
  if (message.text) li.append(text);
  for (const attachment of message.attachments || []) li.append(picture(attachment));
  if (message.links?.length) {
    const links = document.createElement("ul");
    links.className = "links";
    for (const link of message.links) {
      const item = document.createElement("li");
      const a = document.createElement("a");
      a.href = guideUrl(link.guide, link.anchor);
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = link.title;
      item.append(a);
      links.append(item);
    }
    li.append(links);
  }
  return li;
}

/**
 * An attachment as an image: fetched with the conversation's secret (an <img> cannot send it)
 * and shown from an object URL, which the frame's CSP allows.
 * @param {Attachment} attachment
 */
function picture(attachment) {
  // The same node every redraw, so a poll never reloads or flickers a picture.
  const known = images.get(attachment.id);
  if (known) return known;
  const img = document.createElement("img");
  img.alt = t("widget.attachment");
  img.width = attachment.width;
  img.height = attachment.height;
  img.dataset.attachment = attachment.id;
  images.set(attachment.id, img);
  fetch(`/api/conversations/${state.id}/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${state.secret}` } })
    .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(String(response.status)))))
    .then((blob) => (img.src = URL.createObjectURL(blob)))
    .catch(() => {
      images.delete(attachment.id);
      img.alt = t("widget.error");
    });
  return img;
}

/** @param {Upload} upload */
function renderUpload(upload) {
  const li = render({ id: `upload-${upload.key}`, author: { kind: "customer" }, text: `${t("widget.attachment")}: ${upload.file.name}`, created_at: Date.now() });
  if (upload.failed) {
    li.classList.add("failed");
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = t("widget.retry");
    retry.addEventListener("click", () => sendUploads());
    li.append(retry);
  } else {
    li.setAttribute("aria-busy", "true");
  }
  return li;
}

/** Uploads what is waiting, in order; a failure keeps the file and its key for a retry. */
async function sendUploads() {
  for (const upload of uploads) upload.failed = false;
  redraw();
  while (uploads.length) {
    const upload = uploads[0];
    try {
      await ensureConversation();
      // One flow on both deployments: ask where the bytes go (this API, or S3 by a presigned
      // URL that needs no secret), send them, then let the desk check and post them.
      if (!upload.id) {
        const begun = await api(`/conversations/${state.id}/uploads`, { method: "POST" });
        upload.id = begun.id;
        upload.url = begun.url || "";
      }
      if (!upload.sent) {
        const direct = !upload.url;
        const put = await fetch(upload.url || `/api/conversations/${state.id}/uploads/${upload.id}`, {
          method: "PUT",
          headers: { "content-type": upload.file.type, ...(direct ? { authorization: `Bearer ${state.secret}` } : {}) },
          body: upload.file,
        });
        if (put.status === 413) {
          notice = t("widget.attach_too_big", { mb: String(ATTACH_MAX_MB) });
          uploads.shift();
          continue;
        }
        if (!put.ok) throw new Error(String(put.status));
        upload.sent = true;
      }
      const response = await fetch(`/api/conversations/${state.id}/uploads/${upload.id}/complete`, {
        method: "POST",
        headers: { authorization: `Bearer ${state.secret}`, accept: "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        if (response.status === 400 || response.status === 413) {
          notice = response.status === 413 ? t("widget.attach_too_big", { mb: String(ATTACH_MAX_MB) }) : t("widget.attach_bad_type");
          // The desk will never take this file: say why, and drop it.
          uploads.shift();
          continue;
        }
        throw new Error(String(response.status));
      }
      merge([body.message]);
      notice = "";
      uploads.shift();
    } catch {
      upload.failed = true;
      break;
    }
  }
  redraw();
}

/** The one-tap rating after resolution: 1–5, an optional comment, then thanks. */
function rating() {
  if (ratingForm) {
    if (attention.rated && !ratingForm.dataset.sent) ratingForm.replaceChildren(thanks());
    return ratingForm;
  }
  const form = document.createElement("li");
  form.className = "rating";
  form.dataset.rating = "";
  ratingForm = form;
  if (attention.rated) {
    form.append(thanks());
    return form;
  }
  const question = document.createElement("p");
  question.id = "rate-question";
  question.textContent = t("widget.rate_question");
  const stars = document.createElement("div");
  stars.className = "stars";
  stars.setAttribute("role", "group");
  stars.setAttribute("aria-labelledby", "rate-question");
  let score = 0;
  const comment = document.createElement("textarea");
  comment.rows = 2;
  comment.maxLength = 1000;
  comment.setAttribute("aria-label", t("widget.rate_comment"));
  comment.placeholder = t("widget.rate_comment");
  const sendButton = document.createElement("button");
  sendButton.type = "button";
  sendButton.className = "send";
  sendButton.textContent = t("widget.rate_send");
  sendButton.disabled = true;
  for (let n = 1; n <= 5; n++) {
    const star = document.createElement("button");
    star.type = "button";
    star.textContent = `${"★".repeat(n)}`;
    star.setAttribute("aria-label", t("widget.rate_star", { n: String(n) }));
    star.setAttribute("aria-pressed", "false");
    star.addEventListener("click", () => {
      score = n;
      for (const other of stars.children) other.setAttribute("aria-pressed", String(other === star));
      sendButton.disabled = false;
    });
    stars.append(star);
  }
  sendButton.addEventListener("click", async () => {
    if (!score) return;
    try {
      await api(`/conversations/${state.id}/rating`, { method: "POST", json: { score, comment: comment.value.trim() || undefined } });
    } catch (error) {
      // Rated already (another tab): thank them all the same.
      if (/** @type {any} */ (error).status !== 409) {
        notice = t("widget.error");
        redraw();
        return;
      }
    }
    form.dataset.sent = "1";
    attention.rated = true;
    form.replaceChildren(thanks());
  });
  form.append(question, stars, comment, sendButton);
  return form;
}

function thanks() {
  const p = document.createElement("p");
  p.textContent = t("widget.rate_thanks");
  return p;
}

/** A verified customer on a device with no conversation: find their open one. */
async function resume() {
  if (!identityToken || state.id) return;
  try {
    const resumed = await api("/conversations/resume", { method: "POST", json: { identity_token: identityToken } });
    state.id = resumed.conversation.id;
    state.secret = resumed.secret;
    save(state);
    await refresh();
  } catch {
    // None open (404), or a token that does not verify: the first message starts one.
  }
}

/** @param {Pending} pending */
function renderPending(pending) {
  const li = render({ id: `pending-${pending.key}`, author: { kind: "customer" }, text: pending.text, created_at: Date.now() });
  li.dataset.pending = pending.key;
  if (pending.failed) {
    li.classList.add("failed");
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = t("widget.retry");
    retry.addEventListener("click", () => flush());
    li.append(retry);
  } else {
    li.setAttribute("aria-busy", "true");
  }
  return li;
}

function redraw() {
  const sorted = [...messages.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const items = sorted.map(render);
  if (!sorted.length) {
    const greeting = document.createElement("li");
    greeting.className = "msg bot";
    greeting.textContent = t("widget.greeting");
    items.push(greeting);
  }
  for (const pending of state.outbox) items.push(renderPending(pending));
  for (const upload of uploads) items.push(renderUpload(upload));
  if (conversationState === "resolved" && attention.rated !== undefined) items.push(rating());
  list.replaceChildren(...items);
  list.scrollTop = list.scrollHeight;
  const last = sorted[sorted.length - 1];
  quick.replaceChildren(
    ...(last && last.author.kind === "bot" && !state.outbox.length ? last.quick_replies || [] : []).map((reply) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = reply;
      button.addEventListener("click", () => send(reply));
      return button;
    }),
  );
  status.textContent = notice ||
    (conversationState === "human"
      ? attention.operator
        ? t("widget.operator_joined", { name: attention.operator })
        : attention.away && attention.back_at
          ? t("widget.outside_hours", { when: new Intl.DateTimeFormat(lang, { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }).format(attention.back_at) })
          : t("widget.handed_off")
      : conversationState === "resolved"
        ? t("widget.resolved")
        : "");
  const typing = $("[data-typing]");
  typing.hidden = !(conversationState === "human" && attention.typing);
  typing.textContent = typing.hidden ? "" : attention.operator ? t("widget.typing", { name: attention.operator }) : t("widget.typing_someone");
}

/**
 * Text with its http(s) addresses as links.
 * @param {string} text
 * @returns {(string | HTMLAnchorElement)[]}
 */
function linkify(text) {
  /** @type {(string | HTMLAnchorElement)[]} */
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
    const index = match.index ?? 0;
    let url;
    try {
      url = new URL(match[0]);
    } catch {
      continue;
    }
    parts.push(text.slice(last, index));
    const a = document.createElement("a");
    a.href = url.href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    try {
      a.textContent = decodeURI(match[0]);
    } catch {
      a.textContent = match[0];
    }
    parts.push(a);
    last = index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== "");
}

/** @param {Message[]} incoming */
function merge(incoming) {
  for (const message of incoming) messages.set(message.id, message);
}

/**
 * Whether a failed send may go again by itself: the network dropped it, or the desk was busy or
 * briefly unable (its idempotency key makes a second try of the same message safe).
 * @param {any} error
 */
function transient(error) {
  const status = Number(error?.status || 0);
  return status === 0 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** How many times a send is tried before it is shown as failed, and the first wait between. */
const SEND_TRIES = 3;
const SEND_BACKOFF_MS = 700;

/** Whether a flush is running: a second one (Enter pressed while the bot still answers) would
 * start a second conversation and send the same message twice. */
let flushing = false;

/** Sends what the outbox holds, in order; a failure keeps it (and its key) for a retry. */
async function flush() {
  if (flushing) {
    redraw();
    return;
  }
  flushing = true;
  try {
    await flushOutbox();
  } finally {
    flushing = false;
  }
}

async function flushOutbox() {
  for (const pending of state.outbox) pending.failed = false;
  redraw();
  let tries = 0;
  while (state.outbox.length) {
    const pending = state.outbox[0];
    try {
      await ensureConversation();
      const sent = await api(`/conversations/${state.id}/messages`, {
        method: "POST",
        json: { text: pending.text, idempotency_key: pending.key },
      });
      merge([sent.message, ...(sent.reply ? [sent.reply] : [])]);
      if (sent.case_status) conversationState = sent.case_status === "resolved" ? "resolved" : "human";
      state.outbox.shift();
      save(state);
      tries = 0;
    } catch (error) {
      tries += 1;
      if (/** @type {any} */ (error).status === 404 && tries < SEND_TRIES) {
        // The conversation is gone (or its secret no longer matches): start over, keep the text.
        delete state.id;
        delete state.secret;
        save(state);
        continue;
      }
      if (transient(error) && tries < SEND_TRIES) {
        await new Promise((resolve) => setTimeout(resolve, SEND_BACKOFF_MS * 2 ** (tries - 1)));
        continue;
      }
      pending.failed = true;
      save(state);
      break;
    }
  }
  redraw();
}

/** @param {string} text */
function send(text) {
  const trimmed = text.trim();
  if (!trimmed) return;
  state.outbox.push({ key: uuid(), text: trimmed });
  save(state);
  flush();
}

async function refresh() {
  if (!state.id || !state.secret) return;
  try {
    const transcript = await api(`/conversations/${state.id}`);
    conversationState = transcript.conversation.state;
    if (conversationState !== "resolved") ratingForm = null;
    const a = transcript.attention || {};
    attention = { operator: a.operator || "", typing: Boolean(a.typing), away: Boolean(a.away), back_at: Number(a.back_at || 0), rated: a.rated };
    merge(transcript.messages);
    redraw();
  } catch (error) {
    if (/** @type {any} */ (error).status === 404) {
      delete state.id;
      delete state.secret;
      save(state);
      messages.clear();
      redraw();
    }
  }
}

function schedulePoll() {
  clearTimeout(pollTimer);
  if (!visible || document.hidden) return;
  pollTimer = window.setTimeout(async () => {
    await refresh();
    schedulePoll();
  }, POLL_MS);
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh();
  schedulePoll();
});

$("[data-composer]").addEventListener("submit", (event) => {
  event.preventDefault();
  send(input.value);
  input.value = "";
});
input.addEventListener("keydown", (event) => {
  // Enter sends, Shift+Enter is a new line; never while an IME is composing Korean.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send(input.value);
    input.value = "";
  }
});
const attach = /** @type {HTMLInputElement} */ ($("[data-attach]"));
attach.addEventListener("change", () => {
  const file = attach.files?.[0];
  attach.value = "";
  if (!file) return;
  if (!ATTACH_TYPES.includes(file.type)) {
    notice = t("widget.attach_bad_type");
    redraw();
    return;
  }
  if (file.size > ATTACH_MAX_MB * 1024 * 1024) {
    notice = t("widget.attach_too_big", { mb: String(ATTACH_MAX_MB) });
    redraw();
    return;
  }
  uploads.push({ key: uuid(), file });
  sendUploads();
});
// Escape closes the chat, as the × does; the loader gives focus back to the launcher.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.isComposing) parent.postMessage({ type: "baton:close" }, "*");
});
$("[data-close]").addEventListener("click", () => parent.postMessage({ type: "baton:close" }, "*"));

window.addEventListener("message", (event) => {
  if (event.source !== parent) return;
  const data = event.data || {};
  if (data.type === "baton:identify") {
    identityToken = String(data.token || "");
    resume();
  } else if (data.type === "baton:page") {
    page = { url: String(data.url || ""), title: String(data.title || "") };
  } else if (data.type === "baton:open") {
    visible = true;
    if (data.context) {
      state.context = data.context;
      save(state);
    }
    refresh();
    schedulePoll();
    input.focus();
  }
});

async function init() {
  await loadStrings(lang);
  applyStrings();
  document.title = t("widget.title");
  redraw();
  if (state.outbox.some((p) => !p.failed)) flush();
  // Tell the loader the frame listens; the parent's origin is not known here, and nothing
  // private is in this message.
  parent.postMessage({ type: "baton:ready" }, "*");
}

init();
