// @ts-check
// The reader's language and its words, for all three pages (help center, the widget's frame, the
// console): which language to show, the words of `{root}i18n/{lang}.json`, `t()` and `label()`,
// and the words put into a page's `data-t` attributes.

/** @typedef {"ko" | "en"} Lang */

/** Where the language a reader picked is remembered (the help center's switch; the console reads it). */
const LANG_KEY = "baton.lang";

/** The words of the page's language, filled by `loadStrings`. @type {Record<string, string>} */
const strings = {};

/**
 * The language for a reader: the one they picked before, else the first Korean or English one
 * their browser prefers, else English.
 * @returns {Lang}
 */
export function preferredLang() {
  /** @type {string | null} */
  let picked = null;
  try {
    picked = localStorage.getItem(LANG_KEY);
  } catch {
    // Storage can be disabled; the browser's languages decide.
  }
  const candidates = [picked || "", ...(navigator.languages || []), navigator.language || ""];
  const found = candidates.map((l) => l.slice(0, 2).toLowerCase()).find((l) => l === "ko" || l === "en");
  return found === "ko" ? "ko" : "en";
}

/** Remembers the language a reader picked. @param {string} lang */
export function rememberLang(lang) {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Storage can be disabled; the page works without it.
  }
}

/**
 * Reads the words of `lang`; keys stand in for words when they cannot be read.
 * @param {Lang} lang
 * @param {string} [root] where the site is (`/`), ending in `/`
 */
export async function loadStrings(lang, root = "/") {
  try {
    Object.assign(strings, await (await fetch(`${root}i18n/${lang}.json`)).json());
  } catch {
    // Keys instead of words; the page still works.
  }
}

/**
 * The words of `key`, with `{name}` filled from `vars` (as text: a `$` in a value stays a `$`).
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars) {
  let text = strings[key] || key;
  for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, () => String(value));
  return text;
}

/**
 * A wire code's words in this language (`category.billing_payment` → "결제·정산"), else the code.
 * @param {string} kind
 * @param {string} code
 */
export const label = (kind, code) => (strings[`${kind}.${code}`] ? t(`${kind}.${code}`) : code);

/**
 * Puts the words into what `scope` marks: `data-t` (text), `data-t-label` (aria-label),
 * `data-t-title` (title), `data-t-placeholder` (placeholder).
 * @param {ParentNode} [scope]
 */
export function applyStrings(scope = document) {
  for (const node of scope.querySelectorAll("[data-t]")) node.textContent = t(/** @type {HTMLElement} */ (node).dataset.t || "");
  for (const node of scope.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(/** @type {HTMLElement} */ (node).dataset.tLabel || ""));
  for (const node of scope.querySelectorAll("[data-t-title]")) node.setAttribute("title", t(/** @type {HTMLElement} */ (node).dataset.tTitle || ""));
  for (const node of scope.querySelectorAll("[data-t-placeholder]")) node.setAttribute("placeholder", t(/** @type {HTMLElement} */ (node).dataset.tPlaceholder || ""));
}
