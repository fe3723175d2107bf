// @ts-check
// A business customer's space (핫라인): its standing line's threads, a new thread, one thread
// with who wrote each message, and writing in it; for an admin, the conversations of the
// organisation's people. Read with the site's identity token, which the site's link puts in the
// address (`#identity=<token>`: taken out at once, kept in this tab). Everything a person wrote is
// set as text, never as HTML.

import { ApiError, fetchJson } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { label, loadStrings, t } from "../shared/i18n.js";

const body = document.body;
const lang = body.dataset.lang === "ko" ? "ko" : "en";
const root = new URL("..", /** @type {HTMLScriptElement} */ (document.querySelector("script[src$='assets/org.js']")).src).pathname;
/** The tab's credential, shared with the board's page. */
const CREDENTIAL_KEY = "baton.board.credential";
const CONVERSATION_ID = /^cv_[0-9A-HJKMNP-TV-Z]{26}$/;

/** @typedef {{id: string, title: string, channel: string, status: string, by: string, created_at: number}} Topic */

/** @param {string} selector */
const find = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
const token = () => {
  try {
    return sessionStorage.getItem(CREDENTIAL_KEY) || "";
  } catch {
    return "";
  }
};
/** @param {number} at */
const date = (at) => new Date(at).toLocaleString(lang === "ko" ? "ko-KR" : "en-US", { dateStyle: "medium", timeStyle: "short" });
/** @param {string} status */
const badge = (status) => el("span", { class: `status status-${status}` }, [t(`board.status.${status}`)]);
/** @param {string} text @param {"ok" | "error" | ""} [kind] */
function say(text, kind = "") {
  const notice = find("[data-org-notice]");
  notice.textContent = text;
  notice.dataset.kind = kind;
}
/** @param {string} view */
function show(view) {
  for (const section of document.querySelectorAll("[data-view]")) /** @type {HTMLElement} */ (section).hidden = /** @type {HTMLElement} */ (section).dataset.view !== view;
}
/** @param {string} path @param {unknown} [json] */
const api = (path, json) => fetchJson(`/api/org${path}`, { token: token(), method: json ? "POST" : "GET", json });

/** @param {Topic} topic */
const row = (topic) =>
  el("li", {}, [
    el("a", { href: `#thread=${topic.id}` }, [topic.title || label("channel", topic.channel)]),
    " ",
    badge(topic.status),
    el("span", { class: "muted" }, [` ${topic.by} · ${label("channel", topic.channel)} · ${date(topic.created_at)}`]),
  ]);

async function showSpace() {
  const space = await api("");
  find("[data-org-name]").textContent = space.organisation.name;
  find("[data-org-plan]").textContent = space.organisation.plan || t("org.intro");
  find("[data-org-who]").textContent = t(space.role === "admin" ? "org.you_admin" : "org.you_member");
  find("[data-threads]").replaceChildren(...space.threads.map(row));
  find("[data-no-threads]").hidden = space.threads.length > 0;
  find("[data-admin]").hidden = space.role !== "admin";
  find("[data-people]").replaceChildren(...(space.conversations || []).map(row));
  show("space");
}

/** @param {string} id */
async function showThread(id) {
  if (!CONVERSATION_ID.test(id)) {
    location.hash = "";
    return;
  }
  const data = await api(`/threads/${id}`);
  find("[data-thread-title]").textContent = data.thread.title;
  find("[data-thread-status]").replaceChildren(badge(data.thread.status));
  find("[data-thread-date]").textContent = date(data.thread.created_at);
  find("[data-thread]").replaceChildren(
    ...data.messages.map((/** @type {any} */ m) => {
      const who = m.author.kind === "operator" ? `${t("board.team")} ${m.author.name || ""}`.trim() : m.author.kind === "bot" ? t("board.auto") : m.member || data.thread.by;
      const item = el("li", { class: `msg msg-${m.author.kind}` }, [el("p", { class: "who" }, [who, el("span", { class: "muted" }, [` · ${date(m.created_at)}`])])]);
      for (const para of String(m.text).split(/\n{2,}/)) if (para.trim()) item.append(el("p", {}, [para]));
      return item;
    }),
  );
  // Only the standing line's threads are written here (an admin reads the rest).
  find("[data-write]").hidden = data.thread.channel !== "line";
  find("[data-write]").dataset.id = id;
  show("thread");
}

async function route() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("identity")) {
    try {
      sessionStorage.setItem(CREDENTIAL_KEY, params.get("identity") || "");
    } catch {
      // Without storage the page cannot keep the token; it shows the space this once.
    }
    history.replaceState(null, "", location.pathname);
  }
  if (!token()) {
    show("outside");
    return;
  }
  try {
    if (params.has("thread")) await showThread(params.get("thread") || "");
    else await showSpace();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      show("outside");
      say(error.status === 401 ? t("org.expired") : "", "error");
    } else say(t("board.error_retry"), "error");
  }
}

find("[data-new-thread]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.target);
  const data = new FormData(form);
  const title = String(data.get("title") || "").trim();
  const text = String(data.get("text") || "").trim();
  const error = find("[data-new-error]");
  if (!title || !text) {
    error.textContent = t("board.error_fields");
    return;
  }
  try {
    const topic = await api("/threads", { title, text });
    form.reset();
    error.textContent = "";
    location.hash = `#thread=${topic.id}`;
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status < 500 ? e.message : t("board.error_retry");
  }
});

find("[data-write]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.target);
  const id = form.dataset.id || "";
  const text = String(new FormData(form).get("text") || "").trim();
  const error = find("[data-write-error]");
  if (!text || !CONVERSATION_ID.test(id)) return;
  try {
    await api(`/threads/${id}/messages`, { text, idempotency_key: crypto.randomUUID() });
    form.reset();
    error.textContent = "";
    await showThread(id);
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status < 500 ? e.message : t("board.error_retry");
  }
});

await loadStrings(lang, root);
window.addEventListener("hashchange", () => {
  say("");
  route();
});
await route();
