// @ts-check
// The help center's behaviour: search as you type (IME-aware), the Ctrl/⌘+K dialog, the
// remembered language, "was this helpful?", and opening the chat with the reader's context.
// Loaded as a module on every page; everything it shows of a search is set as text, never HTML.

import { guideUrl } from "../shared/guides.js";
import { loadStrings, preferredLang, rememberLang, t } from "../shared/i18n.js";

const LAST_SEARCH_KEY = "baton.lastSearch";
/** How long results stand unchanged before the search counts as settled and is recorded. */
const SETTLE_MS = 2000;
const DEBOUNCE_MS = 160;
const RESULTS = 8;

const body = document.body;
const lang = body.dataset.lang === "ko" ? "ko" : "en";
const root = new URL("..", /** @type {HTMLScriptElement} */ (document.querySelector("script[src$='assets/help.js']")).src).pathname;

/** @typedef {{heading: string, anchor: string, snippet?: string[]}} SectionLink */
/** @typedef {{id: string, title: string, area?: string, category?: string, sections: SectionLink[]}} Hit */
/** @typedef {{query: string, lang: string, notices?: string[], hits: Hit[]}} SearchResponse */

// ---- Language: chosen from the browser, switched by the reader, remembered. ----

for (const link of document.querySelectorAll("[data-lang-switch]")) {
  link.addEventListener("click", () => rememberLang(/** @type {HTMLElement} */ (link).dataset.langSwitch || ""));
}

if (body.dataset.page === "chooser") {
  const target = /** @type {HTMLAnchorElement | null} */ (document.querySelector(`a[data-lang-switch="${preferredLang()}"]`));
  if (target) location.replace(target.href);
}

// ---- Search ----

/**
 * One search box and the list its results go to.
 * @param {HTMLInputElement} input
 * @param {ParentNode} scope where its status, results and no-results blocks are
 */
