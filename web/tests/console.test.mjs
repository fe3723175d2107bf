// The operator console as operators use it.

import path from "node:path";
import { fileURLToPath } from "node:url";

import { JUNHO, MINJI, PHONE, assert, axe, chatFrame, newPage, sendMail } from "./lib.mjs";

const SCREENSHOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/screenshot-with-metadata.png");

/** @typedef {{server: {url: string, smtp: number}, browser: import('playwright-core').Browser, shot: Function}} Ctx */

/**
 * A customer who asks, is answered by the bot, then asks for a person.
 * @param {string} url @param {string} text
 * @param {Record<string, string>} [metadata] what the customer's page sends with the conversation
 */
async function handOff(url, text, metadata = { page_url: "https://shop.example/checkout" }) {
  const post = async (/** @type {string} */ path, /** @type {unknown} */ body, /** @type {string} */ [secret] = []) => {
    const response = await fetch(`${url}/api${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
      body: JSON.stringify(body),
    });
    assert(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
    return response.json();
  };
  const started = await post("/conversations", { channel: "web", locale: "ko", metadata });
  const auth = [started.secret];
  await post(`/conversations/${started.conversation.id}/messages`, { text }, auth);
  await post(`/conversations/${started.conversation.id}/handoff`, {}, auth);
  return { id: started.conversation.id, secret: started.secret };
}

/** Eight random letters (digits could be masked as an account number). */
const letters = () => Array.from({ length: 8 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");

/** This ISO week, as the report names it (`2026-W07`). */
function thisWeek() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  return `${d.getUTCFullYear()}-W${String(Math.ceil(((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000 + 1) / 7)).padStart(2, "0")}`;
}

/** How many customer searches this week's report counts. @param {string} url */
async function searchesThisWeek(url) {
  const response = await fetch(`${url}/api/operator/insights?week=${thisWeek()}`, { headers: { authorization: `Bearer ${MINJI}` } });
  assert(response.ok, `insights: ${response.status}`);
  return (await response.json()).searches.count;
}

/** @param {import('playwright-core').Browser} browser @param {string} url @param {string} token @param {object} [options] */
async function signedIn(browser, url, token, options = {}) {
  const session = await newPage(browser, { locale: "ko-KR", ...options });
  await session.page.goto(`${url}/console/`);
  await session.page.fill("#token", token);
  await session.page.click("[data-sign-in] button[type=submit]");
  await session.page.waitForSelector("[data-desk]:not([hidden])");
  return session;
}

export const tests = [
  [
    "a mail's case shows its channel, the thread and the whole mail; the reply leaves as a mail",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const word = letters();
      const raw = [
        "From: =?UTF-8?B?67CV7KeA7ZuI?= <jihoon.park@hanbit.co.kr>",
        "To: support@baton.example",
        "Subject: =?UTF-8?B?7KCV7IKwIOq4iOyVoSDrrLjsnZg=?=",
        `Message-ID: <${word}@hanbit.co.kr>`,
        "Content-Type: text/plain; charset=utf-8",
        "",
        `정산 금액이 지난달보다 적게 들어왔어요. 상담원과 이야기하고 싶어요. ${word}`,
        "",
        "-----Original Message-----",
        "보낸 사람: 경리팀 <account@hanbit.co.kr>",
        "제목: 11월 정산 내역",
        "",
        "11월 정산 내역 첨부합니다.",
      ].join("\r\n");
      const answer = await sendMail(server.smtp, "jihoon.park@hanbit.co.kr", "support@baton.example", raw);
      assert(answer.startsWith("250"), `the listener took it: ${answer}`);
      const { page, done } = await signedIn(browser, server.url, MINJI);
      const row = page.locator("[data-case-id]", { hasText: word });
      await row.waitFor();
      assert((await row.locator("[data-channel=mail]").count()) === 1, "the queue marks it as mail");
      await row.click();
      const facts = page.locator("[data-case-facts]");
      await facts.getByText("jihoon.park@hanbit.co.kr").waitFor();
      await facts.getByText("정산 금액 문의").first().waitFor();
      const transcript = page.locator(".transcript");
      assert(!(await transcript.innerText()).includes("11월 정산 내역 첨부"), "the quoted history is not the message");
      await page.getByText("메일 원문 보기").click();
      await transcript.getByText("11월 정산 내역 첨부합니다.").waitFor();
      await page.fill("[data-reply]", "수수료율이 바뀌었어요. 자세히 안내드릴게요.");
      await page.click("[data-action=reply]");
      await page.locator(".transcript li.operator [data-delivery]").waitFor();
      // The bot's words are the acknowledgement that went by mail (sending, or sent through the
      // test's mail sink).
      const bot = page.locator(".transcript li.bot");
      await bot.getByText("담당자가 확인하고").waitFor();
      assert((await bot.locator("[data-delivery]").count()) === 1, "the acknowledgement is a mail too");
      await shot(page, "mail-case");
      await done();
    },
  ],
  [
    "an unproved mail says so; the operator maps the address; the next proved mail is that customer's, with the earlier case",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const word = letters();
      const address = `${word}@corp.example`;
      /** @param {string} results @param {string} subject */
      const mail = (results, subject) =>
        [
          ...(results ? [`Authentication-Results: ${results}`] : []),
          `From: Kim Jisu <${address}>`,
          "To: support@baton.example",
          `Subject: ${subject}`,
          `Message-ID: <${subject}-${word}@corp.example>`,
          "Content-Type: text/plain; charset=utf-8",
          "",
          `세금계산서 발행 건으로 상담원 연결 부탁드려요. ${subject}`,
        ].join("\r\n");
      const proved = "mx.baton.example; dkim=pass header.d=corp.example; dmarc=pass header.from=corp.example";
      assert((await sendMail(server.smtp, address, "support@baton.example", mail("", `first${word}`))).startsWith("250"), "taken");
      assert((await sendMail(server.smtp, address, "support@baton.example", mail(proved, `second${word}`))).startsWith("250"), "taken");
      const { page, done } = await signedIn(browser, server.url, MINJI);
      // The unproved one: marked, and mapping its address does not make it the customer's.
      await page.locator("[data-case-id]", { hasText: `first${word}` }).click();
      const customerMail = page.locator(".transcript li.customer");
      await customerMail.locator("[data-verdict=unverified]", { hasText: "발신자 미확인" }).waitFor();
      await page.locator("[data-contact]", { hasText: "연결되지 않았어요" }).waitFor();
      await page.fill("[data-contact-id]", "cust-corp-42");
      await page.click("[data-action=link-contact]");
      await page.locator("[data-contact-flash]", { hasText: "미인증으로 남아요" }).waitFor();
      await page.locator("[data-contact]", { hasText: "cust-corp-42" }).waitFor();
      await shot(page, "console-mail-contact-unproved");
      // The proved one (it came before the mapping): mapping it now makes it the customer's.
      await page.locator("[data-case-id]", { hasText: `second${word}` }).click();
      await customerMail.filter({ hasText: `second${word}` }).waitFor();
      assert((await page.locator(".transcript li.customer [data-verdict]").count()) === 0, "a proved sender carries no warning");
      await page.click("[data-action=link-contact]");
      await page.locator("[data-contact-flash]", { hasText: "이제 고객 cust-corp-42의 것" }).waitFor();
      await page.locator("[data-case-facts]", { hasText: "(인증됨)" }).waitFor();
      await page.click("[data-action=resolve]");
      await page.locator("[data-action=reopen]").waitFor();
      // The next proved mail is cust-corp-42's from the start, with the earlier case beside it.
      assert((await sendMail(server.smtp, address, "support@baton.example", mail(proved, `third${word}`))).startsWith("250"), "taken");
      await page.reload();
      await page.locator("[data-case-id]", { hasText: `third${word}` }).click();
      await page.locator("[data-case-facts]", { hasText: "(인증됨)" }).waitFor();
      await page.locator("[data-case]", { hasText: `second${word}` }).waitFor();
      await shot(page, "console-mail-contact-history");
      await done();
    },
  ],
  [
    "live case: screenshot to the console, who joined, typing, reply, operators see each other",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const customer = await newPage(browser, { locale: "ko-KR" });
      await customer.page.goto(`${server.url}/ko/index.html`);
      await customer.page.waitForFunction(() => /** @type {any} */ (window).BatonWidget);
      await customer.page.evaluate(() => /** @type {any} */ (window).BatonWidget.open());
      const frame = await chatFrame(customer.page);
      await frame.locator(".msg").first().waitFor();
      const tag = Array.from({ length: 8 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");
      await frame.locator("[data-input]").fill(`카드 결제 취소하면 환불은 언제 돼요? ${tag}`);
      await frame.locator("[data-input]").press("Enter");
      await frame.getByRole("button", { name: "상담원 연결" }).click();
      await frame.locator("[data-status]", { hasText: "상담원" }).waitFor();
      await frame.locator("[data-attach]").setInputFiles(SCREENSHOT);
      await frame.locator(".msg.customer img[src^='blob:']").waitFor();
      await shot(customer.page, "widget-screenshot-sent");

      const minji = await signedIn(browser, server.url, MINJI);
      const junho = await signedIn(browser, server.url, JUNHO);
      await minji.page.locator("[data-cases] button", { hasText: tag }).click();
      await minji.page.locator(".transcript .attachment img[src^='blob:']").waitFor();
      await minji.page.click("[data-action=claim]");
      await minji.page.waitForSelector("[data-action=release]");
      await frame.locator("[data-status]", { hasText: "minji" }).waitFor({ timeout: 10000 });
      await junho.page.locator("[data-cases] button", { hasText: tag }).click();
      await junho.page.locator("[data-presence]", { hasText: "minji" }).waitFor({ timeout: 15000 });
      await minji.page.locator("[data-reply]").pressSequentially("스크린샷 확인했어요. ", { delay: 30 });
      await frame.locator("[data-typing]:not([hidden])").waitFor({ timeout: 10000 });
      await shot(customer.page, "widget-operator-typing");
      await junho.page.locator("[data-presence]", { hasText: "minji" }).waitFor();
      await minji.page.locator("[data-presence]", { hasText: "junho" }).waitFor({ timeout: 15000 });
      await shot(minji.page, "console-screenshot-and-presence");
      await minji.page.locator("[data-reply]").pressSequentially("카드사 점검 중이라 10분 뒤 다시 시도해 주세요. ");
      // A saved reply and a guide link go in at the cursor.
      await minji.page.selectOption("[data-saved-reply]", { label: "마무리" });
      await minji.page.fill("[data-guide-search]", "환불");
      await minji.page.locator("[data-guide-results] button").first().click();
      const drafted = await minji.page.inputValue("[data-reply]");
      assert(drafted.includes("언제든 다시 말씀해 주세요") && /\/ko\/[^ ]+\.html/.test(drafted), `saved reply and guide link inserted: ${drafted}`);
      await shot(minji.page, "console-saved-reply-and-guide-link");
      await minji.page.click("[data-action=reply]");
      await frame.locator(".msg.operator", { hasText: "카드사 점검" }).waitFor({ timeout: 10000 });
      await frame.locator("[data-typing][hidden]").waitFor({ state: "attached", timeout: 10000 });
      const guide = await frame.locator(".msg.operator span a").first().getAttribute("href");
      assert(!!guide && guide.startsWith(`${server.url}/ko/`), `the guide link is a link: ${guide}`);
      await shot(customer.page, "widget-operator-reply");
      // Resolved: the customer rates it in one tap, and the console shows the rating.
      await minji.page.click("[data-action=resolve]");
      await frame.locator("[data-rating]").waitFor({ timeout: 10000 });
      await frame.getByRole("button", { name: "5점 중 5점" }).click();
      await frame.locator("[data-rating] textarea").fill("빠르게 도와주셨어요");
      await frame.getByRole("button", { name: "평가 보내기" }).click();
      await frame.locator("[data-rating]", { hasText: "감사합니다" }).waitFor();
      await shot(customer.page, "widget-rated");
      await minji.page.locator("dd", { hasText: "★★★★★" }).waitFor({ timeout: 10000 });
      await minji.page.click("[data-action=reopen]");
      await minji.page.waitForSelector("[data-action=release]");
      await customer.done();
      await minji.done();
      await junho.done();
    },
  ],
  [
    "a handed-off case appears live; a second operator sees who holds it; claim and reply reach the customer",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const minji = await signedIn(browser, server.url, MINJI);
      const junho = await signedIn(browser, server.url, JUNHO);
      // Letters only: digits could be masked as an account number.
      const tag = Array.from({ length: 8 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");
      const marker = `송금했는데 입금이 안 됐어요 ${tag}`;
      const customer = await handOff(server.url, marker);
      // Live: no reload, the poll brings it.
      const item = minji.page.locator("[data-cases] button", { hasText: marker });
      await item.waitFor({ timeout: 15000 });
      await shot(minji.page, "queue");
      await item.click();
      await minji.page.waitForSelector(".transcript li");
      assert((await minji.page.locator(".transcript li", { hasText: marker }).count()) === 1, "the transcript is there");
      assert((await minji.page.locator(".attempt").count()) > 0, "what the bot tried is there");
      await minji.page.click("[data-action=claim]");
      await minji.page.waitForSelector("[data-action=release]");
      await junho.page.locator("[data-cases] button", { hasText: "minji" }).first().waitFor({ timeout: 15000 });
      await shot(junho.page, "second-operator-sees-holder");
      await minji.page.fill("[data-reply]", "확인해 보니 은행 점검 시간이라 10분 뒤 입금됩니다.");
      await minji.page.click("[data-action=reply]");
      await minji.page.locator(".transcript li.operator").waitFor();
      await shot(minji.page, "replied");
      const transcript = await (await fetch(`${server.url}/api/conversations/${customer.id}`, { headers: { authorization: `Bearer ${customer.secret}` } })).json();
      assert(JSON.stringify(transcript).includes("은행 점검 시간"), "the customer's conversation has the reply");
      // A reply to a case someone else holds is refused with their name.
      await junho.page.locator("[data-cases] button", { hasText: marker }).click();
      await junho.page.waitForSelector(".transcript li");
      await junho.page.fill("[data-reply]", "제가 볼게요");
      await junho.page.click("[data-action=reply]");
      await junho.page.locator("[data-case-status]", { hasText: "minji" }).waitFor();
      assert((await junho.page.inputValue("[data-reply]")) === "제가 볼게요", "a refused reply keeps its text");
      await shot(junho.page, "refused-with-holder");
      // That refusal is the 409 the browser logs; nothing else may be.
      const expected = junho.problems.findIndex((p) => p.includes("status of 409"));
      assert(expected >= 0, "the refused reply was a 409");
      junho.problems.splice(expected, 1);
      await minji.done();
      await junho.done();
    },
  ],
  [
    "in AWS the console signs in through Cognito's hosted UI with PKCE (the hosted UI stood in by request routing)",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const { createHash } = await import("node:crypto");
      const session = await newPage(browser, { locale: "ko-KR" });
      const { page } = session;
      const domain = "https://baton-0123456789ab.auth.ap-northeast-2.amazoncognito.com";
      const callback = `${server.url}/console/`;
      await page.route(`${server.url}/console/config.json`, (route) => route.fulfill({ json: { sign_in: "cognito", domain, client_id: "console-client" } }));
      /** @type {Record<string, string>} */
      let asked = {};
      let exchanged = false;
      await page.route(`${domain}/**`, async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === "/oauth2/authorize") {
          asked = Object.fromEntries(url.searchParams);
          return route.fulfill({ status: 302, headers: { location: `${asked.redirect_uri}?code=one-time-code&state=${encodeURIComponent(asked.state)}` } });
        }
        if (url.pathname === "/oauth2/token") {
          const cors = { "access-control-allow-origin": server.url };
          if (route.request().method() === "OPTIONS") return route.fulfill({ status: 204, headers: { ...cors, "access-control-allow-headers": "content-type", "access-control-allow-methods": "POST" } });
          const form = new URLSearchParams(route.request().postData() || "");
          const challenge = createHash("sha256").update(form.get("code_verifier") || "").digest("base64url");
          const ok = form.get("grant_type") === "authorization_code" && form.get("code") === "one-time-code" && form.get("client_id") === "console-client" && form.get("redirect_uri") === callback && challenge === asked.code_challenge;
          exchanged = ok;
          // The stand-in's ID token is an operator token baton serve knows: API Gateway's JWT check is not here.
          return route.fulfill(ok ? { headers: cors, json: { id_token: MINJI, access_token: "unused", token_type: "Bearer", expires_in: 3600 } } : { status: 400, headers: cors, json: { error: "invalid_grant" } });
        }
        return route.fulfill({ status: 404 });
      });
      await page.goto(`${server.url}/console/`);
      await page.getByRole("button", { name: "팀 계정으로 로그인" }).waitFor();
      assert(await page.locator("#token").isHidden(), "no token box with Cognito");
      await shot(page, "cognito-sign-in");
      await page.getByRole("button", { name: "팀 계정으로 로그인" }).click();
      await page.waitForSelector("[data-desk]:not([hidden])");
      assert(asked.response_type === "code" && asked.code_challenge_method === "S256" && asked.redirect_uri === callback && asked.client_id === "console-client", `the authorize request: ${JSON.stringify(asked)}`);
      assert(exchanged, "the code was traded with its PKCE verifier");
      assert((await page.textContent("[data-me]")) === "minji", "signed in as minji");
      assert(!page.url().includes("code="), `the code leaves the address bar: ${page.url()}`);
      // A redirect this tab did not start is refused, and nothing is traded.
      exchanged = false;
      await page.evaluate(() => sessionStorage.clear());
      await page.goto(`${server.url}/console/?code=stolen&state=not-mine`);
      await page.waitForSelector("[data-sign-in]:not([hidden])");
      await page.locator("[data-sign-in-error]:not(:empty)").waitFor();
      assert(!exchanged, "no token request for a foreign redirect");
      await session.done();
    },
  ],
  [
    "the console's guide search is sent with typing=true, so an operator's keystrokes are not customers' searches in the report",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const tag = letters();
      await handOff(server.url, `송금했는데 입금이 안 됐어요 ${tag}`);
      const session = await signedIn(browser, server.url, MINJI);
      const { page } = session;
      /** @type {URL[]} */
      const searches = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.pathname === "/api/search") searches.push(url);
      });
      const before = await searchesThisWeek(server.url);
      await page.locator("[data-cases] button", { hasText: tag }).click();
      await page.waitForSelector(".transcript li");
      // Typed slowly enough that each pause outlasts the debounce: several requests.
      await page.locator("[data-guide-search]").pressSequentially("결제 취소 환불", { delay: 260 });
      await page.locator("[data-guide-results] button").first().waitFor();
      await shot(page, "guide-search");
      assert(searches.length >= 2, `the console searched as the operator typed: ${searches.map(String)}`);
      for (const url of searches) {
        assert(url.searchParams.get("typing") === "true", `a console search without typing=true: ${url}`);
        assert(url.searchParams.get("lang") === "ko" && url.searchParams.get("limit") === "5", `the case's language, five guides: ${url}`);
      }
      assert((await searchesThisWeek(server.url)) === before, "the operator's searches are not in the weekly report");
      // The same count does move for a customer's (settled) search: the check above can fail.
      assert((await fetch(`${server.url}/api/search?q=${encodeURIComponent(`환불 ${tag}`)}`)).ok, "a customer's search");
      assert((await searchesThisWeek(server.url)) === before + 1, "a customer's search is counted");
      await session.done();
    },
  ],
  [
    "metadata from the customer's page is shown apart and marked unverified, never as one of Baton's own rows",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const tag = letters();
      // A customer's page can send any keys: these try to pass for the console's own rows.
      const spoof = { customer: "Park Jiwoo (verified)", reason: "refund_approved_by_manager", page_url: `https://shop.example/orders/${tag}` };
      await handOff(server.url, `송금했는데 입금이 안 됐어요 ${tag}`, spoof);
      const session = await signedIn(browser, server.url, MINJI);
      const { page } = session;
      await page.locator("[data-cases] button", { hasText: tag }).click();
      const facts = page.locator("[data-case-facts]");
      const sent = page.locator("[data-customer-metadata]");
      await sent.waitFor();
      const rows = async (/** @type {import('playwright-core').Locator} */ list, /** @type {string} */ key) => list.locator(":scope > dt").filter({ hasText: new RegExp(`^${key}$`) }).count();
      assert((await rows(facts, "customer")) === 1, "Baton's list has one customer row");
      assert((await rows(facts, "reason")) === 1, "Baton's list has one reason row");
      assert((await rows(facts, "page_url")) === 0, "no page metadata among Baton's rows");
      const factsText = (await facts.textContent()) || "";
      assert(!factsText.includes("Park Jiwoo") && !factsText.includes("refund_approved_by_manager"), `nothing the page sent is in Baton's list: ${factsText}`);
      const customerRow = await facts.locator(":scope > dt:text-is('customer') + dd").textContent();
      assert(!!customerRow && customerRow.includes("(미인증)"), `the real customer row says unverified: ${customerRow}`);
      // What the page sent: in its own block, under its own heading, after Baton's list.
      assert((await sent.getByRole("heading").textContent()) === "고객 페이지에서 보낸 정보 (확인 안 됨)", "the block says whose it is");
      for (const [key, value] of Object.entries(spoof)) {
        assert((await rows(sent.locator("dl"), key)) === 1, `the page's ${key} is in the customer's block`);
        assert((await sent.locator(`dt:text-is('${key}') + dd`).textContent()) === value, `the page's ${key} reads as sent`);
        assert((await page.locator("dd", { hasText: value }).count()) === 1, `the page's ${key} appears once, only there`);
      }
      assert(await facts.evaluate((dl) => !!(dl.compareDocumentPosition(/** @type {Node} */ (document.querySelector("[data-customer-metadata]"))) & Node.DOCUMENT_POSITION_FOLLOWING)), "the customer's block comes after Baton's list");
      assert(await sent.evaluate((block) => !block.closest("dl") && !block.querySelector("[data-case-facts]")), "the block is neither in nor around Baton's list");
      const looks = await sent.evaluate((block) => {
        const key = /** @type {HTMLElement} */ (block.querySelector("dt"));
        const ownKey = /** @type {HTMLElement} */ (document.querySelector("[data-case-facts] > dt"));
        return { keyFont: getComputedStyle(key).fontFamily, ownKeyFont: getComputedStyle(ownKey).fontFamily, border: getComputedStyle(block).borderTopStyle };
      });
      assert(/monospace/.test(looks.keyFont) && !/monospace/.test(looks.ownKeyFont) && looks.border !== "none", `the block looks different: ${JSON.stringify(looks)}`);
      await axe(page, "console case with the customer's metadata");
      await sent.scrollIntoViewIfNeeded();
      await shot(page, "customer-metadata");
      await page.setViewportSize(PHONE);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width, `fits a 360 px phone (scroll width ${width})`);
      await shot(page, "customer-metadata-phone");
      await session.done();
      // In English too.
      const english = await signedIn(browser, server.url, MINJI, { locale: "en-US" });
      await english.page.locator("[data-cases] button", { hasText: tag }).click();
      await english.page.locator("[data-customer-metadata] h3", { hasText: "From the customer's page (unverified)" }).waitFor();
      await english.done();
    },
  ],
  [
    "a customer's markup shows as text in the console",
    async (/** @type {Ctx} */ { server, browser }) => {
      await handOff(server.url, "<img src=x onerror=alert(1)> 결제가 안 돼요");
      const session = await signedIn(browser, server.url, MINJI);
      let dialogs = 0;
      session.page.on("dialog", (d) => {
        dialogs += 1;
        d.dismiss();
      });
      const item = session.page.locator("[data-cases] button", { hasText: "<img src=x onerror=alert(1)>" });
      await item.waitFor({ timeout: 15000 });
      await item.click();
      await session.page.locator(".transcript li", { hasText: "<img src=x onerror=alert(1)>" }).waitFor();
      assert((await session.page.locator("main img").count()) === 0, "no element made from the message");
      assert(dialogs === 0, "no script ran");
      await session.done();
    },
  ],
  [
    "the console passes axe and works on a phone",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const session = await newPage(browser, { viewport: PHONE });
      await session.page.goto(`${server.url}/console/`);
      await session.page.waitForSelector("[data-sign-in]:not([hidden])");
      await axe(session.page, "console sign-in");
      await session.page.fill("#token", MINJI);
      await session.page.click("[data-sign-in] button[type=submit]");
      await session.page.waitForSelector("[data-cases] li");
      await session.page.locator("[data-cases] button").first().click();
      await session.page.waitForSelector(".transcript li");
      await axe(session.page, "console case");
      const width = await session.page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width, `the console fits a 360 px phone (scroll width ${width})`);
      await shot(session.page, "phone");
      await session.done();
    },
  ],
  [
    "insights: the week's report with its charts, unanswered searches among the guides to write, on desktop and phone",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      // This week: a hand-off, and a search for something no guide covers (twice, by two readers).
      const tag = Array.from({ length: 6 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");
      await handOff(server.url, `송금했는데 돈이 안 들어왔어요 ${tag}`);
      const words = `쿼즈릭 플로비 ${tag}`;
      for (let i = 0; i < 2; i++) {
        const response = await fetch(`${server.url}/api/search?q=${encodeURIComponent(words)}`);
        assert(response.ok, `search: ${response.status}`);
      }
      const now = new Date();
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
      const week = `${d.getUTCFullYear()}-W${String(Math.ceil(((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000 + 1) / 7)).padStart(2, "0")}`;

      const session = await signedIn(browser, server.url, MINJI);
      await session.page.click("a[href='insights.html']");
      await session.page.waitForURL(/insights\.html/);
      await session.page.goto(`${server.url}/console/insights.html?week=${week}`);
      await session.page.locator(".insights .headline").waitFor({ timeout: 20000 });
      const topic = session.page.locator(".topics li", { hasText: words });
      await topic.waitFor();
      assert((await topic.textContent() || "").includes("2"), "asked twice");
      const charts = await session.page.evaluate(() => Array.from(document.querySelectorAll("img.chart")).map((i) => /** @type {HTMLImageElement} */ (i).naturalWidth));
      assert(charts.length === 4 && charts.every((w) => w > 0), `four charts drawn: ${charts}`);
      await axe(session.page, "insights");
      await shot(session.page, "insights");
      await session.page.setViewportSize(PHONE);
      const width = await session.page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width, `the report fits a 360 px phone (scroll width ${width})`);
      await shot(session.page, "insights-phone");
      await session.page.click("[data-step='-1']");
      await session.page.locator(".insights .headline").waitFor();
      assert(!(await session.page.locator(".topics li", { hasText: words }).count()), "last week has none of this week's searches");
      await session.done();
    },
  ],
];
