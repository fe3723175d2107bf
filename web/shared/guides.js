// @ts-check
// Where a guide is published: `{root}{id}.html`, with `#anchor` for one of its headings (the
// anchors search results carry, the same ids the rendered headings have).

/**
 * A guide's address.
 * @param {string} id the guide's id (`ko/payments/refund`)
 * @param {string} [anchor] a heading's anchor in it
 * @param {{root?: string, readable?: boolean}} [options]
 *   `root`: where the help center is, ending in `/` (`/` by default; `${location.origin}/` for an
 *   address someone will read elsewhere). `readable`: the anchor as written (browsers take
 *   Unicode fragments) so a customer can read it in a message, rather than percent-encoded.
 */
export function guideUrl(id, anchor, { root = "/", readable = false } = {}) {
  const fragment = anchor ? `#${readable ? anchor.replace(/\s/g, "-") : encodeURIComponent(anchor)}` : "";
  return `${root}${id}.html${fragment}`;
}
