// A business customer's space (핫라인) as its people and the team use it: two members share the
// standing line, an admin also reads the people's conversations, a member who leaves and an
// outsider are refused, and the team sees the organisation on the case.

import { MINJI, PHONE, assert, axe, identityToken, newPage } from "./lib.mjs";

/** @typedef {{server: {url: string}, browser: import('playwright-core').Browser, shot: Function}} Ctx */

const word = () => Math.random().toString(36).slice(2, 8);

/** @param {string} url @param {string} path @param {unknown} body @param {string} token */
async function post(url, path, body, token) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export const tests = [
  [
    "two members share the standing line, an admin reads the people's conversations, a member who leaves and an outsider are refused, and the team sees the organisation",
    async (/** @type {Ctx} */ { server, browser, shot }) => {
      const org = `acme${word()}`;
      await post(server.url, "/api/operator/organisations", { id: org, name: "에이크미 코리아", plan: "엔터프라이즈 80석", operators: ["minji"] }, MINJI);
      const kim = await identityToken(`${org}-kim`, { org, name: "김지수" });
      const lee = await identityToken(`${org}-lee`, { org, name: "이도윤" });
      const park = await identityToken(`${org}-park`, { org, org_role: "admin", name: "박서연" });

      // Kim opens a thread from the space her product linked her to.
      const first = await newPage(browser);
      await first.page.goto(`${server.url}/ko/org.html#identity=${kim}`);
      await first.page.locator("[data-org-name]", { hasText: "에이크미 코리아" }).waitFor();
      assert(!first.page.url().includes("identity="), "the token is taken out of the address");
      await axe(first.page, "the standing line");
      await first.page.fill("#o-title", "정산 API 오류");
      await first.page.fill("#o-text", "정산 API가 어제부터 500을 돌려줘요.");
      await first.page.click("[data-new-thread] button[type=submit]");
      await first.page.waitForURL(/#thread=cv_/);
      await first.page.locator("[data-thread] .msg", { hasText: "김지수" }).first().waitFor();
      await shot(first.page, "thread-opened");

      // Lee, on his phone, sees it and writes in it, under his name.
      const second = await newPage(browser, { viewport: PHONE });
      await second.page.goto(`${server.url}/ko/org.html#identity=${lee}`);
      await second.page.locator("[data-threads] a", { hasText: "정산 API 오류" }).click();
      await second.page.fill("#o-write", "저희도 같은 오류예요.");
      await second.page.click("[data-write] button[type=submit]");
      await second.page.locator("[data-thread] .msg", { hasText: "이도윤" }).waitFor();
      assert(await second.page.locator("[data-admin]").isHidden(), "a member does not see the people's conversations");
      const width = await second.page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width, `nothing wider than the phone: ${width}`);
      await axe(second.page, "a thread on a phone");
      await shot(second.page, "member-writes-phone");

      // Kim's own chat is the organisation's: its admin reads it.
      const started = await post(server.url, "/api/conversations", { identity_token: kim, locale: "ko" }, "");
      await post(server.url, `/api/conversations/${started.conversation.id}/messages`, { text: "세금계산서는 어디서 받나요?" }, started.secret);
      const admin = await newPage(browser);
      await admin.page.goto(`${server.url}/ko/org.html#identity=${park}`);
      await admin.page.locator("[data-admin]:not([hidden]) [data-people] a", { hasText: "세금계산서" }).waitFor();
      await shot(admin.page, "admin-space");

      // Kim leaves: the site no longer signs her into the company. An outsider never was.
      for (const [who, token] of [["left", await identityToken(`${org}-kim`, { name: "김지수" })], ["outsider", await identityToken(`shop-${word()}`)]]) {
        const gone = await newPage(browser);
        await gone.page.goto(`${server.url}/ko/org.html#identity=${token}`);
        await gone.page.locator("[data-view=outside]:not([hidden])").waitFor();
        assert((await gone.page.locator("[data-threads] li").count()) === 0, `${who} sees no thread`);
        await shot(gone.page, `refused-${who}`);
        assert(gone.problems.every((p) => p.includes("status of 403")), gone.problems.join("\n"));
        await gone.context.close();
      }

      // The team: the case carries the organisation, and the queue filters by it.
      const team = await newPage(browser);
      await team.page.goto(`${server.url}/console/`);
      await team.page.fill("#token", MINJI);
      await team.page.click("[data-sign-in] button[type=submit]");
      await team.page.waitForSelector("[data-desk]:not([hidden])");
      await team.page.locator(`[data-filter=organisation] option[value="${org}"]`).waitFor({ state: "attached" });
      await team.page.selectOption("[data-filter=organisation]", org);
      await team.page.locator("[data-case-id]", { hasText: "정산 API" }).click();
      await team.page.locator("[data-case-facts]", { hasText: "에이크미 코리아" }).waitFor();
      // Its other conversations, beside the case: Kim's chat.
      await team.page.locator("[data-org-history] summary").click();
      await team.page.locator("[data-org-history] li", { hasText: "세금계산서" }).waitFor();
      await shot(team.page, "console-org-case");
      await team.done();
      await admin.done();
      await second.done();
      await first.done();
    },
  ],
];
