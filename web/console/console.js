// @ts-check
// The operator console: sign in with the operator token (`baton serve`), the live queue (urgent
// first, filters, j/k/Enter/c/r/e/? shortcuts), and a case with its whole context — transcript,
// what the bot tried with its scores and confidence, earlier cases, page metadata — with claim,
// release, reply, note and resolve. Updates by polling while the tab is visible, the one
// mechanism both deployments support. Everything a customer or operator wrote is set as text.

import { OPERATOR_TOKEN_KEY as TOKEN_KEY, fetchJson } from "../shared/api.js";
import { $, el } from "../shared/dom.js";
import { guideUrl } from "../shared/guides.js";
import { applyStrings, label, loadStrings, preferredLang, t } from "../shared/i18n.js";
import { finishCognito, loadConfig, signOutOfCognito, startCognito } from "./sign-in.js";

const lang = preferredLang();
document.documentElement.lang = lang;
const QUEUE_POLL_MS = 5000;
const CASE_POLL_MS = 4000;
// Presence heartbeats (functions/desk/src/presence.rs keeps the windows that match them).
const HEARTBEAT_MS = 10000;
const TYPING_HEARTBEAT_MS = 2500;
let token = sessionStorage.getItem(TOKEN_KEY) || "";
/** @type {import("./sign-in.js").SignInConfig} */
let signInConfig = { sign_in: "token" };
let me = "";
/** @type {any[]} */
let cases = [];
/** @type {string | null} */
let selectedId = null;
/** @type {any} */
let current = null;
/** @type {number | undefined} */
let queueTimer;
/** @type {number | undefined} */
let caseTimer;
/** @type {number | undefined} */
let heartbeatTimer;
let lastTyping = 0;
/** @type {{operator: string, activity: string}[]} */
let presence = [];
const filters = { area: "", category: "", status: "", holder: "", organisation: "" };

/** The operator API, as the signed-in operator. @param {string} path @param {{method?: string, json?: unknown}} [init] */
function api(path, init = {}) {
  return fetchJson(`/api/operator${path}`, { ...init, token });
}

/** @param {number} ms */
function waited(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return lang === "ko" ? `${minutes}분` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return lang === "ko" ? `${hours}시간 ${minutes % 60}분` : `${hours} h ${minutes % 60} min`;
}

function matches(/** @type {any} */ c) {
  if (filters.area && c.area !== filters.area) return false;
  if (filters.category && c.category !== filters.category) return false;
  if (filters.status && c.status !== filters.status) return false;
  if (filters.holder === "-" && c.assignee) return false;
  if (filters.holder && filters.holder !== "-" && c.assignee !== filters.holder) return false;
  if (filters.organisation && c.organisation !== filters.organisation) return false;
  return true;
}

/**
 * Fills a filter with "any", `extra` and `values`, only when they changed: rebuilding an open
 * select on every poll would close it under the operator.
 * @param {HTMLSelectElement} select @param {string[]} values @param {(v: string) => string} [label]
 * @param {[string, string][]} [extra] fixed options after "any"
 */
function options(select, values, label = (v) => v, extra = []) {
  const signature = JSON.stringify([values, extra.map(([v]) => v)]);
  if (select.dataset.signature === signature) return;
  select.dataset.signature = signature;
  const chosen = select.value;
  select.replaceChildren(
    el("option", { value: "" }, [t("console.any")]),
    ...extra.map(([v, text]) => el("option", { value: v }, [text])),
    ...values.map((v) => el("option", { value: v }, [label(v)])),
  );
  select.value = values.includes(chosen) || extra.some(([v]) => v === chosen) ? chosen : "";
}

