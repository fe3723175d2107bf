// @ts-check
// Feature requests in the console: the triaged requests with their reach and urgency, the asks
// not triaged yet (grouped), and the team's status. Shipping or declining one tells everyone who
// asked, once (`POST /api/operator/feature-requests`). Everything a customer wrote is set as text.

import { ApiError, OPERATOR_TOKEN_KEY, fetchJson } from "../shared/api.js";
import { $, el } from "../shared/dom.js";
import { applyStrings, label, loadStrings, preferredLang, t } from "../shared/i18n.js";

const lang = preferredLang();
document.documentElement.lang = lang;
const token = sessionStorage.getItem(OPERATOR_TOKEN_KEY) || "";
const STATUSES = ["reviewing", "planned", "shipped", "declined"];

/** @typedef {{conversation_id: string, customer: string, channel: string, locale: string, words: string, asked_at: number, told_at?: number}} Ask */
/** @typedef {{id?: string, title: string, status?: string, reason?: string, announcement?: Record<string, string>, area?: string, customers: number, recent: number, verified: number, since?: number, told: number, asks: Ask[]}} Request */

/** @param {string} path @param {unknown} [json] */
const api = (path, json) => fetchJson(`/api/operator${path}`, { token, method: json ? "POST" : "GET", json });

/** @param {number} at */
const day = (at) => new Date(at).toLocaleDateString(lang === "ko" ? "ko-KR" : "en-US", { dateStyle: "medium" });

/** @param {string} text @param {"ok" | "error"} kind */
function say(text, kind) {
  const notice = $("[data-notice]");
  notice.textContent = text;
  notice.dataset.kind = kind;
}

/** Reach, urgency and age, as the team triages by them. @param {Request} r */
const facts = (r) =>
  el("p", { class: "facts" }, [
    el("strong", {}, [t("features.customers", { n: r.customers })]),
    ` · ${t("features.recent", { n: r.recent })} · ${t("features.verified", { n: r.verified })}`,
    r.since ? ` · ${t("features.since", { date: day(r.since) })}` : "",
    r.area ? ` · ${r.area}` : "",
  ]);

/** The asks, as the customers wrote them. @param {Ask[]} asks */
const askList = (asks) =>
  el(
    "ul",
    { class: "asks" },
    asks.map((a) =>
      el("li", {}, [
        a.words || "…",
        el("span", { class: "muted" }, [` · ${label("channel", a.channel)} · ${day(a.asked_at)}${a.told_at ? ` · ${t("features.told_at", { date: day(a.told_at) })}` : ""}`]),
      ]),
    ),
  );

/** One triaged request with its form. @param {Request} r */
function request(r) {
  const id = r.id || "";
  const status = /** @type {HTMLSelectElement} */ (el("select", { name: "status", id: `s-${id}` }, STATUSES.map((s) => el("option", { value: s }, [t(`features.status.${s}`)]))));
  status.value = r.status || "reviewing";
  const field = (/** @type {string} */ name, /** @type {string} */ key, /** @type {string} */ value) => {
    const input = /** @type {HTMLTextAreaElement} */ (el("textarea", { name, id: `${name}-${id}`, rows: "2" }));
    input.value = value;
    return el("div", { class: "field" }, [el("label", { for: `${name}-${id}` }, [t(key)]), input]);
  };
  const form = /** @type {HTMLFormElement} */ (
    el("form", { class: "triage" }, [
      el("div", { class: "field" }, [el("label", { for: `s-${id}` }, [t("features.status")]), status]),
      field("reason", "features.reason", r.reason || ""),
      field("ko", "features.announcement_ko", r.announcement?.ko || ""),
      field("en", "features.announcement_en", r.announcement?.en || ""),
      el("button", { type: "submit" }, [t("features.save")]),
    ])
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    /** @type {Record<string, string>} */
    const announcement = {};
    for (const l of ["ko", "en"]) if (String(data.get(l) || "").trim()) announcement[l] = String(data.get(l));
    try {
      const done = await api("/feature-requests", {
        id,
        status: data.get("status"),
        reason: String(data.get("reason") || "") || undefined,
        announcement: Object.keys(announcement).length ? announcement : undefined,
      });
      say(done.told_now ? t("features.told_now", { n: done.told_now }) : t("features.saved"), "ok");
      await load();
    } catch (error) {
      say(error instanceof ApiError ? error.message : String(error), "error");
    }
  });
  return el("li", { class: "request", "data-request": id }, [
    el("h3", {}, [r.title, " ", el("span", { class: `status status-${r.status}` }, [t(`features.status.${r.status}`)])]),
    facts(r),
    r.told ? el("p", { class: "muted" }, [t("features.told", { n: r.told })]) : "",
    el("details", {}, [el("summary", {}, [t("features.asks", { n: r.asks.length })]), askList(r.asks)]),
    form,
  ]);
}

