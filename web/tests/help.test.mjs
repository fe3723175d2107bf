// The help center as customers use it.

import { PHONE, assert, axe, hasJamo, imeType, newPage } from "./lib.mjs";

/** @typedef {{server: {url: string}, browser: import('playwright-core').Browser, shot: Function}} Ctx */

export const tests = [
  [
    "the language chooser sends a Korean browser to the Korean home, and the switch is remembered",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const { page, done } = await newPage(browser, { locale: "ko-KR" });
      await page.goto(`${server.url}/`);
      await page.waitForURL(/\/ko\/index\.html$/);
      await shot(page, "ko-home");
      await page.click("nav.langs a[data-lang-switch=en]");
      await page.waitForURL(/\/en\/index\.html$/);
      await page.goto(`${server.url}/`);
      await page.waitForURL(/\/en\/index\.html$/);
      await shot(page, "en-home");
      await done();
    },
  ],
  [
    "Korean typed through the IME searches composed words only, with highlighted snippets",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const { page, done } = await newPage(browser);
      /** @type {string[]} */
      const queries = [];
      page.on("request", (r) => {
        const url = new URL(r.url());
        if (url.pathname === "/api/search") queries.push(url.searchParams.get("q") || "");
      });
      await page.goto(`${server.url}/ko/index.html`);
      await page.focus("#home-q");
      await imeType(page, "환불 수수료");
      await page.waitForSelector("[data-search-results] li a");
      const first = await page.locator("[data-search-results] li a").first();
      const href = await first.getAttribute("href");
      assert(!!href && href.includes("/ko/"), `a Korean guide first: ${href}`);
      assert(queries.length > 0, "searched");
      assert(queries.every((q) => !hasJamo(q)), `no half-composed jamo ever searched: ${JSON.stringify(queries)}`);
      assert(queries[queries.length - 1] === "환불 수수료", `the last search is the whole phrase: ${JSON.stringify(queries)}`);
      assert((await page.locator("[data-search-results] mark").count()) > 0, "snippets highlight the matched words");
      await shot(page, "ko-results");
      await done();
    },
  ],
  [
    "English search as you type, the Ctrl+K dialog, and an article with its table of contents",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const { page, done } = await newPage(browser, { locale: "en-US" });
      await page.goto(`${server.url}/en/index.html`);
      await page.keyboard.press("Control+K");
      await page.waitForSelector("dialog[open] #dialog-q");
      await page.keyboard.type("refund fee", { delay: 30 });
      await page.waitForSelector("dialog[open] [data-search-results] li a");
      await shot(page, "dialog");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.waitForURL((url) => !url.pathname.endsWith("/index.html"));
      await page.waitForSelector("article.article");
      assert((await page.locator("nav.toc a").count()) > 0, "a table of contents");
      assert((await page.locator(".prose h2[id]").count()) > 0, "headings carry anchors");
      assert((await page.locator("link[rel=canonical]").count()) === 1, "a canonical URL");
      assert((await page.locator("nav.crumbs li").count()) >= 2, "breadcrumbs");
      await shot(page, "article");
      await done();
    },
  ],
  [
    "a search with no results says so and offers browsing and the chat",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const { page, done } = await newPage(browser, { locale: "en-US" });
      await page.goto(`${server.url}/en/index.html`);
      await page.fill("#home-q", "qqqzzzxv");
      await page.waitForSelector("[data-no-results]:not([hidden])");
      const text = await page.textContent("[data-no-results]");
      assert(!!text && text.includes("qqqzzzxv"), `names the query: ${text}`);
      await shot(page, "no-results");
      // Left standing, the miss is reported (and recorded: the desk finds nothing either).
      const miss = await page.waitForRequest((r) => r.url().endsWith("/api/feedback/search"), { timeout: 5000 });
      assert(JSON.parse(miss.postData() || "{}").q === "qqqzzzxv", "the miss names the words");
      assert((await miss.response())?.status() === 204, "the miss is recorded");
      await done();
    },
  ],
  [
    "what a reader types is shown as text, never as HTML",
    async (/** @type {Ctx} */ { server, browser }) => {
      const { page, done } = await newPage(browser, { locale: "en-US" });
      let dialogs = 0;
      page.on("dialog", (d) => {
        dialogs += 1;
        d.dismiss();
      });
      await page.goto(`${server.url}/en/index.html`);
      await page.fill("#home-q", "<img src=x onerror=alert(1)>");
      await page.waitForSelector("[data-no-results]:not([hidden]), [data-search-results] li");
      assert((await page.locator("main img[src=x]").count()) === 0, "no element made from the query");
      assert(dialogs === 0, "no script ran");
      await done();
    },
  ],
  [
    "every help center page passes axe (no serious or critical violation), on a phone too",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      for (const [viewport, label] of [[undefined, "desktop"], [PHONE, "phone"]]) {
        const { page, done } = await newPage(browser, { viewport, locale: "ko-KR" });
        for (const path of ["/ko/index.html", "/en/index.html", "/ko/areas/payments.html", "/ko/payments/refund.html", "/en/payments/refund.html", "/nope.html"]) {
          await page.goto(`${server.url}${path}`);
          await axe(page, `${path} (${label})`);
          if (label === "phone") {
            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            assert(width <= PHONE.width, `${path} fits a 360 px phone (scroll width ${width})`);
            await shot(page, `phone-${path.replace(/\W+/g, "-")}`);
          }
        }
        await done();
      }
    },
  ],
];