function drawFilters() {
  const distinct = (/** @type {(c: any) => string | undefined} */ f) => [...new Set(cases.map(f).filter((v) => !!v))].sort();
  options(/** @type {HTMLSelectElement} */ ($("[data-filter=area]")), /** @type {string[]} */ (distinct((c) => c.area)));
  options(/** @type {HTMLSelectElement} */ ($("[data-filter=category]")), /** @type {string[]} */ (distinct((c) => c.category)), (v) => label("category", v));
  options(/** @type {HTMLSelectElement} */ ($("[data-filter=status]")), ["open", "claimed"], (v) => label("status", v));
  const holder = /** @type {HTMLSelectElement} */ ($("[data-filter=holder]"));
  options(holder, /** @type {string[]} */ (distinct((c) => c.assignee)), (v) => (v === me ? `${v} (${t("console.me")})` : v), [["-", t("console.nobody")]]);
  options(/** @type {HTMLSelectElement} */ ($("[data-filter=organisation]")), /** @type {string[]} */ (distinct((c) => c.organisation)));
}

function drawQueue() {
  const list = $("[data-cases]");
  const shown = cases.filter(matches);
  if (!shown.length) {
    list.replaceChildren(el("li", { class: "muted" }, [t("console.empty_queue")]));
    return;
  }
  const now = Date.now();
  list.replaceChildren(
    ...shown.map((c) => {
      const badges = el("span", { class: "row" }, [
        c.priority === "urgent" ? el("span", { class: "badge urgent" }, [t("console.urgent")]) : null,
        el("span", { class: "badge" }, [label("category", c.category)]),
        c.area ? el("span", { class: "badge" }, [c.area]) : null,
        c.channel === "mail" ? el("span", { class: "badge channel", "data-channel": "mail" }, [label("channel", c.channel)]) : null,
        c.organisation ? el("span", { class: "badge org", "data-organisation": c.organisation }, [c.organisation]) : null,
        el("span", { class: c.customer?.verified ? "badge verified" : "badge" }, [t(c.customer?.verified ? "console.verified" : "console.unverified")]),
      ]);
      const meta = el("span", { class: "row" }, [
        el("span", {}, [t("console.waiting", { time: waited(now - c.created_at) })]),
        el("span", {}, ["· " + (c.assignee ? t("console.held_by", { name: c.assignee }) : t("console.unclaimed"))]),
      ]);
      const button = el("button", { type: "button", "data-case-id": c.id }, [badges, el("span", { class: "summary" }, [c.summary]), meta]);
      button.addEventListener("click", () => select(c.id, true));
      const li = el("li", { "aria-current": String(c.id === selectedId) }, [button]);
      return li;
    }),
  );
}

async function refreshQueue() {
  try {
    const page = await api("/queue?limit=100");
    cases = page.cases;
    drawFilters();
    drawQueue();
    $("[data-live]").textContent = `● ${t("console.live")}`;
  } catch (error) {
    if (/** @type {any} */ (error).status === 401 || /** @type {any} */ (error).status === 403) return signOut();
    $("[data-live]").textContent = t("console.error", { message: /** @type {Error} */ (error).message });
  }
}

function pollQueue() {
  clearTimeout(queueTimer);
  if (document.hidden || !token) {
    $("[data-live]").textContent = t("console.paused");
    return;
  }
  queueTimer = window.setTimeout(async () => {
    await refreshQueue();
    pollQueue();
  }, QUEUE_POLL_MS);
}

/** @param {string} id @param {boolean} [focus] */
async function select(id, focus = false) {
  selectedId = id;
  drawQueue();
  presence = [];
  await refreshCase();
  if (focus) $("[data-case]").focus();
  pollCase();
  heartbeat("viewing");
}

/**
 * Tells the desk this operator is in the open case (viewing, or typing a reply) and shows who
 * else is; "viewing" repeats every HEARTBEAT_MS while the tab is visible.
 * @param {"viewing" | "typing"} activity
 */
async function heartbeat(activity) {
  if (activity === "viewing") clearTimeout(heartbeatTimer);
  const id = selectedId;
  if (!id || document.hidden) return;
  try {
    const answer = await api(`/cases/${encodeURIComponent(id)}/presence`, { method: "POST", json: { activity } });
    if (id === selectedId) {
      presence = answer.presence;
      drawPresence();
    }
  } catch {
    // Presence is a courtesy: a lost heartbeat costs a few seconds of "viewing".
  }
  if (activity === "viewing") heartbeatTimer = window.setTimeout(() => heartbeat("viewing"), HEARTBEAT_MS);
}

