// @ts-check
// The inquiry board (문의하기): the form (the guides the bot would show while the customer
// writes, screenshots, the trap field), the customer's inquiries (a guest signs in by a mailed
// link, a verified customer by the token their site put in the address), one inquiry with its
// thread, and writing again under it. Everything a person wrote is set as text, never as HTML.
//
// The page's address says what it shows: `#new`, `#mine`, `#inquiry=<id>`; a mailed link
// arrives as `#signin=<token>` and the site's link for a signed-in customer as
// `#identity=<token>`: both are read once and taken out of the address (a fragment never reaches
// a server or a referrer).

import { ApiError, fetchJson } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { guideUrl } from "../shared/guides.js";
import { label, loadStrings, t } from "../shared/i18n.js";

const body = document.body;
const lang = body.dataset.lang === "ko" ? "ko" : "en";
const root = new URL("..", /** @type {HTMLScriptElement} */ (document.querySelector("script[src$='assets/board.js']")).src).pathname;
/** This tab's credential: a board session (`bs_…`) or the site's identity token. */
const CREDENTIAL_KEY = "baton.board.credential";
const ATTACH_TYPES = ["image/png", "image/jpeg", "image/webp"];
const ATTACH_MAX = 5;
const ATTACH_MAX_BYTES = 5 * 1024 * 1024;
const SUGGEST_MS = 500;

/** @typedef {{id: string, title: string, channel: string, status: string, created_at: number, updated_at: number}} Summary */
/** @typedef {{kind: "customer" | "bot" | "operator", name?: string}} Author */
/** @typedef {{id: string, type: string}} Attachment */
/** @typedef {{id: string, author: Author, text: string, links?: {guide: string, anchor?: string, title: string}[], attachments?: Attachment[], created_at: number}} Message */

/** @param {string} selector */
const find = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
const notice = find("[data-board-notice]");
const form = /** @type {HTMLFormElement} */ (find("[data-board-form]"));
const formError = find("[data-form-error]");
const files = /** @type {HTMLInputElement} */ (find("#b-files"));
const fileList = find("[data-file-list]");
/** The form's token (`GET /api/board/form`): when it was opened, signed by the desk. */
let formToken = "";
let signInByMail = true;
/** @type {File[]} */
let chosen = [];

// ---- This tab's credential (a board session, or the site's identity token; never a guest
// inquiry's own secret, which opens nothing but its screenshots' uploads). ----

function credential() {
  try {
    return sessionStorage.getItem(CREDENTIAL_KEY) || "";
  } catch {
    return "";
  }
}

/** @param {string} value */
function setCredential(value) {
  try {
    if (value) sessionStorage.setItem(CREDENTIAL_KEY, value);
    else sessionStorage.removeItem(CREDENTIAL_KEY);
  } catch {
    // This tab only, in memory then.
  }
  memoryCredential = value;
}
let memoryCredential = "";
const currentCredential = () => credential() || memoryCredential;
const isVerified = () => {
  const c = currentCredential();
  return !!c && !c.startsWith("bs_");
};

/** A conversation id as the desk writes them (anything else is not sent anywhere). */
const CONVERSATION_ID = /^cv_[0-9A-HJKMNP-TV-Z]{26}$/;
/** A sign-in link's token, held in memory until the reader opens the session. */
let pendingToken = "";

/** The name the site signed into an identity token, for the reader to check it is theirs (the
 * desk verifies the token; this only shows it). */
function signedName() {
  try {
    const payload = currentCredential().split(".")[1] || "";
    const json = JSON.parse(decodeURIComponent(escape(atob(payload.replace(/-/g, "+").replace(/_/g, "/")))));
    return String(json.name || json.email || json.sub || "");
  } catch {
    return "";
  }
}

/** What the page says after the next move (`#…`), which clears what it said before. @type {{text: string, kind: "ok" | "error" | ""}} */
let next = { text: "", kind: "" };

/** @param {string} text @param {"ok" | "error" | ""} [kind] */
function say(text, kind = "") {
  notice.textContent = text;
  notice.dataset.kind = kind;
}

// ---- The form ----

async function loadForm() {
  try {
    const data = await fetchJson("/api/board/form");
    formToken = data.form;
    signInByMail = !!data.sign_in_by_mail;
    const select = /** @type {HTMLSelectElement} */ (find("[data-categories]"));
    const kept = select.value;
    select.replaceChildren(...data.categories.map((/** @type {string} */ code) => el("option", { value: code }, [label("category", code)])));
    if (kept) select.value = kept;
    kindFields();
  } catch {
    say(t("board.error_retry"), "error");
  }
}

