// The inquiry board (문의하기) as customers use it: a guest leaves an inquiry with a screenshot,
// signs in on another device by the link mailed to them (caught by the test's mail sink), reads
// the answer and writes again; a used link opens nothing twice; a verified customer on a phone.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { MINJI, PHONE, assert, axe, identityToken, newPage } from "./lib.mjs";

/** @typedef {{server: {url: string, mails: {to: string[], subject: string, text: string}[]}, browser: import('playwright-core').Browser, shot: Function}} Ctx */

const here = path.dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = path.resolve(here, "../../tests/fixtures/screenshot-with-metadata.png");
/** The form refuses what is sent faster than a person types: wait as a person would. */
const TYPING_MS = 3200;

const word = () => Math.random().toString(36).slice(2, 8);

/**
 * An operator's call to the desk's API.
 * @param {string} url @param {string} path @param {unknown} [body]
 */
async function operator(url, path, body) {
  const response = await fetch(`${url}/api/operator${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${MINJI}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * The newest mail to `to` whose text matches `pattern` (waits up to 15 s).
 * @param {Ctx["server"]} server @param {string} to @param {RegExp} pattern
 */
async function mailTo(server, to, pattern) {
  for (let i = 0; i < 150; i++) {
    const found = server.mails.filter((m) => m.to.includes(to) && pattern.test(m.text)).pop();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${pattern}: ${JSON.stringify(server.mails.map((m) => m.to))}`);
}