function typed() {
  const now = Date.now();
  if (now - lastTyping < TYPING_HEARTBEAT_MS) return;
  lastTyping = now;
  heartbeat("typing");
}

/** Who else is in the case: typists first, then viewers (the desk sorts them). */
function drawPresence() {
  const line = document.querySelector("[data-presence]");
  if (!line) return;
  const others = presence.filter((p) => p.operator !== me);
  const typing = others.filter((p) => p.activity === "typing").map((p) => p.operator);
  const viewing = others.filter((p) => p.activity === "viewing").map((p) => p.operator);
  line.textContent = [
    typing.length ? t("console.typing", { names: typing.join(", ") }) : "",
    viewing.length ? t("console.viewing", { names: viewing.join(", ") }) : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

async function refreshCase() {
  if (!selectedId) return;
  try {
    current = await api(`/cases/${encodeURIComponent(selectedId)}`);
    presence = current.presence || [];
    drawCase();
  } catch (error) {
    $("[data-case]").replaceChildren(el("p", { class: "error", role: "alert" }, [t("console.error", { message: /** @type {Error} */ (error).message })]));
  }
}

function pollCase() {
  clearTimeout(caseTimer);
  if (document.hidden || !selectedId) return;
  caseTimer = window.setTimeout(async () => {
    // Never redraw under an operator who is typing.
    const focused = document.activeElement;
    const typing = ((focused instanceof HTMLTextAreaElement || focused instanceof HTMLInputElement) && focused.value) || focused instanceof HTMLSelectElement;
    if (!typing) await refreshCase();
    pollCase();
  }, CASE_POLL_MS);
}

/**
 * Runs a case action; on success the case is redrawn (an empty composer), on failure the
 * composer keeps what the operator wrote and the reason is shown.
 * @param {() => Promise<unknown>} action
 */
async function act(action) {
  const status = $("[data-case-status]");
  try {
    await action();
    status.textContent = "";
    await Promise.all([refreshCase(), refreshQueue()]);
  } catch (error) {
    status.textContent = t("console.error", { message: /** @type {Error} */ (error).message });
  }
}

/**
 * What a message keeps of its mail, for the operator: how its delivery went, whether a machine
 * sent it, whether its sender is proved (the From address alone is not) or the receiving side
 * distrusted it, why it started a new conversation, and the whole text as sent when only the new
 * part is shown.
 * @param {any} mail
 * @param {boolean} fromCustomer
 * @returns {(HTMLElement | null)[]}
 */
function mailFacts(mail, fromCustomer) {
  if (!mail) return [];
  const delivery = mail.delivery;
  const bad = ["spam", "virus", "spoofed"].includes(mail.verdict);
  const unproved = fromCustomer && !bad && mail.verdict !== "proved";
  return [
    delivery
      ? el("span", { class: `delivery ${delivery.state}`, "data-delivery": delivery.state }, [
          t(`console.delivery_${delivery.state}`) + (delivery.error ? `: ${delivery.error}` : ""),
        ])
      : null,
    mail.automatic ? el("span", { class: "badge" }, [t("console.mail_automatic")]) : null,
    bad ? el("span", { class: "badge urgent", "data-verdict": mail.verdict }, [t("console.mail_verdict", { verdict: label("verdict", mail.verdict) })]) : null,
    unproved ? el("span", { class: "badge", "data-verdict": "unverified", title: t("console.mail_unproved_why") }, [t("console.mail_unproved")]) : null,
    mail.split ? el("p", { class: "muted", "data-split": mail.split.why }, [t(`console.split_${mail.split.why}`, { id: mail.split.from })]) : null,
    mail.attachments_dropped
      ? el("div", { class: "muted not-kept", "data-not-kept": "" }, [
          t("console.mail_dropped", { n: String(mail.attachments_dropped) }),
          el("ul", {}, (mail.not_kept || []).map((/** @type {any} */ n) => el("li", {}, [`${n.name} · ${n.content_type} · ${size(n.bytes)} · ${label("not_kept", n.why)}`]))),
        ])
      : null,
    mail.original
      ? el("details", { class: "original" }, [el("summary", {}, [t("console.mail_original")]), el("pre", {}, [mail.original])])
      : null,
  ];
}

/** A byte count as people read it. @param {number} bytes */
function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The organisation's other conversations (open first, then recent), read when the operator
 * opens the panel: its open threads and its history, beside the case.
 * @param {string} id @param {string} conversationId
 */
function orgPanel(id, conversationId) {
  const list = el("ul", { class: "org-history" });
  const details = el("details", { "data-org-history": id }, [el("summary", {}, [t("console.org_history")]), list]);
  details.addEventListener(
    "toggle",
    async () => {
      try {
        const view = await api(`/organisations/${encodeURIComponent(id)}`);
        list.replaceChildren(
          el("li", { class: "muted" }, [t("console.org_open", { n: view.open })]),
          ...view.conversations
            .filter((/** @type {any} */ o) => o.id !== conversationId)
            .map((/** @type {any} */ o) => el("li", {}, [`${o.title} · ${label("channel", o.channel)} · ${t(`board.status.${o.status}`)} · ${o.by}`])),
        );
      } catch (error) {
        list.replaceChildren(el("li", { class: "error" }, [String(/** @type {Error} */ (error).message)]));
      }
    },
    { once: true },
  );
  return details;
}

function drawCase() {
  const { case: c, conversation, transcript, attempts, notes } = current;
  const mine = c.assignee === me;
  const actions = el("div", { class: "actions" }, [
    !c.assignee && c.status !== "resolved" ? button(t("console.claim"), "claim", () => act(() => api(`/cases/${c.id}/claim`, { method: "POST" }))) : null,
    mine && c.status !== "resolved" ? button(t("console.release"), "release", () => act(() => api(`/cases/${c.id}/release`, { method: "POST" })), true) : null,
    c.status === "resolved" ? button(t("console.reopen"), "reopen", () => act(() => api(`/cases/${c.id}/reopen`, { method: "POST" }))) : null,
  ]);
  // Baton's own facts about the case. What the customer's page sent (conversation metadata: any
  // key, any text, "customer" and "reason" included) never goes in this list: it is shown apart,
  // marked unverified, so it cannot pass for one of these rows.
  const meta = el("dl", { "data-case-facts": "" }, [
    ...[
      ["id", c.id],
      [t("console.filter_status"), label("status", c.status) + (c.assignee ? ` · ${t("console.held_by", { name: c.assignee })}` : "")],
      [t("console.filter_category"), label("category", c.category)],
      [t("console.filter_area"), c.area || "—"],
      ["reason", label("reason", c.reason?.code || "")],
      [t("console.channel"), label("channel", c.channel || "web")],
      ...(conversation.mail ? [[t("console.mail_thread"), `${conversation.mail.address} · “${conversation.mail.subject}”`]] : []),
      ...(c.rating ? [[t("console.rating"), `${"★".repeat(c.rating.score)}${"☆".repeat(5 - c.rating.score)} ${c.rating.comment || ""}`]] : []),
      ["customer", `${c.customer?.name || c.customer?.contact || c.customer?.id || ""} (${t(c.customer?.verified ? "console.verified" : "console.unverified")})`],
      ...(current.organisation
        ? [[t("console.organisation"), [current.organisation.name || current.organisation.id, current.organisation.plan, current.organisation.operators?.length ? t("console.org_operators", { names: current.organisation.operators.join(", ") }) : ""].filter(Boolean).join(" · ")]]
        : [])
    ].flatMap(([k, v]) => [el("dt", {}, [String(k)]), el("dd", {}, [String(v)])]),
  ]);
  const sent = Object.entries(conversation.metadata || {});
  const contact = conversation.mail ? contactForm(c, current.contact) : null;
  const organisation = c.organisation ? orgPanel(c.organisation, c.conversation_id) : null;
  const fromCustomer = sent.length
    ? el("section", { class: "from-customer", "aria-labelledby": "from-customer-h", "data-customer-metadata": "" }, [
        el("h3", { id: "from-customer-h" }, [t("console.customer_metadata")]),
        el("dl", {}, sent.flatMap(([k, v]) => [el("dt", {}, [String(k)]), el("dd", {}, [String(v)])])),
      ])
    : null;
  const talk = el(
    "ol",
    { class: "transcript" },
    transcript.map((/** @type {any} */ m) =>
      el("li", { class: m.author.kind }, [
        el("span", { class: "who" }, [m.author.kind === "operator" ? m.author.name : m.member ? `${m.author.kind} · ${m.member}` : m.author.kind]),
        m.text,
        ...(m.attachments || []).map((/** @type {any} */ a) => picture(c.id, a)),
        ...mailFacts(m.mail, m.author.kind === "customer"),
        // On a mail conversation the bot writes only when it is sure; what it decided otherwise
        // stays here, for the team, and never reached the customer.
        conversation.mail && m.author.kind === "bot" && !m.mail?.delivery ? el("span", { class: "delivery", "data-delivery": "none" }, [t("console.bot_not_mailed")]) : null,
      ]),
    ),
  );
  const tried = attempts.map((/** @type {any} */ a) =>
    el("div", { class: "attempt" }, [
      el("strong", {}, [`${a.decision} · ${t("console.confidence", { p: Number(a.confidence).toFixed(2) })}`]),
      el("div", { class: "muted" }, [`“${a.query}” · ${(a.reasons || []).map((/** @type {any} */ r) => r.code).join(", ")}`]),
      el("ol", {}, (a.hits || []).map((/** @type {any} */ h) => el("li", {}, [`${h.title} (${h.guide}${h.anchor ? "#" + h.anchor : ""}) — ${Number(h.score).toFixed(2)}`]))),
    ]),
  );
  const earlier = (c.history || []).length
    ? el("ul", {}, c.history.map((/** @type {any} */ h) => el("li", {}, [`${h.summary || h.id} · ${label("status", h.status || "")} · ${label("category", h.category || "")}`])))
    : el("p", { class: "muted" }, [t("console.no_earlier_cases")]);
  const noteList = el("ul", {}, notes.map((/** @type {any} */ n) => el("li", {}, [`${n.author}: ${n.text}`])));

  const reply = el("textarea", { id: "reply", rows: "3", "data-reply": "" });
  reply.addEventListener("input", () => {
    delete reply.dataset.key;
    typed();
  });
  const composer = el("form", { class: "composer" }, [
    el("label", { for: "reply" }, [t("console.reply_label")]),
    reply,
    helpers(/** @type {HTMLTextAreaElement} */ (reply)),
    el("div", { class: "buttons" }, [
      button(t("console.reply"), "reply", () => {
        const text = /** @type {HTMLTextAreaElement} */ (reply).value.trim();
        if (!text) return;
        // One key per text, kept across retries, so a reply that did arrive is not sent twice.
        reply.dataset.key ||= crypto.randomUUID();
        const key = reply.dataset.key;
        act(async () => {
          await api(`/cases/${c.id}/reply`, { method: "POST", json: { text, idempotency_key: key } });
          lastTyping = 0;
          heartbeat("viewing");
        });
      }),
      button(t("console.note"), "note", () => {
        const text = /** @type {HTMLTextAreaElement} */ (reply).value.trim();
        if (!text) return;
        act(() => api(`/cases/${c.id}/notes`, { method: "POST", json: { text } }));
      }, true),
    ]),
  ]);
  const category = el("select", { id: "resolve-category", "data-resolve-category": "" }, ["how_to", "bug_error", "billing_payment", "account_access", "feature_request"].map((v) => el("option", { value: v }, [label("category", v)])));
  /** @type {HTMLSelectElement} */ (category).value = c.category;
  const followUp = el("input", { id: "follow-up", type: "text", "data-follow-up": "" });
  const resolve = c.status === "resolved"
    ? el("p", { class: "muted" }, [t("widget.resolved")])
    : el("div", { class: "composer" }, [
        el("label", { for: "resolve-category" }, [t("console.filter_category")]),
        category,
        el("label", { for: "follow-up" }, [t("console.follow_up")]),
        followUp,
        el("div", { class: "buttons" }, [
          button(t("console.resolve"), "resolve", () =>
            act(() => api(`/cases/${c.id}/resolve`, { method: "POST", json: { category: /** @type {HTMLSelectElement} */ (category).value, follow_up: /** @type {HTMLInputElement} */ (followUp).value || undefined } })),
          ),
        ]),
      ]);
  $("[data-case]").replaceChildren(
    el("h2", {}, [c.summary]),
    el("p", { class: "row" }, [c.priority === "urgent" ? el("span", { class: "badge urgent" }, [t("console.urgent")]) : null]),
    el("p", { class: "presence", role: "status", "aria-live": "polite", "data-presence": "" }),
    actions,
    el("p", { class: "error", role: "alert", "data-case-status": "" }),
    el("div", { class: "panels" }, [
      el("section", {}, [el("h3", {}, [t("console.transcript")]), talk, composer, resolve]),
      el("section", {}, [
        el("h3", {}, [t("console.case_facts")]),
        meta,
        organisation,
        contact,
        fromCustomer,
        el("h3", {}, [t("console.bot_attempts")]),
        ...tried,
        el("h3", {}, [t("console.earlier_cases")]),
        earlier,
        el("h3", {}, [t("console.notes")]),
        noteList,
      ]),
    ]),
  );
  drawPresence();
}

/**
 * For a mail case: whose the address is. The team maps it to a verified customer's id; from then
 * on mail from it whose sender is proved (DMARC or the domain's DKIM) is that customer's, with
 * their history. Shown with who mapped it, and a way to take it back.
 * @param {any} c the case
 * @param {any} mapping the address's current mapping, if any
 */
function contactForm(c, mapping) {
  const input = /** @type {HTMLInputElement} */ (el("input", { id: "contact-id", type: "text", autocomplete: "off", "data-contact-id": "", value: mapping?.customer_id || "" }));
  const said = el("p", { class: "muted", role: "status", "data-contact-status": "" }, [
    mapping ? t("console.contact_mapped", { id: mapping.customer_id, by: mapping.by }) : t("console.contact_none"),
  ]);
  /** @param {string | null} id */
  const link = (id) =>
    act(async () => {
      const linked = await api(`/cases/${c.id}/contact`, { method: "POST", json: { customer_id: id } });
      flash = { case: c.id, text: id === null ? t("console.contact_unlinked") : t(linked.joined ? "console.contact_joined" : "console.contact_next", { id }) };
    });
  return el("section", { class: "contact", "aria-labelledby": "contact-h", "data-contact": "" }, [
    el("h3", { id: "contact-h" }, [t("console.contact_title")]),
    said,
    flash.case === c.id ? el("p", { class: "muted", "data-contact-flash": "" }, [flash.text]) : null,
    el("label", { for: "contact-id" }, [t("console.contact_label")]),
    input,
    el("div", { class: "buttons" }, [
      button(t("console.contact_link"), "link-contact", () => {
        const id = input.value.trim();
        if (id) link(id);
      }),
      mapping ? button(t("console.contact_unlink"), "unlink-contact", () => link(null), true) : null,
    ]),
  ]);
}

/** What the last contact change did, shown on its case. */
let flash = { case: "", text: "" };

/** @type {{ko: {title: string, text: string}[], en: {title: string, text: string}[]} | null} */
let savedReplies = null;

/** Puts `text` into the reply box at the cursor, as if typed. @param {HTMLTextAreaElement} box @param {string} text */
function insert(box, text) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  // Words stay apart from what is already there.
  const before = box.value.slice(0, start);
  const gap = before && !/\s$/.test(before) ? " " : "";
  box.setRangeText(gap + text, start, end, "end");
  box.dispatchEvent(new Event("input"));
  box.focus();
}

/**
 * Under the reply box: a saved reply (the team's, from saved-replies.json) and a guide link
 * (searched as the operator types, inserted as "title: URL").
 * @param {HTMLTextAreaElement} box
 */
function helpers(box) {
  const caseLang = current?.case?.locale === "en" ? "en" : "ko";
  const saved = /** @type {HTMLSelectElement} */ (el("select", { id: "saved-reply", "data-saved-reply": "" }, [el("option", { value: "" }, [t("console.saved_replies")])]));
  const fill = () => {
    for (const [i, r] of (savedReplies?.[caseLang] || []).entries()) saved.append(el("option", { value: String(i) }, [r.title]));
  };
  if (savedReplies) fill();
  else
    fetch("saved-replies.json")
      .then((r) => r.json())
      .then((json) => {
        savedReplies = json;
        fill();
      })
      .catch(() => {});
  saved.addEventListener("change", () => {
    const reply = savedReplies?.[caseLang]?.[Number(saved.value)];
    if (reply) insert(box, reply.text.replaceAll("{name}", me));
    saved.value = "";
  });
  const query = /** @type {HTMLInputElement} */ (el("input", { id: "guide-search", type: "search", autocomplete: "off", "data-guide-search": "", placeholder: t("console.insert_guide") }));
  const found = el("ul", { class: "guide-results", "data-guide-results": "" });
  /** @type {number | undefined} */
  let debounce;
  query.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = window.setTimeout(async () => {
      const q = query.value.trim();
      if (!q) return found.replaceChildren();
      try {
        // As the operator types: `typing=true` keeps these out of the customers' searches (the
        // weekly report) and out of the search rate limit.
        const result = await fetchJson(`/api/search?${new URLSearchParams({ q, lang: caseLang, limit: "5", typing: "true" })}`);
        found.replaceChildren(
          ...(result.hits || []).map((/** @type {any} */ hit) => {
            const section = hit.sections?.[0];
            // The anchor as written (browsers take Unicode fragments), so the customer reads it.
            const url = guideUrl(hit.id, section?.anchor, { root: `${location.origin}/`, readable: true });
            const pick = el("button", { type: "button", class: "secondary" }, [section?.heading ? `${hit.title} › ${section.heading}` : hit.title]);
            pick.addEventListener("click", () => {
              insert(box, `${hit.title}: ${url}\n`);
              query.value = "";
              found.replaceChildren();
            });
            return el("li", {}, [pick]);
          }),
        );
      } catch {
        found.replaceChildren();
      }
    }, 200);
  });
  return el("div", { class: "helpers" }, [
    el("label", { for: "saved-reply", class: "sr-only" }, [t("console.saved_replies")]),
    saved,
    el("label", { for: "guide-search", class: "sr-only" }, [t("console.insert_guide")]),
    query,
    found,
  ]);
}