/** The kind of inquiry decides the fields: a feature request asks for its goal, how it should
 * work and an example instead of a free text. */
function kindFields() {
  const select = /** @type {HTMLSelectElement} */ (find("[data-categories]"));
  const feature = select.value === "feature_request";
  find("[data-feature-fields]").hidden = !feature;
  find("[data-plain-text]").hidden = feature;
  /** @type {HTMLTextAreaElement} */ (find("#b-text")).required = !feature;
  /** @type {HTMLTextAreaElement} */ (find("#b-goal")).required = feature;
}
find("[data-categories]").addEventListener("change", kindFields);

/** The guides the bot would show for what is written so far, as the customer writes. */
function suggestions() {
  const list = find("[data-suggested-list]");
  const box = find("[data-suggested]");
  const text = /** @type {HTMLTextAreaElement} */ (find("#b-text"));
  const title = /** @type {HTMLInputElement} */ (find("#b-title"));
  /** @type {number | undefined} */
  let timer;
  /** @type {AbortController | undefined} */
  let inflight;
  let shown = "";
  const run = async () => {
    const q = `${title.value.trim()} ${text.value.trim()}`.trim();
    if (q.length < 4 || q === shown) return;
    shown = q;
    inflight?.abort();
    inflight = new AbortController();
    try {
      const data = await fetchJson(`/api/board/suggestions?${new URLSearchParams({ q: q.slice(0, 1000), lang })}`, { signal: inflight.signal });
      /** @type {{guide: string, anchor?: string, title: string}[]} */
      const guides = data.guides || [];
      list.replaceChildren(
        ...guides.map((g) => {
          const link = el("a", { href: guideUrl(g.guide, g.anchor, { root }), target: "_blank", rel: "noopener" }, [g.title]);
          link.addEventListener("click", () => {
            fetchJson("/api/board/suggestions/opened", { method: "POST", json: { form: formToken, guide: g.guide } }).catch(() => {});
          });
          return el("li", {}, [link]);
        }),
      );
      box.hidden = guides.length === 0;
    } catch {
      // Suggestions are a help, not a step: the form works without them.
    }
  };
  for (const input of [text, title]) {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = window.setTimeout(run, SUGGEST_MS);
    });
  }
}

function drawFiles() {
  fileList.replaceChildren(
    ...chosen.map((file, i) => {
      const remove = el("button", { type: "button", class: "link-button", "aria-label": t("board.remove_file", { name: file.name }) }, ["×"]);
      remove.addEventListener("click", () => {
        chosen.splice(i, 1);
        drawFiles();
      });
      return el("li", {}, [file.name, " ", remove]);
    }),
  );
}

files.addEventListener("change", () => {
  /** @type {string[]} */
  const problems = [];
  for (const file of Array.from(files.files || [])) {
    if (!ATTACH_TYPES.includes(file.type)) problems.push(t("board.file_bad_type", { name: file.name }));
    else if (file.size > ATTACH_MAX_BYTES) problems.push(t("board.file_too_big", { name: file.name }));
    else if (chosen.length >= ATTACH_MAX) problems.push(t("board.too_many_files"));
    else chosen.push(file);
  }
  files.value = "";
  formError.textContent = [...new Set(problems)].join(" ");
  drawFiles();
});

/**
 * Uploads one screenshot into conversation `id` (the widget's flow: ask where the bytes go, send
 * them, let the desk check and post them).
 * @param {string} id @param {string} key @param {File} file
 */
