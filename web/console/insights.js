// @ts-check
// The weekly report in the console: reads the documented JSON (docs/insights.md) with the
// report's charts in one answer (`GET /api/operator/insights/charts`; the SVG shown as images,
// where it can run nothing). Signed in through the console (the same session token). Everything a
// customer wrote is set as text.

import { OPERATOR_TOKEN_KEY, fetchJson } from "../shared/api.js";
import { $, el } from "../shared/dom.js";
import { guideUrl } from "../shared/guides.js";
import { applyStrings, label, loadStrings, preferredLang, t } from "../shared/i18n.js";

const lang = preferredLang();
document.documentElement.lang = lang;
const token = sessionStorage.getItem(OPERATOR_TOKEN_KEY) || "";

/** The operator API, as the operator signed in to the console. @param {string} path */
function api(path) {
  return fetchJson(`/api/operator${path}`, { token });
}

/** @param {number} ms */
function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h === 0 && m === 0) return lang === "ko" ? `${s}초` : `${s}s`;
  if (h === 0) return lang === "ko" ? `${m}분` : `${m}m`;
  if (h < 48) return lang === "ko" ? `${h}시간 ${m}분` : `${h}h ${String(m).padStart(2, "0")}m`;
  return lang === "ko" ? `${Math.floor(h / 24)}일 ${h % 24}시간` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** @param {number} n */
const signed = (n) => (n > 0 ? `+${n}` : String(n));
/** @param {number} r */
const percent = (r) => `${(r * 100).toFixed(1)}%`;

/** An ISO week label for a date. @param {Date} date */
function isoWeek(date) {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The week `step` weeks from `label`. @param {string} label @param {number} step */
function shift(label, step) {
  const [year, week] = label.split("-W").map(Number);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86400000 + (week - 1 + step) * 7 * 86400000);
  return isoWeek(new Date(monday.getUTCFullYear(), monday.getUTCMonth(), monday.getUTCDate()));
}

/** @param {string} title @param {(Node | string)[]} children */
const section = (title, children) => el("section", { class: "panel" }, [el("h2", {}, [title]), ...children]);

/** @param {Record<string, string>} charts @param {string} name @param {string} alt */
function chart(charts, name, alt) {
  const svg = charts[name];
  if (!svg) return null;
  return el("img", { class: "chart", src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, alt });
}

/** @param {any[]} rows @param {string[]} weeks @param {(key: string) => string} name */
function rowsTable(rows, weeks, name) {
  const head = el("tr", {}, [el("th", {}, [""]), el("th", { class: "n" }, [t("insights.this_week")]), el("th", { class: "n" }, [t("insights.change")]), el("th", { title: weeks.join(" · ") }, [t("insights.trend")])]);
  const body = rows.length
    ? rows.map((r) => el("tr", {}, [el("td", {}, [name(r.key)]), el("td", { class: "n" }, [String(r.count)]), el("td", { class: `n ${r.change > 0 ? "up" : r.change < 0 ? "down" : ""}` }, [signed(r.change)]), el("td", {}, [r.trend.join(" → ")])]))
    : [el("tr", {}, [el("td", { colspan: "4", class: "muted" }, [t("insights.none")])])];
  return el("table", {}, [head, ...body]);
}

/** @param {any[]} topics */
function topicList(topics) {
  if (!topics.length) return el("p", { class: "muted" }, [t("insights.none")]);
  return el(
    "ol",
    { class: "topics" },
    topics.map((topic) =>
      el("li", {}, [
        el("q", {}, [topic.words]),
        " ",
        el("strong", {}, [t("insights.customers", { n: topic.customers })]),
        el("span", { class: "muted" }, [` · ${t("insights.asked", { n: topic.asked })} · ${topic.langs.join(", ")}${topic.area ? ` · ${label("area", topic.area)}` : ""}`]),
        topic.examples.length > 1 ? el("div", { class: "muted" }, [`${t("insights.also_asked")} `, ...topic.examples.slice(1).flatMap((/** @type {string} */ e, /** @type {number} */ i) => [i ? ", " : "", el("q", {}, [e])])]) : null,
        topic.closest ? el("div", { class: "muted" }, [`${t("insights.closest")} `, el("a", { href: guideUrl(topic.closest.guide) }, [topic.closest.title])]) : null,
      ]),
    ),
  );
}