function searchBox(input, scope) {
  const status = /** @type {HTMLElement} */ (scope.querySelector("[data-search-status]"));
  const list = /** @type {HTMLOListElement} */ (scope.querySelector("[data-search-results]"));
  const empty = /** @type {HTMLElement | null} */ (scope.querySelector("[data-no-results]"));
  let composing = false;
  /** @type {number | undefined} */
  let timer;
  /** @type {AbortController | undefined} */
  let inflight;
  let shown = "";
  let selected = -1;
  /** @type {number | undefined} */
  let missTimer;
  /** Queries already recorded (once per page). */
  const reported = new Set();

  const run = async () => {
    const q = input.value.trim();
    if (q === shown) return;
    shown = q;
    inflight?.abort();
    if (!q) {
      list.replaceChildren();
      status.textContent = "";
      if (empty) empty.hidden = true;
      return;
    }
    const controller = new AbortController();
    inflight = controller;
    status.textContent = t("help.searching");
    try {
      const params = new URLSearchParams({ q, lang, limit: String(RESULTS), typing: "true" });
      const response = await fetch(`${root}api/search?${params}`, { signal: controller.signal, headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      /** @type {SearchResponse} */
      const results = await response.json();
      if (controller.signal.aborted) return;
      sessionStorage.setItem(LAST_SEARCH_KEY, q);
      show(results, q);
    } catch (error) {
      if (controller.signal.aborted) return;
      status.textContent = t("help.search_failed");
    }
  };

  /** @param {SearchResponse} results @param {string} q */
  const show = (results, q) => {
    selected = -1;
    const items = results.hits.map((hit) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      const section = hit.sections[0];
      a.href = guideUrl(hit.id, section?.anchor, { root });
      a.dataset.guide = hit.id;
      const title = document.createElement("span");
      title.className = "result-title";
      title.textContent = hit.title;
      a.append(title);
      if (section && section.heading) {
        const where = document.createElement("span");
        where.className = "result-section";
        where.textContent = `${t("help.section_in")}: ${section.heading}`;
        a.append(where);
      }
      if (section && section.snippet) {
        const snippet = document.createElement("span");
        snippet.className = "result-snippet";
        section.snippet.forEach((run, i) => {
          if (i % 2 === 1) {
            const mark = document.createElement("mark");
            mark.textContent = run;
            snippet.append(mark);
          } else {
            snippet.append(document.createTextNode(run));
          }
        });
        a.append(snippet);
      }
      li.append(a);
      return li;
    });
    list.replaceChildren(...items);
    const notices = (results.notices || []).join(" ");
    status.textContent = items.length ? `${t("help.search_results")}: ${items.length}${notices ? " · " + notices : ""}` : "";
    clearTimeout(missTimer);
    if (!reported.has(q)) {
      // A search still standing after 2 s is what the reader meant, not a word half typed: it is
      // counted (one with no results is a guide to write).
      missTimer = window.setTimeout(() => {
        if (shown !== q) return;
        reported.add(q);
        fetch(`${root}api/feedback/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ q, lang }) }).catch(() => {});
      }, SETTLE_MS);
    }
    if (empty) {
      empty.hidden = items.length > 0;
      const text = /** @type {HTMLElement} */ (empty.querySelector("[data-no-results-text]"));
      text.textContent = (text.dataset.template || "").replace("{query}", q);
    } else if (!items.length) {
      status.textContent = t("help.no_results", { query: q });
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = window.setTimeout(run, DEBOUNCE_MS);
  };

  // Korean is typed through an IME: half-composed jamo are not a query. Search reacts to
  // composed text only (compositionend), and to ordinary input outside a composition.
  input.addEventListener("compositionstart", () => {
    composing = true;
    clearTimeout(timer);
  });
  input.addEventListener("compositionend", () => {
    composing = false;
    schedule();
  });
  input.addEventListener("input", (event) => {
    if (composing || /** @type {InputEvent} */ (event).isComposing) return;
    schedule();
  });
  input.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    const links = [...list.querySelectorAll("a")];
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!links.length) return;
      event.preventDefault();
      selected = (selected + (event.key === "ArrowDown" ? 1 : -1) + links.length) % links.length;
      links.forEach((a, i) => a.setAttribute("aria-selected", String(i === selected)));
      links[selected].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      const link = links[Math.max(selected, 0)];
      if (link && (selected >= 0 || input.value.trim() === shown)) location.href = link.href;
      else run();
    }
  });
  input.form?.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
}

loadStrings(lang, root);

for (const form of document.querySelectorAll("[data-search-form]")) {
  const input = /** @type {HTMLInputElement} */ (form.querySelector("[data-search-input]"));
  searchBox(input, /** @type {ParentNode} */ (form.parentElement));
}

const dialog = /** @type {HTMLDialogElement | null} */ (document.querySelector("[data-search-dialog]"));
if (dialog) {
  const input = /** @type {HTMLInputElement} */ (dialog.querySelector("[data-search-input]"));
  searchBox(input, dialog);
  const open = () => {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
  };
  for (const button of document.querySelectorAll("[data-search-open]")) button.addEventListener("click", open);
  dialog.querySelector("[data-search-close]")?.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      open();
    }
  });
}

// ---- Was this helpful? and the chat with context ----

/** What the chat should know about where the reader is. */
function context() {
  return {
    article: body.dataset.guide ? { id: body.dataset.guide, title: body.dataset.title || "" } : undefined,
    search: sessionStorage.getItem(LAST_SEARCH_KEY) || undefined,
  };
}

/** Opens the chat widget with the reader's context (queued if the widget is still loading). */
function openChat() {
  const detail = context();
  const widget = /** @type {any} */ (window).BatonWidget;
  if (widget && typeof widget.open === "function") widget.open(detail);
  else {
    /** @type {any} */ (window).batonPending = detail;
  }
}

for (const link of document.querySelectorAll("[data-open-chat]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    openChat();
  });
}

const feedback = document.querySelector("[data-feedback]");
if (feedback && body.dataset.guide) {
  const done = /** @type {HTMLElement} */ (feedback.querySelector("[data-feedback-done]"));
  for (const button of feedback.querySelectorAll("[data-feedback-vote]")) {
    button.addEventListener("click", async () => {
      const helpful = /** @type {HTMLElement} */ (button).dataset.feedbackVote === "yes";
      for (const b of feedback.querySelectorAll("[data-feedback-vote]")) {
        b.setAttribute("aria-pressed", String(b === button));
      }
      done.textContent = (helpful ? done.dataset.yes : done.dataset.no) || "";
      try {
        await fetch(`${root}api/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ guide: body.dataset.guide, helpful, lang, search: context().search }),
        });
      } catch {
        // A lost vote is not worth bothering the reader about.
      }
      if (!helpful) openChat();
    });
  }
}