/** A group of asks not triaged yet, with "make it a request" and "add to a request".
 * @param {Request[]} requests @returns {(r: Request) => HTMLElement} */
const untriagedOf = (requests) => (r) => untriaged(r, requests);

/** @param {Request} r @param {Request[]} requests */
function untriaged(r, requests) {
  const button = el("button", { type: "button" }, [t("features.make_request")]);
  button.addEventListener("click", async () => {
    try {
      // At most 50 asks join in one call: the first make the request, the rest are added.
      const ids = r.asks.map((a) => a.conversation_id);
      const made = await api("/feature-requests", { title: r.title.slice(0, 120) || "?", add: ids.slice(0, 50) });
      for (let i = 50; i < ids.length; i += 50) await api("/feature-requests", { id: made.request.id, add: ids.slice(i, i + 50) });
      say(t("features.saved"), "ok");
      await load();
    } catch (error) {
      say(error instanceof ApiError ? error.message : String(error), "error");
    }
  });
  const actions = el("div", { class: "actions" }, [button]);
  if (requests.length) {
    const id = `add-${Math.random().toString(36).slice(2, 8)}`;
    const target = /** @type {HTMLSelectElement} */ (el("select", { id }, requests.map((q) => el("option", { value: q.id || "" }, [q.title]))));
    const add = el("button", { type: "button", class: "secondary" }, [t("features.add")]);
    add.addEventListener("click", async () => {
      try {
        const ids = r.asks.map((a) => a.conversation_id);
        for (let i = 0; i < ids.length; i += 50) await api("/feature-requests", { id: target.value, add: ids.slice(i, i + 50) });
        say(t("features.saved"), "ok");
        await load();
      } catch (error) {
        say(error instanceof ApiError ? error.message : String(error), "error");
      }
    });
    actions.append(el("label", { for: id }, [t("features.add_to")]), target, add);
  }
  return el("li", { class: "request", "data-group": r.title }, [el("h3", {}, [r.title]), facts(r), askList(r.asks), actions]);
}

async function load() {
  const list = await api("/feature-requests");
  /** @type {Request[]} */
  const requests = list.requests;
  /** @type {Request[]} */
  const groups = list.untriaged;
  $("[data-requests]").replaceChildren(...(requests.length ? requests.map(request) : [el("li", { class: "muted" }, [t("insights.none")])]));
  $("[data-untriaged]").replaceChildren(...(groups.length ? groups.map(untriagedOf(requests)) : [el("li", { class: "muted" }, [t("insights.none")])]));
}

async function init() {
  await loadStrings(lang);
  applyStrings();
  document.title = `${t("features.title")} · ${t("console.title")}`;
  if (!token) {
    $("[data-features]").replaceChildren(el("p", {}, [t("insights.sign_in_first"), " ", el("a", { href: "./" }, [t("console.sign_in")])]));
    return;
  }
  try {
    $("[data-me]").textContent = (await api("/me")).name;
    await load();
  } catch (error) {
    say(error instanceof ApiError ? error.message : String(error), "error");
  }
}

init();
