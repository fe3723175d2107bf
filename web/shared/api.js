// @ts-check
// Calls to the desk's JSON API, whose errors read `{"error": {"code", "message"}}`.

/** Where the console keeps the operator's bearer token (this tab only: sessionStorage). */
export const OPERATOR_TOKEN_KEY = "baton.operator.token";

/** A refused call: the HTTP status, and the desk's error code and message when it sent them. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls `url` and reads its JSON answer (`{}` when there is none, as for 204); a refusal throws
 * an ApiError with the desk's message, else the status.
 * @param {string} url
 * @param {{method?: string, json?: unknown, token?: string, signal?: AbortSignal}} [init]
 *   `json` is sent as the body; `token` as `Authorization: Bearer …`
 * @returns {Promise<any>}
 */
export async function fetchJson(url, { method = "GET", json, token, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  /** @type {RequestInit} */
  const request = { method, headers, signal };
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    request.body = JSON.stringify(json);
  }
  const response = await fetch(url, request);
  const body = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, String(body?.error?.code || ""), body?.error?.message || String(response.status));
  return body;
}
