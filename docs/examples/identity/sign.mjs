// Signs a Baton identity token on your server (Node.js 18+, no packages needed).
//
//   import { signIdentity } from "./sign.mjs";
//   const token = signIdentity({ id: user.id, name: user.name, email: user.email }, process.env.BATON_IDENTITY_SECRET);
//   // hand `token` to the page; the widget sends it as "identity_token" when it starts a conversation
//
// Never sign in the browser: the secret must stay on your server.
import { createHmac } from "node:crypto";

const base64url = (text) => Buffer.from(text).toString("base64url");

export function signIdentity(customer, secret, { kid, ttlSeconds = 600 } = {}) {
  const header = { alg: "HS256", typ: "JWT", ...(kid ? { kid } : {}) };
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: String(customer.id), aud: "baton", iat: now, exp: now + ttlSeconds };
  if (customer.name) claims.name = customer.name;
  if (customer.email) claims.email = customer.email;
  if (customer.phone) claims.phone = customer.phone;
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac("sha256", secret).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}

// `node sign.mjs SECRET CUSTOMER_ID [NAME]` prints a token (what Baton's tests run).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [secret, id, name] = process.argv.slice(2);
  console.log(signIdentity({ id, name }, secret));
}