async function upload(id, key, file) {
  const begun = await fetchJson(`/api/conversations/${id}/uploads`, { method: "POST", token: key });
  const direct = !begun.url;
  const put = await fetch(begun.url || `/api/conversations/${id}/uploads/${begun.id}`, {
    method: "PUT",
    headers: { "content-type": file.type, ...(direct ? { authorization: `Bearer ${key}` } : {}) },
    body: file,
  });
  if (!put.ok) throw new Error(String(put.status));
  await fetchJson(`/api/conversations/${id}/uploads/${begun.id}/complete`, { method: "POST", token: key });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const value = (/** @type {string} */ name) => String(data.get(name) || "").trim();
  const verified = isVerified();
  const feature = value("category") === "feature_request";
  // A feature request says what the customer wants to achieve, how it should work, an example.
  const text = feature
    ? [
        [t("board.feature_goal"), value("goal")],
        [t("board.feature_how"), value("how")],
        [t("board.feature_example"), value("example")],
      ]
        .filter(([, v]) => v)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n\n")
    : value("text");
  if (!value("title") || !text || (feature && !value("goal")) || (!verified && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value("email")))) {
    formError.textContent = t("board.error_fields");
    return;
  }
  const submit = /** @type {HTMLButtonElement} */ (find("[data-submit]"));
  submit.disabled = true;
  formError.textContent = "";
  say(t("board.sending"));
  /** @type {Record<string, unknown>} */
  const inquiry = {
    title: value("title"),
    text,
    category: value("category") || undefined,
    area: value("area") || undefined,
    locale: lang,
    form: formToken,
    website: String(data.get("b_confirm") || ""),
    metadata: { page: location.pathname },
  };
  if (verified) inquiry.identity_token = currentCredential();
  else {
    inquiry.email = value("email");
    if (value("name")) inquiry.name = value("name");
  }
  try {
    const left = await fetchJson("/api/board/inquiries", { method: "POST", json: inquiry });
    let failed = 0;
    for (const [i, file] of chosen.entries()) {
      say(t("board.uploading", { done: i, total: chosen.length }));
      try {
        await upload(left.inquiry.id, left.secret, file);
      } catch {
        failed += 1;
      }
    }
    const email = value("email");
    form.reset();
    chosen = [];
    drawFiles();
    find("[data-suggested]").hidden = true;
    await loadForm();
    const sent = verified ? t("board.sent") : t("board.sent_guest", { email });
    // What to say once the next view is shown (moving there clears the last notice).
    next = failed ? { text: `${sent} ${t("board.upload_failed", { count: failed })}`, kind: "error" } : { text: sent, kind: "ok" };
    if (verified) location.hash = `#inquiry=${left.inquiry.id}`;
    else {
      /** @type {HTMLInputElement} */ (find("#b-sign-in-email")).value = email;
      location.hash = "#mine";
    }
  } catch (error) {
    // Refused or not sent: nothing a person wrote is lost, the form keeps it.
    const e = /** @type {ApiError} */ (error);
    formError.textContent = e instanceof ApiError && e.status < 500 && e.message ? e.message : t("board.error_retry");
    say("");
    if (e instanceof ApiError && e.code === "refused") await loadForm();
    if (e instanceof ApiError && e.status === 401 && verified) {
      // The site's token ran out: ask as a guest, or come back through the site.
      setCredential("");
      await route();
    }
  } finally {
    submit.disabled = false;
  }
});

// ---- My inquiries ----

/** @param {string} status */
const statusBadge = (status) => el("span", { class: `status status-${status}` }, [t(`board.status.${status}`)]);
/** @param {number} at */
const date = (at) => new Date(at).toLocaleString(lang === "ko" ? "ko-KR" : "en-US", { dateStyle: "medium", timeStyle: "short" });

async function showMine() {
  const list = find("[data-inquiry-list]");
  const signIn = find("[data-sign-in]");
  const signedIn = find("[data-signed-in]");
  const empty = find("[data-empty]");
  list.replaceChildren();
  const key = currentCredential();
  /** @type {Summary[]} */
  let inquiries = [];
  if (key) {
    try {
      inquiries = (await fetchJson("/api/board/inquiries", { token: key })).inquiries;
      const name = signedName();
      signedIn.replaceChildren(isVerified() ? t("board.signed_in_verified", { name: name || "?" }) : t("board.signed_in_mail"), " ");
      const out = el("button", { type: "button", class: "link-button" }, [t(isVerified() ? "board.not_me" : "board.sign_out")]);
      out.addEventListener("click", () => {
        setCredential("");
        showMine();
      });
      signedIn.append(out);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setCredential("");
    }
  }
  signedIn.hidden = !currentCredential();
  signIn.hidden = !!currentCredential() || !!pendingToken;
  find("[data-open-session]").hidden = !pendingToken;
  if (!currentCredential() && !signInByMail) say(t("board.no_mail"));
  list.replaceChildren(
    ...inquiries.map((i) =>
      el("li", {}, [
        el("a", { href: `#inquiry=${i.id}` }, [i.title || label("channel", i.channel)]),
        " ",
        statusBadge(i.status),
        el("span", { class: "muted" }, [` ${label("channel", i.channel)} · ${date(i.created_at)}`]),
      ]),
    ),
  );
  empty.hidden = inquiries.length > 0 || !currentCredential();
}

find("[data-open-session]").addEventListener("click", async () => {
  const token = pendingToken;
  pendingToken = "";
  try {
    const opened = await fetchJson("/api/board/sessions", { method: "POST", json: { token } });
    setCredential(opened.session);
    say("");
  } catch {
    say(t("board.link_failed"), "error");
  }
  await showMine();
});