/** @param {any} r @param {Record<string, string>} charts */
function draw(r, charts) {
  const main = $("[data-insights]");
  const l = r.ledger;
  const i = r.inquiries;
  const headline = el("section", { class: "headline" }, [
    el("div", {}, [el("span", { class: "big" }, [String(i.count)]), ` ${t("insights.inquiries")} `, el("span", { class: `muted ${i.change > 0 ? "up" : ""}` }, [t("insights.against", { change: signed(i.change), previous: i.previous })])]),
    el("div", {}, [el("span", { class: "big" }, [percent(l.self_service_rate)]), ` ${t("insights.self_service")} `, el("span", { class: "muted" }, [t("insights.self_service_note")])]),
  ]);
  const v = r.volume;
  const times = r.times;
  const stat = (/** @type {any} */ s) => (s.median_ms === null ? "–" : duration(s.median_ms));
  const timeRows = [
    ["insights.to_claim", times.to_claim],
    ["insights.to_first_reply", times.to_first_reply],
    ["insights.to_resolve", times.to_resolve],
  ].map(([key, split]) => el("tr", {}, [el("td", {}, [`${t(key)} (${split.all.count})`]), el("td", { class: "n" }, [stat(split.all)]), el("td", { class: "n" }, [split.all.p90_ms === null ? "–" : duration(split.all.p90_ms)]), el("td", { class: "n" }, [stat(split.within_hours)]), el("td", { class: "n" }, [stat(split.outside_hours)])]));
  const g = r.guide_health;
  const health = g.guides.length
    ? el("table", {}, [
        el("tr", {}, [el("th", {}, [t("insights.guide")]), el("th", { class: "n" }, [t("insights.cited")]), el("th", { class: "n" }, [t("insights.handed_off_after")]), el("th", { class: "n" }, [t("insights.not_helpful")])]),
        ...g.guides.map((/** @type {any} */ row) => el("tr", {}, [el("td", {}, [el("a", { href: guideUrl(row.guide) }, [row.title || row.guide])]), el("td", { class: "n" }, [String(row.cited)]), el("td", { class: "n" }, [String(row.handed_off_after)]), el("td", { class: "n" }, [row.not_helpful_rate === null ? "–" : `${Math.round(row.not_helpful_rate * 100)}% / ${row.helpful + row.not_helpful}`])])),
      ])
    : el("p", { class: "muted" }, [t("insights.none")]);
  const rises = g.rose_after_update.map((/** @type {any} */ rise) => el("p", { class: "up" }, [t("insights.rose", { guide: rise.guide, updated: rise.updated, before: percent(rise.before.rate), after: percent(rise.after.rate) })]));
  const urgent = r.urgent.length
    ? el("ul", {}, r.urgent.map((/** @type {any} */ u) => el("li", {}, [el("code", {}, [u.conversation_id]), ` ${label("urgency", u.urgency)} · ${t("insights.waited", { time: duration(u.waited_ms) })}`, u.claimed ? "" : el("strong", { class: "up" }, [` · ${t("insights.unclaimed")}`])])))
    : el("p", { class: "muted" }, [t("insights.none")]);
  const sat = r.satisfaction;
  main.replaceChildren(
    el("p", { class: "muted" }, [`${r.period.label} (${r.period.timezone})`]),
    headline,
    section(t("insights.ledger"), [
      chart(charts, "ledger", t("insights.ledger_alt", { confirmed: l.confirmed, silent: l.silent, not_helpful: l.not_helpful, handed_off: l.handed_off })) || "",
      el("p", {}, [t("insights.came_back", { n: l.came_back, confirmed: l.came_back_after_confirmed })]),
      l.handed_off_by_reason.length ? el("p", {}, [`${t("insights.by_reason")} ${l.handed_off_by_reason.map((/** @type {any} */ x) => `${label("reason", x.key)} ${x.count}`).join(", ")}`]) : "",
    ]),
    section(t("insights.guides_to_write"), [el("p", { class: "muted" }, [t("insights.guides_to_write_note")]), topicList(r.guides_to_write)]),
    section(t("insights.by_category"), [chart(charts, "volume", t("insights.by_category")) || "", rowsTable(v.by_category, v.weeks, (k) => label("category", k))]),
    section(t("insights.by_area"), [chart(charts, "areas", t("insights.by_area")) || "", rowsTable(v.by_area, v.weeks, (k) => label("area", k))]),
    section(t("insights.by_channel"), [rowsTable(v.by_channel || [], v.weeks, (k) => label("channel", k))]),
    section(t("insights.by_organisation"), [rowsTable(v.by_organisation || [], v.weeks, (k) => k)]),
    section(t("insights.guide_health"), [health, ...rises, g.never_cited.length ? el("p", { class: "muted" }, [t("insights.never_cited", { n: g.never_cited.length })]) : ""]),
    section(t("insights.feature_requests"), [topicList(r.feature_requests)]),
    section(t("insights.times"), [
      times.hours_set ? "" : el("p", { class: "muted" }, [t("insights.no_hours")]),
      chart(charts, "times", t("insights.times")) || "",
      el("table", {}, [el("tr", {}, [el("th", {}, [""]), el("th", { class: "n" }, [t("insights.median")]), el("th", { class: "n" }, ["p90"]), el("th", { class: "n" }, [t("insights.within_hours")]), el("th", { class: "n" }, [t("insights.outside_hours")])]), ...timeRows]),
    ]),
    section(t("insights.urgent"), [urgent]),
    section(t("insights.searches"), [el("p", {}, [t("insights.zero_results", { zero: r.searches.zero_results, weak: r.searches.weak_results, count: r.searches.count })])]),
    section(t("insights.satisfaction"), [el("p", {}, [sat.average === null ? t("insights.no_ratings") : t("insights.ratings", { n: sat.count, average: sat.average.toFixed(2), d: sat.distribution.map((/** @type {number} */ n, /** @type {number} */ k) => `${k + 1}★ ${n}`).join(" · ") })])]),
  );
}

