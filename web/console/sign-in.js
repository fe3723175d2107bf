// @ts-check
// How the console gets the operator's bearer token. Under `baton serve` the operator types the
// token they were given (BATON_OPERATOR_TOKENS). In AWS they sign in through Cognito's hosted
// UI with the authorization code flow and PKCE: the page never sees a password, keeps no client
// secret, and the ID token it gets back is what API Gateway's JWT authorizer checks. Which one
// is used is read from `config.json` beside the console (written at deploy; `infra/README.md`).

/** @typedef {{sign_in: "token"} | {sign_in: "cognito", domain: string, client_id: string}} SignInConfig */

const PKCE_KEY = "baton.console.pkce";

/** @returns {Promise<SignInConfig>} */
export async function loadConfig() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) {
      const config = await response.json();
      if (config.sign_in === "cognito" && /^https:\/\/[^/]+$/.test(config.domain) && config.client_id) return config;
    }
  } catch {
    // No configuration: the token form.
  }
  return { sign_in: "token" };
}

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Where Cognito sends the operator back: the console's own address, without query. */
function redirectUri() {
  return new URL(".", location.href).href;
}

/**
 * Sends the browser to the hosted UI with a fresh PKCE verifier and state (kept in this tab).
 * @param {{domain: string, client_id: string}} config
 */
export async function startCognito(config) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: "openid email",
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  });
  location.assign(`${config.domain}/oauth2/authorize?${params}`);
}

/**
 * When this page is Cognito's redirect back, trades the code (with the verifier) for the ID
 * token; `null` when it is not a redirect. A redirect whose state is not this tab's is refused.
 * @param {{domain: string, client_id: string}} config
 * @returns {Promise<string | null>}
 */
export async function finishCognito(config) {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code && !params.get("error")) return null;
  // The code is single-use: never leave it in the address bar or the history.
  history.replaceState(null, "", redirectUri());
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "{}");
  sessionStorage.removeItem(PKCE_KEY);
  if (!code || !saved.state || saved.state !== params.get("state")) throw new Error("sign-in did not come back to this tab");
  const response = await fetch(`${config.domain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: config.client_id, code, redirect_uri: redirectUri(), code_verifier: saved.verifier }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || !tokens.id_token) throw new Error(tokens.error || String(response.status));
  return tokens.id_token;
}

/** Ends the hosted UI's session too, then comes back to the console. @param {{domain: string, client_id: string}} config */
export function signOutOfCognito(config) {
  location.assign(`${config.domain}/logout?${new URLSearchParams({ client_id: config.client_id, logout_uri: redirectUri() })}`);
}