export const tests = [
  [
    "a guest leaves an inquiry with a screenshot, signs in by the mailed link, reads the answer and writes again",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const email = `inbox+${word()}@customers.example`;
      const { page, done } = await newPage(browser);
      await page.goto(`${server.url}/ko/inquiries.html`);
      await page.waitForSelector("[data-categories] option", { state: "attached" });
      await axe(page, "the board's form");
      await page.selectOption("#b-category", "account_access");
      await page.selectOption("#b-area", "account");
      await page.fill("#b-title", "비밀번호를 잊어버렸어요");
      await page.fill("#b-text", "비밀번호 재설정 메일이 오지 않아요. 어떻게 해야 하나요?");
      // The guides the bot would show, while the customer writes.
      await page.waitForSelector("[data-suggested]:not([hidden]) [data-suggested-list] a");
      await page.setInputFiles("#b-files", SCREENSHOT);
      await page.locator("[data-file-list] li").waitFor();
      await page.fill("#b-email", email);
      await page.fill("#b-name", "김민지");
      await shot(page, "form-filled");
      await page.waitForTimeout(TYPING_MS);
      await page.click("[data-submit]");
      // A guest's inquiry is read only after signing in by mail: the page says where the answer
      // goes and offers the sign-in, the address filled in.
      await page.waitForURL(/#mine$/);
      await page.locator("[data-board-notice]", { hasText: "접수했어요" }).waitFor();
      assert((await page.inputValue("#b-sign-in-email")) === email, "the address is filled in");
      await shot(page, "submitted");

      // The case is in the queue as a board inquiry, with the screenshot; a person answers it.
      const queue = await operator(server.url, "/queue");
      const kase = queue.cases.find((/** @type {any} */ c) => c.channel === "board" && c.summary.includes("비밀번호 재설정 메일이"));
      assert(!!kase, "the inquiry is in the queue");
      const view = await operator(server.url, `/cases/${kase.id}`);
      assert(view.transcript.some((/** @type {any} */ m) => (m.attachments || []).length === 1), "the screenshot came with it");
      assert(kase.channel === "board" && kase.category === "account_access" && kase.area === "account", JSON.stringify(kase));
      await operator(server.url, `/cases/${kase.id}/reply`, { text: "재설정 메일은 스팸함을 먼저 확인해 주세요. 없으면 다시 보내 드릴게요." });
      const answer = await mailTo(server, email, /스팸함을 먼저/);
      assert(answer.text.includes("/ko/inquiries.html"), `the answer's mail names the board: ${answer.text}`);

      // Another device: the guest asks for a sign-in link, and opens it from their mail.
      const other = await newPage(browser);
      await other.page.goto(`${server.url}/ko/inquiries.html#mine`);
      await other.page.locator("[data-sign-in]:not([hidden])").waitFor();
      await axe(other.page, "the sign-in form");
      await other.page.fill("#b-sign-in-email", email.toUpperCase());
      await other.page.click("[data-sign-in-form] button");
      await other.page.locator("[data-board-notice]", { hasText: "로그인 링크를 보냈어요" }).waitFor();
      await shot(other.page, "link-asked");
      const link = await mailTo(server, email, /#signin=/);
      const url = (link.text.match(/https?:\/\/\S+#signin=\S+/) || [""])[0];
      assert(url.startsWith(server.url), `the link is to this help center: ${url}`);
      await other.page.goto(url);
      // The link is used only when the reader asks (a mail scanner loading it uses nothing).
      await other.page.click("[data-open-session]");
      await other.page.locator("[data-inquiry-list] li", { hasText: "비밀번호를 잊어버렸어요" }).waitFor();
      assert(!other.page.url().includes("signin="), "the token is taken out of the address");
      await other.page.locator("[data-inquiry-list] .status", { hasText: "답변 완료" }).waitFor();
      await axe(other.page, "my inquiries");
      await shot(other.page, "my-inquiries");
      await other.page.click("[data-inquiry-list] a");
      await other.page.locator("[data-thread] .msg-operator", { hasText: "스팸함을 먼저" }).waitFor();
      await other.page.locator("[data-thread] img.shot").waitFor();
      await other.page.fill("#b-again", "스팸함에도 없어요. 다시 보내 주세요.");
      await other.page.click("[data-again-form] button");
      await other.page.locator("[data-inquiry-status]", { hasText: "다시 문의" }).waitFor();
      await axe(other.page, "an inquiry");
      await shot(other.page, "asked-again");

      // The link opened once: a third device gets nothing from it.
      const third = await newPage(browser);
      await third.page.goto(url);
      await third.page.click("[data-open-session]");
      await third.page.locator("[data-board-notice]", { hasText: "더 이상 쓸 수 없어요" }).waitFor();
      assert((await third.page.locator("[data-inquiry-list] li").count()) === 0, "a used link shows no inquiry");
      await shot(third.page, "used-link");
      // The browser logs the refused session (401) itself; nothing else may go wrong.
      assert(third.problems.every((p) => p.includes("status of 401")), third.problems.join("\n"));
      await third.context.close();
      await other.done();
      await done();
    },
  ],
  [
    "a verified customer on a phone asks as their account and sees their inquiries",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const token = await identityToken(`shop-${word()}`);
      const { page, done } = await newPage(browser, { viewport: PHONE });
      await page.goto(`${server.url}/ko/inquiries.html#identity=${token}`);
      // The token is taken out of the address, and the page reads as the signed-in customer.
      await page.waitForURL((url) => !url.hash.includes("identity="));
      await page.locator("[data-signed-in]:not([hidden])", { hasText: "김민지 계정" }).waitFor();
      await page.click("[data-tab=new]");
      await page.locator("[data-verified-note]:not([hidden])").waitFor();
      assert(await page.locator("[data-guest-fields]").isHidden(), "no address asked of a verified customer");
      await page.fill("#b-title", "정산 금액이 달라요");
      await page.fill("#b-text", "이번 달 정산 금액이 주문 합계와 달라요.");
      await shot(page, "phone-form");
      await axe(page, "the form on a phone");
      await page.waitForTimeout(TYPING_MS);
      await page.click("[data-submit]");
      await page.waitForURL(/#inquiry=cv_/);
      await page.click("[data-tab=mine]");
      await page.locator("[data-inquiry-list] li", { hasText: "정산 금액이 달라요" }).waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width, `nothing wider than the phone: ${width}`);
      await shot(page, "phone-mine");
      await done();
    },
  ],
  [
    "a feature request comes back answered: the board's form, the team's list, shipped, each asker told once in their channel",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const tag = word();
      const email = `inbox+${tag}@customers.example`;
      // A guest asks on the board with the feature-request form.
      const guest = await newPage(browser);
      await guest.page.goto(`${server.url}/ko/inquiries.html`);
      await guest.page.waitForSelector("[data-categories] option", { state: "attached" });
      await guest.page.selectOption("#b-category", "feature_request");
      await guest.page.locator("[data-feature-fields]:not([hidden])").waitFor();
      assert(await guest.page.locator("[data-plain-text]").isHidden(), "the free text gives way to the request's fields");
      await guest.page.fill("#b-title", `다크 모드 지원 ${tag}`);
      await guest.page.fill("#b-goal", `다크 모드로 밤에 눈이 편하게 보고 싶어요 ${tag}`);
      await guest.page.fill("#b-how", "설정에서 켜고 끌 수 있으면 좋겠어요");
      await guest.page.fill("#b-example", "https://example.com/dark");
      await guest.page.fill("#b-email", email);
      await axe(guest.page, "the feature-request form");
      await shot(guest.page, "feature-form");
      await guest.page.waitForTimeout(TYPING_MS);
      await guest.page.click("[data-submit]");
      await guest.page.waitForURL(/#mine$/);
      // A signed-in customer asks for the same thing.
      const token = await identityToken(`shop-${tag}`);
      const member = await newPage(browser);
      await member.page.goto(`${server.url}/ko/inquiries.html#identity=${token}`);
      await member.page.waitForURL((url) => !url.hash.includes("identity="));
      await member.page.click("[data-tab=new]");
      await member.page.selectOption("#b-category", "feature_request");
      await member.page.fill("#b-title", `다크 모드 지원 요청 ${tag}`);
      await member.page.fill("#b-goal", `다크 모드를 지원해 주세요 ${tag}`);
      await member.page.waitForTimeout(TYPING_MS);
      await member.page.click("[data-submit]");
      await member.page.waitForURL(/#inquiry=cv_/);

      // The team's list: the asks are there, not triaged yet; one request is made of them.
      const team = await newPage(browser);
      await team.page.goto(`${server.url}/console/`);
      await team.page.fill("#token", MINJI);
      await team.page.click("[data-sign-in] button[type=submit]");
      await team.page.waitForSelector("[data-desk]:not([hidden])");
      await team.page.goto(`${server.url}/console/features.html`);
      const first = team.page.locator("[data-group]", { hasText: `밤에 눈이 편하게 보고 싶어요 ${tag}` });
      await first.waitFor();
      await first.getByRole("button", { name: "요청으로 만들기" }).click();
      const request = team.page.locator("[data-request]").first();
      await request.waitFor();
      // The other ask, if the grouping left it apart, joins the same request.
      const other = team.page.locator("[data-group]", { hasText: `다크 모드를 지원해 주세요 ${tag}` });
      if (await other.count()) {
        await other.getByRole("button", { name: "추가" }).click();
        await other.waitFor({ state: "detached" });
      }
      await request.locator(".facts", { hasText: "고객 2명" }).waitFor();
      await axe(team.page, "the feature requests");
      await shot(team.page, "feature-list");
      await request.locator("select[name=status]").selectOption("shipped");
      await request.locator("textarea[name=ko]").fill(`다크 모드가 출시됐어요 ${tag}. 설정 > 화면에서 켤 수 있어요.`);
      await request.getByRole("button", { name: "저장" }).click();
      await team.page.locator("[data-notice]", { hasText: "고객 2명에게 알렸어요" }).waitFor();
      await shot(team.page, "feature-shipped");
      // Saved again: nobody is told twice.
      await team.page.locator("[data-request]").first().getByRole("button", { name: "저장" }).click();
      await team.page.locator("[data-notice]", { hasText: "저장했어요" }).waitFor();

      // The guest by mail, once; the signed-in customer on the board.
      await mailTo(server, email, new RegExp(`다크 모드가 출시됐어요 ${tag}`));
      await new Promise((r) => setTimeout(r, 2500));
      const mails = server.mails.filter((m) => m.to.includes(email) && m.text.includes(`출시됐어요 ${tag}`));
      assert(mails.length === 1, `one mail: ${mails.length}`);
      await member.page.click("[data-tab=mine]");
      await member.page.locator("[data-inquiry-list] .status", { hasText: "답변 완료" }).first().waitFor();
      await member.page.locator("[data-inquiry-list] a").first().click();
      await member.page.locator("[data-thread] .msg-operator", { hasText: `출시됐어요 ${tag}` }).waitFor();
      await shot(member.page, "feature-told-on-board");
      await team.done();
      await member.done();
      await guest.done();
    },
  ],
];