/** A run of days the link names (`?from=…&to=…`), once; then the week picker decides. */
let days = (() => {
  const params = new URLSearchParams(location.search);
  const from = params.get("from");
  const to = params.get("to");
  return from && to ? { from, to } : null;
})();

/** The API query for the week shown, or the days a link named. @param {string} week */
function query(week) {
  if (days) return `?from=${encodeURIComponent(days.from)}&to=${encodeURIComponent(days.to)}`;
  return `?week=${encodeURIComponent(week)}`;
}

async function load() {
  const input = /** @type {HTMLInputElement} */ ($("[data-week]"));
  const week = input.value;
  history.replaceState(null, "", query(week));
  const status = el("p", { class: "muted", "data-status": "" }, [t("insights.loading")]);
  $("[data-insights]").replaceChildren(status);
  try {
    const page = await api(`/insights/charts${query(week)}`);
    draw(page.report, page.charts);
  } catch (error) {
    const e = /** @type {any} */ (error);
    status.textContent = e.status === 401 || e.status === 403 ? t("insights.sign_in_first") : t("insights.failed", { message: e.message });
    if (e.status === 401 || e.status === 403) status.append(" ", el("a", { href: "./" }, [t("console.sign_in")]));
  }
}

async function init() {
  await loadStrings(lang);
  applyStrings();
  document.title = `${t("insights.title")} · ${t("console.title")}`;
  const input = /** @type {HTMLInputElement} */ ($("[data-week]"));
  // The last week that ended, unless the link names one.
  input.value = new URLSearchParams(location.search).get("week") || shift(isoWeek(new Date()), -1);
  input.addEventListener("change", () => {
    days = null;
    if (input.value) load();
  });
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => {
      days = null;
      input.value = shift(input.value, Number(/** @type {HTMLElement} */ (button).dataset.step));
      load();
    });
  }
  $("[data-period]").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  if (!token) {
    $("[data-insights]").replaceChildren(el("p", {}, [t("insights.sign_in_first"), " ", el("a", { href: "./" }, [t("console.sign_in")])]));
    return;
  }
  load();
}

init();