/** Attachments' images by id: fetched once with the operator's token, the same node every redraw. */
const images = new Map();

/**
 * A customer's screenshot, linked to open full size.
 * @param {string} caseId
 * @param {{id: string, type: string, size: number, width: number, height: number}} attachment
 */
function picture(caseId, attachment) {
  const known = images.get(attachment.id);
  if (known) return known;
  const img = /** @type {HTMLImageElement} */ (el("img", { alt: t("console.attachment", { w: attachment.width, h: attachment.height }), width: String(attachment.width), height: String(attachment.height), "data-attachment": attachment.id }));
  const link = el("a", { class: "attachment", target: "_blank", rel: "noopener" }, [img]);
  images.set(attachment.id, link);
  fetch(`/api/operator/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(attachment.id)}`, { headers: { authorization: `Bearer ${token}` } })
    .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(String(response.status)))))
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      img.src = url;
      link.setAttribute("href", url);
    })
    .catch(() => images.delete(attachment.id));
  return link;
}

/** @param {string} label @param {string} name @param {() => void} onClick @param {boolean} [secondary] */
function button(label, name, onClick, secondary = false) {
  const b = el("button", { type: "button", "data-action": name, class: secondary ? "secondary" : "" }, [label]);
  b.addEventListener("click", onClick);
  return b;
}

