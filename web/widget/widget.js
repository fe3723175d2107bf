// @ts-check
// Baton's chat widget loader: the one <script> tag a site includes.
//
//   <script src="https://help.example.com/widget/widget.js" async data-lang="ko"></script>
//
// It adds a launcher button (in a closed shadow root, so the host page's styles cannot reach it
// and its own cannot leak) and, when opened, a frame on Baton's origin where the conversation
// runs: the conversation's secret, its storage and its API calls stay on Baton's origin, out of
// the host page's reach. Nothing here blocks or breaks the host page: it runs once, after load,
// and any failure leaves the page as it was.
(() => {
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  if (!script || /** @type {any} */ (window).BatonWidget) return;
  const origin = new URL(script.src, location.href).origin;
  const docLang = (document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  const lang = script.dataset.lang || (docLang === "ko" ? "ko" : "en");
  const labels = {
    ko: { open: "채팅 상담 열기", close: "채팅 닫기", title: "채팅 상담" },
    en: { open: "Open the chat", close: "Close the chat", title: "Chat with us" },
  }[lang === "ko" ? "ko" : "en"];

  const css = `
    :host { all: initial; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483646; width: 56px; height: 56px;
      border-radius: 50%; border: 0; background: #1f4fd1; color: #fff; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; }
    .launcher:focus-visible { outline: 3px solid #ffd54a; outline-offset: 2px; }
    .launcher svg { width: 28px; height: 28px; }
    .panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483647; width: 380px; height: min(640px, calc(100vh - 110px));
      border: 0; border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.3); background: #fff; }
    .panel[hidden] { display: none; }
    @media (max-width: 480px) {
      .panel { right: 0; bottom: 0; width: 100vw; height: 100%; border-radius: 0; }
      .launcher.open { display: none; }
    }`;

  const host = document.createElement("div");
  host.setAttribute("data-baton-widget", "");
  const shadow = host.attachShadow({ mode: "closed" });
  // A constructed stylesheet: no inline <style>, so a host page's strict CSP does not block it.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    return;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "launcher";
  button.setAttribute("aria-label", labels.open);
  button.setAttribute("aria-expanded", "false");
  button.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  shadow.append(button);

  /** @type {HTMLIFrameElement | null} */
  let frame = null;
  let frameReady = false;
  /** @type {object[]} */
  const outbox = [];

  /** @param {object} message */
  const post = (message) => {
    if (frame && frameReady && frame.contentWindow) frame.contentWindow.postMessage(message, origin);
    else outbox.push(message);
  };

  const ensureFrame = () => {
    if (frame) return frame;
    frame = document.createElement("iframe");
    frame.className = "panel";
    frame.title = labels.title;
    frame.hidden = true;
    const params = new URLSearchParams({ lang });
    frame.src = `${origin}/widget/frame.html?${params}`;
    shadow.append(frame);
    return frame;
  };

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    const data = event.data || {};
    if (data.type === "baton:ready") {
      frameReady = true;
      // The page the customer is on, for the case: the frame cannot read it itself.
      post({ type: "baton:page", url: location.href, title: document.title });
      while (outbox.length) post(/** @type {object} */ (outbox.shift()));
    } else if (data.type === "baton:close") {
      close();
      button.focus();
    }
  });

  /** @param {{article?: {id: string, title: string}, search?: string}} [context] */
  const open = (context) => {
    const f = ensureFrame();
    f.hidden = false;
    button.classList.add("open");
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", labels.close);
    post({ type: "baton:open", context: context || null });
    remember(true);
  };
  const close = () => {
    if (frame) frame.hidden = true;
    button.classList.remove("open");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", labels.open);
    remember(false);
  };
  // An open chat stays open across the host page's reloads and navigation (this tab only).
  /** @param {boolean} isOpen */
  const remember = (isOpen) => {
    try {
      if (isOpen) sessionStorage.setItem("baton-widget-open", "1");
      else sessionStorage.removeItem("baton-widget-open");
    } catch {
      // Storage may be off; the chat still works.
    }
  };

  button.addEventListener("click", () => (frame && !frame.hidden ? close() : open()));
  /** @type {any} */ (window).BatonWidget = {
    open,
    close,
    /** A token the site signed for the signed-in customer (see docs/identity.md). @param {string} token */
    identify(token) {
      post({ type: "baton:identify", token });
    },
  };

  const mount = () => {
    document.body.append(host);
    const pending = /** @type {any} */ (window).batonPending;
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem("baton-widget-open") === "1";
    } catch {}
    if (pending) open(pending);
    else if (wasOpen) open();
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