find("[data-sign-in-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = String(new FormData(/** @type {HTMLFormElement} */ (event.target)).get("email") || "").trim();
  if (!email) return;
  try {
    await fetchJson("/api/board/sign-in-links", { method: "POST", json: { email, locale: lang } });
    say(t("board.link_sent"), "ok");
  } catch (error) {
    say(error instanceof ApiError && error.status === 503 ? t("board.no_mail") : t("board.error_retry"), "error");
  }
});

// ---- One inquiry ----

/** @param {string} id */
async function showInquiry(id) {
  const key = currentCredential();
  const thread = find("[data-thread]");
  thread.replaceChildren();
  if (!CONVERSATION_ID.test(id) || !key) {
    location.hash = "#mine";
    return;
  }
  let data;
  try {
    data = await fetchJson(`/api/board/inquiries/${id}`, { token: key });
  } catch {
    say(t("board.error_retry"), "error");
    return;
  }
  find("[data-inquiry-title]").textContent = data.title || label("channel", data.channel || "board");
  find("[data-inquiry-status]").replaceChildren(statusBadge(data.status));
  find("[data-inquiry-date]").textContent = date(data.created_at);
  /** @type {Message[]} */
  const messages = data.messages;
  thread.replaceChildren(
    ...messages.map((m) => {
      const who = m.author.kind === "customer" ? t("board.you") : m.author.kind === "operator" ? `${t("board.team")} ${m.author.name || ""}`.trim() : t("board.auto");
      const item = el("li", { class: `msg msg-${m.author.kind}` }, [el("p", { class: "who" }, [who, el("span", { class: "muted" }, [` · ${date(m.created_at)}`])])]);
      for (const para of m.text.split(/\n{2,}/)) if (para.trim()) item.append(el("p", {}, [para]));
      if (m.links?.length) item.append(el("ul", { class: "link-list" }, m.links.map((l) => el("li", {}, [el("a", { href: guideUrl(l.guide, l.anchor, { root }) }, [l.title])]))));
      for (const attachment of m.attachments || []) item.append(picture(id, key, attachment));
      return item;
    }),
  );
  const again = /** @type {HTMLFormElement} */ (find("[data-again-form]"));
  again.dataset.id = id;
}

/** A screenshot, read with the inquiry's credential. @param {string} id @param {string} key @param {Attachment} attachment */
function picture(id, key, attachment) {
  const img = /** @type {HTMLImageElement} */ (el("img", { class: "shot", alt: "", loading: "lazy" }));
  fetch(`/api/conversations/${id}/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${key}` } })
    .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
    .then((blob) => {
      img.src = URL.createObjectURL(blob);
    })
    .catch(() => img.remove());
  return img;
}

find("[data-again-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const again = /** @type {HTMLFormElement} */ (event.target);
  const id = again.dataset.id || "";
  const text = String(new FormData(again).get("text") || "").trim();
  const error = find("[data-again-error]");
  if (!text || !CONVERSATION_ID.test(id)) return;
  try {
    await fetchJson(`/api/conversations/${id}/messages`, {
      method: "POST",
      token: currentCredential(),
      json: { text, idempotency_key: crypto.randomUUID() },
    });
    again.reset();
    error.textContent = "";
    await showInquiry(id);
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status < 500 && e.message ? e.message : t("board.error_retry");
  }
});

// ---- Where the address points ----

async function route() {
  const hash = location.hash.slice(1);
  const params = new URLSearchParams(hash);
  if (params.has("signin")) {
    // Held until the reader asks: a mail scanner that opens the link does not use it up.
    pendingToken = params.get("signin") || "";
    history.replaceState(null, "", `${location.pathname}#mine`);
    return route();
  }
  if (params.has("identity")) {
    setCredential(params.get("identity") || "");
    history.replaceState(null, "", `${location.pathname}#mine`);
    return route();
  }
  const view = params.has("inquiry") ? "inquiry" : hash === "mine" ? "mine" : "new";
  for (const section of document.querySelectorAll("[data-view]")) /** @type {HTMLElement} */ (section).hidden = /** @type {HTMLElement} */ (section).dataset.view !== view;
  for (const tab of document.querySelectorAll("[data-tab]")) {
    const current = /** @type {HTMLElement} */ (tab).dataset.tab === (view === "inquiry" ? "mine" : view);
    if (current) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  find("[data-guest-fields]").hidden = isVerified();
  const note = find("[data-verified-note]");
  note.hidden = !isVerified();
  note.textContent = t("board.verified_note", { name: signedName() || "?" });
  if (view === "mine") await showMine();
  if (view === "inquiry") await showInquiry(params.get("inquiry") || "");
}

await loadStrings(lang, root);
window.addEventListener("hashchange", () => {
  say(next.text, next.kind);
  next = { text: "", kind: "" };
  route();
});
await loadForm();
suggestions();
await route();