/** @param {boolean} [everywhere] also end the hosted UI's session (the sign-out button) */
function signOut(everywhere = false) {
  const hadToken = !!token;
  token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  if (everywhere && hadToken && signInConfig.sign_in === "cognito") return signOutOfCognito(signInConfig);
  $("[data-desk]").hidden = true;
  $("[data-sign-out]").hidden = true;
  $("[data-me]").textContent = "";
  $("[data-sign-in]").hidden = false;
}

async function signIn() {
  const who = await api("/me");
  me = who.name;
  $("[data-me]").textContent = me;
  $("[data-sign-in]").hidden = true;
  $("[data-sign-out]").hidden = false;
  $("[data-desk]").hidden = false;
  await refreshQueue();
  pollQueue();
}

document.addEventListener("keydown", (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (!token || event.ctrlKey || event.metaKey || event.altKey || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
  const shown = cases.filter(matches);
  const index = shown.findIndex((c) => c.id === selectedId);
  const click = (/** @type {string} */ name) => /** @type {HTMLElement | null} */ (document.querySelector(`[data-action=${name}]`))?.click();
  if (event.key === "j" || event.key === "k") {
    const next = shown[Math.min(shown.length - 1, Math.max(0, index + (event.key === "j" ? 1 : -1)))];
    if (next) {
      selectedId = next.id;
      drawQueue();
      /** @type {HTMLElement | null} */ (document.querySelector(`[data-case-id="${next.id}"]`))?.focus();
    }
  } else if (event.key === "Enter" && selectedId && target.tagName !== "BUTTON") {
    select(selectedId, true);
  } else if (event.key === "c") {
    click("claim");
  } else if (event.key === "r") {
    event.preventDefault();
    /** @type {HTMLElement | null} */ (document.querySelector("[data-reply]"))?.focus();
  } else if (event.key === "e") {
    event.preventDefault();
    /** @type {HTMLElement | null} */ (document.querySelector("[data-follow-up]"))?.focus();
  } else if (event.key === "?") {
    /** @type {HTMLDialogElement} */ ($("[data-help]")).showModal();
  } else {
    return;
  }
});

for (const select of document.querySelectorAll("[data-filter]")) {
  select.addEventListener("change", () => {
    const name = /** @type {keyof typeof filters} */ (/** @type {HTMLElement} */ (select).dataset.filter);
    filters[name] = /** @type {HTMLSelectElement} */ (select).value;
    drawQueue();
  });
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && token) {
    refreshQueue();
    refreshCase();
  }
  pollQueue();
  pollCase();
  heartbeat("viewing");
});

$("[data-sign-out]").addEventListener("click", () => signOut(true));
$("[data-sign-in]").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (signInConfig.sign_in === "cognito") return startCognito(signInConfig);
  token = /** @type {HTMLInputElement} */ ($("#token")).value.trim();
  try {
    await signIn();
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    token = "";
    $("[data-sign-in-error]").textContent = t("console.sign_in_failed");
  }
});

async function init() {
  await loadStrings(lang);
  applyStrings();
  document.title = t("console.title");
  signInConfig = await loadConfig();
  if (signInConfig.sign_in === "cognito") {
    $("[data-token-fields]").hidden = true;
    /** @type {HTMLInputElement} */ ($("#token")).required = false;
    $("[data-sign-in] button[type=submit]").textContent = t("console.sign_in_cognito");
    try {
      const idToken = await finishCognito(signInConfig);
      if (idToken) {
        token = idToken;
        sessionStorage.setItem(TOKEN_KEY, token);
      }
    } catch {
      $("[data-sign-in-error]").textContent = t("console.sign_in_failed");
    }
  }
  if (token) {
    try {
      await signIn();
      return;
    } catch {
      signOut();
      return;
    }
  }
  signOut();
}

init();
