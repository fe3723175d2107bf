// Baton's browser tests: a real `baton serve` (temp store, free port) driven through Debian's
// chromium by playwright-core. Every page and state is screenshotted under
// target/browser-tests/ (look at them). Run through `scripts/browser test [name-filter]`.
//
// Each test file in this folder exports `tests`: [name, async ({server, browser, shot}) => {}].

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { JUNHO, MINJI, SITE_SECRET, mailSink, takeRefusals } from "./lib.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const out = path.join(repo, "target/browser-tests");
const filter = process.argv[2] || "";
const binary = process.env.BATON_BIN || path.join(repo, "target/debug/baton");


/** Starts `baton serve` on a free port with a temp store; resolves to its URL and a stop(). */
async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), "baton-browser-"));
  // Every customer's mail server: what Baton sends (answers, sign-in links) lands here.
  const sink = await mailSink();
  const child = spawn(binary, ["serve", "--addr", "127.0.0.1:0"], {
    cwd: repo,
    env: {
      ...process.env,
      BATON_DB: path.join(dir, "baton.db"),
      BATON_INDEX: path.join(dir, "index"),
      BATON_SITE: path.join(dir, "site"),
      BATON_ATTACHMENTS: path.join(dir, "attachments"),
      BATON_IDENTITY_SECRETS: SITE_SECRET,
      BATON_OPERATOR_TOKENS: `minji:${MINJI},junho:${JUNHO}`,
      BATON_RATE_CONVERSATIONS: "0",
      BATON_RATE_MESSAGES: "0",
      // Mail in over SMTP on a free port; out through the test's sink.
      BATON_MAIL_FROM: "Baton 고객센터 <support@baton.example>",
      BATON_MAIL_KEY: "browser tests mail key, 32 bytes or more",
      BATON_SMTP_ADDR: "127.0.0.1:0",
      BATON_SMTP_RELAY: `127.0.0.1:${sink.port}`,
      // The MTA whose Authentication-Results header proves a sender.
      BATON_MAIL_AUTHSERV_ID: "mx.baton.example",
      // The pages are tested on words alone; the sentence model has its own tests.
      BATON_MEANING: "0",
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const { url, smtp } = /** @type {{url: string, smtp: number}} */ (
    await new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`baton serve did not start in 120 s:\n${seen}\n${log}`)), 120_000);
    child.stdout.on("data", (d) => {
      seen += d;
      const m = seen.match(/Baton is running at (http:\/\/[\d.:]+)/);
      const smtp = seen.match(/takes mail on smtp:\/\/[\d.]+:(\d+)/);
      if (m && smtp) {
        clearTimeout(timer);
        resolve({ url: m[1], smtp: Number(smtp[1]) });
      }
    });
    child.on("exit", (code) => reject(new Error(`baton serve exited (${code}):\n${seen}\n${log}`)));
    })
  );
  return {
    url,
    smtp,
    mails: sink.mails,
    log: () => log,
    stop() {
      child.kill("SIGINT");
      sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

async function main() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort();
  /** @type {[string, string, Function][]} */
  const all = [];
  for (const file of files) {
    const mod = await import(path.join(here, file));
    for (const [name, fn] of mod.tests) all.push([file.replace(".test.mjs", ""), name, fn]);
  }
  const chosen = all.filter(([file, name]) => `${file}: ${name}`.includes(filter));
  const server = await startServer();
  const browser = await launch();
  let failed = 0;
  const started = Date.now();
  try {
    for (const [file, name, fn] of chosen) {
      const t0 = Date.now();
      let n = 0;
      const shot = async (/** @type {import('playwright-core').Page} */ page, /** @type {string} */ label) => {
        n += 1;
        const safe = `${file}-${name}`.replace(/[^a-z0-9가-힣]+/gi, "-").toLowerCase();
        const file_ = path.join(out, `${safe}-${String(n).padStart(2, "0")}-${label}.png`);
        await page.screenshot({ path: file_, fullPage: true });
        return file_;
      };
      takeRefusals();
      try {
        await fn({ server, browser, shot });
        console.log(`ok    ${file}: ${name} (${Date.now() - t0} ms)`);
      } catch (error) {
        failed += 1;
        console.log(`FAIL  ${file}: ${name}\n${error && error.stack ? error.stack : error}`);
        const refused = takeRefusals();
        if (refused.length) console.log(`  refused requests:\n    ${refused.join("\n    ")}`);
        // What every page showed when it failed, then close them so the next test starts clean.
        for (const context of browser.contexts()) {
          for (const page of context.pages()) {
            await shot(page, "FAILED").catch(() => {});
            for (const frame of page.frames()) {
              const text = await frame.locator("body").innerText({ timeout: 1000 }).catch(() => "");
              if (text) console.log(`  ${frame.url()}:\n    ${text.replace(/\n+/g, "\n    ").slice(0, 2000)}`);
            }
          }
          await context.close().catch(() => {});
        }
      }
    }
  } finally {
    await browser.close();
    server.stop();
  }
  console.log(`\n${chosen.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(repo, out)}/`);
  if (failed) {
    console.log(`baton serve's log:\n${server.log()}`);
    process.exit(1);
  }
}

await main();
