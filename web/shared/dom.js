// @ts-check
// Elements made from text (never HTML), so nothing a customer or operator wrote becomes markup.

/** The first element `selector` matches (the pages' own markup: it is there). @param {string} selector */
export const $ = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));

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
