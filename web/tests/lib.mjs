// Helpers the browser tests share: pages that fail on any console error or CSP violation,
// Korean typed through Chromium's IME emulation, and axe-core.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The operators `baton serve` is started with. */
export const MINJI = "tok-minji-0123456789abcdef";
export const JUNHO = "tok-junho-0123456789abcdef";
/** The identity secret the test desk shares with its "host site" (BATON_IDENTITY_SECRETS). */
export const SITE_SECRET = "browser-test-site-identity-secret-0123456789";

/**
 * An identity token as a host site signs one (HS256, docs/identity.md).
 * @param {string} customer @param {Record<string, string>} [extra] more claims (`org`, `org_role`, `name`)
 */
export async function identityToken(customer, extra = {}) {
  const { createHmac } = await import("node:crypto");
  const part = (/** @type {object} */ value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: customer, aud: "baton", exp: Math.floor(Date.now() / 1000) + 600, name: "김민지", ...extra })}`;
  return `${body}.${createHmac("sha256", SITE_SECRET).update(body).digest("base64url")}`;
}

export const PHONE = { width: 360, height: 740 };

/** @param {boolean} ok @param {string} message */
export function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/** Refused requests (status 400 and up) of every page since the last `takeRefusals()`: the
 * runner prints them when a test fails, as the pages themselves only show "failed". */
const refusals = /** @type {string[]} */ ([]);

/** The refused requests seen since the last call, then forgets them. */
export function takeRefusals() {
  return refusals.splice(0);
}

/**
 * A page in a fresh context. Console errors, uncaught exceptions and CSP violations are
 * collected; `page.problems()` lists them and `done()` fails the test if there are any.
 * @param {import('playwright-core').Browser} browser
 * @param {{viewport?: {width: number, height: number}, locale?: string, bypassCSP?: boolean}} [options]
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    viewport: options.viewport || { width: 1280, height: 860 },
    locale: options.locale || "ko-KR",
    bypassCSP: options.bypassCSP || false,
  });
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  const watch = (/** @type {import('playwright-core').Page} */ p) => {
    p.on("console", (m) => {
      if (m.type() === "error" && !/Failed to load resource: the server responded with a status of 404/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    p.on("response", async (r) => {
      if (r.status() < 400) return;
      const body = await r.text().catch(() => "");
      refusals.push(`${r.status()} ${r.request().method()} ${r.url()} ${body.slice(0, 300)}`);
    });
    p.on("requestfailed", (r) => refusals.push(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  };
  watch(page);
  return {
    page,
    context,
    problems,
    async done() {
      await context.close();
      assert(problems.length === 0, `the page reported problems:\n${problems.join("\n")}`);
    },
  };
}

/**
 * Types Korean as an IME does: each syllable composed jamo by jamo (compositionstart/update with
 * ㅎ, 하, 환 …), then committed (compositionend). Other characters are inserted directly.
 * @param {import('playwright-core').Page} page
 * @param {string} text
 */
export async function imeType(page, text) {
  const cdp = await page.context().newCDPSession(page);
  for (const ch of text) {
    const steps = compositionSteps(ch);
    if (!steps) {
      await cdp.send("Input.insertText", { text: ch });
      continue;
    }
    for (const step of steps) {
      await cdp.send("Input.imeSetComposition", { text: step, selectionStart: step.length, selectionEnd: step.length });
      await page.waitForTimeout(40);
    }
    await cdp.send("Input.insertText", { text: ch });
    await page.waitForTimeout(40);
  }
  await cdp.detach();
}

const LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";

/** The intermediate forms an IME shows while composing a Hangul syllable, or null. @param {string} ch */
export function compositionSteps(ch) {
  const code = ch.codePointAt(0) || 0;
  if (code < 0xac00 || code > 0xd7a3) return null;
  const index = code - 0xac00;
  const lead = Math.floor(index / 588);
  const vowel = Math.floor((index % 588) / 28);
  const tail = index % 28;
  const steps = [LEADS[lead], String.fromCodePoint(0xac00 + lead * 588 + vowel * 28)];
  if (tail) steps.push(ch);
  return steps;
}

/** Whether text holds half-composed jamo (Hangul compatibility jamo). @param {string} text */
export function hasJamo(text) {
  return /[\u3131-\u318e]/.test(text);
}

/**
 * Runs axe-core on the page (injected through the DevTools protocol, so the page's CSP stays
 * as it is) and fails on any serious or critical violation.
 * @param {import('playwright-core').Page | import('playwright-core').Frame} target
 * @param {string} what
 */
export async function axe(target, what) {
  await target.evaluate(axeSource);
  const result = await target.evaluate(async () => {
    // @ts-ignore
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((/** @type {any} */ v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((/** @type {any} */ n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(bad.length === 0, `axe on ${what}: ${JSON.stringify(bad, null, 2)}`);
  return result;
}

/**
 * The widget's frame (inside the loader's closed shadow root, so found by its URL).
 * @param {import('playwright-core').Page} page
 */
export async function chatFrame(page) {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f.url().includes("/widget/frame.html"));
    if (frame) return frame;
    await page.waitForTimeout(100);
  }
  throw new Error("the widget frame never appeared");
}

/**
 * Sends `raw` to Baton's SMTP listener on `port` in one real SMTP session (EHLO, MAIL, RCPT,
 * DATA with dot-stuffing, QUIT); resolves to the server's answer to the message.
 * @param {number} port @param {string} from @param {string} to @param {string} raw
 * @returns {Promise<string>}
 */
export async function sendMail(port, from, to, raw) {
  const net = await import("node:net");
  const socket = net.createConnection({ host: "127.0.0.1", port });
  socket.setEncoding("utf8");
  let buffer = "";
  /** @type {((line: string) => void)[]} */
  const waiting = [];
  socket.on("data", (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      // A multi-line reply ("250-…") ends at its "250 " line.
      if (/^\d{3} /.test(line)) waiting.shift()?.(line);
    }
  });
  const reply = () => new Promise((resolve) => waiting.push(resolve));
  const say = async (/** @type {string} */ text) => {
    const answer = reply();
    socket.write(`${text}\r\n`);
    return answer;
  };
  await reply();
  await say("EHLO browser-tests");
  await say(`MAIL FROM:<${from}>`);
  const rcpt = await say(`RCPT TO:<${to}>`);
  assert(String(rcpt).startsWith("250"), `RCPT: ${rcpt}`);
  await say("DATA");
  const body = raw.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  const answer = await say(`${body}\r\n.`);
  await say("QUIT");
  socket.end();
  return String(answer);
}

/**
 * A mail server for every customer at once: `baton serve` relays through it
 * (`BATON_SMTP_RELAY`), and it keeps each mail's recipients and decoded text for the tests.
 * @returns {Promise<{port: number, mails: {to: string[], subject: string, text: string}[], close: () => void}>}
 */
export async function mailSink() {
  const net = await import("node:net");
  /** @type {{to: string[], subject: string, text: string}[]} */
  const mails = [];
  const server = net.createServer((socket) => {
    socket.setEncoding("utf8");
    let buffer = "";
    let data = false;
    /** @type {string[]} */
    let to = [];
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk;
      for (;;) {
        if (data) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          const raw = buffer.slice(0, end).replace(/^\.\./gm, ".");
          buffer = buffer.slice(end + 5);
          data = false;
          mails.push({ to, ...readMail(raw) });
          to = [];
          socket.write("250 2.0.0 kept\r\n");
          continue;
        }
        const end = buffer.indexOf("\r\n");
        if (end < 0) return;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 sink\r\n");
        else if (verb === "RCPT") {
          to.push((line.match(/<([^>]*)>/) || ["", ""])[1].toLowerCase());
          socket.write("250 2.1.5 ok\r\n");
        } else if (verb === "DATA") {
          data = true;
          socket.write("354 go\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 bye\r\n");
          return;
        } else socket.write("250 ok\r\n");
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(null)));
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, mails, close: () => server.close() };
}

/**
 * A single-part text mail's subject and text, its transfer encoding undone.
 * @param {string} raw
 */
function readMail(raw) {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  let body = raw.slice(split + 4);
  const header = (/** @type {string} */ name) => (head.match(new RegExp(`^${name}:\\s*(.*)$`, "im")) || ["", ""])[1].trim();
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  if (encoding === "base64") body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  else if (encoding === "quoted-printable") {
    const bytes = body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    body = Buffer.from(bytes, "latin1").toString("utf8");
  }
  const subject = header("Subject").replace(/=\?utf-8\?b\?([^?]*)\?=/gi, (_, b64) => Buffer.from(b64, "base64").toString("utf8")).replace(/\?=\s+=\?/g, "");
  return { subject, text: body.replace(/\r\n/g, "\n") };
}
