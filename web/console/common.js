// @ts-check
// What the console's pages share: the reader's language and its words, and elements made from
// text (never HTML), so nothing a customer or operator wrote becomes markup.

export const lang = (localStorage.getItem("baton.lang") || navigator.language || "en").slice(0, 2) === "ko" ? "ko" : "en";
document.documentElement.lang = lang;

/** The words of `lang`, filled by `loadStrings`. @type {Record<string, string>} */
export const strings = {};

/** Reads the words of `lang`; keys stand in for words when they cannot be read. */
export async function loadStrings() {
  try {
    Object.assign(strings, await (await fetch(`/i18n/${lang}.json`)).json());
  } catch {
    // Keys instead of words; the page still works.
  }
}

/** @param {string} key @param {Record<string, string | number>} [vars] */
export function t(key, vars) {
  let text = strings[key] || key;
  for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, String(value));
  return text;
}

/** A wire code's words in this language (`category.billing_payment` → "결제·정산"), else the code. @param {string} kind @param {string} code */
export const label = (kind, code) => (strings[`${kind}.${code}`] ? t(`${kind}.${code}`) : code);

export const $ = (/** @type {string} */ s) => /** @type {HTMLElement} */ (document.querySelector(s));

/**
 * An element with text (never HTML) and attributes.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string | null | undefined)[]} [children]
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}
