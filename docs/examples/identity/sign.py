"""Signs a Baton identity token on your server (Python 3.8+, standard library only).

    from sign import sign_identity
    token = sign_identity(user.id, os.environ["BATON_IDENTITY_SECRET"], name=user.name, email=user.email)
    # hand `token` to the page; the widget sends it as "identity_token" when it starts a conversation

Never sign in the browser: the secret must stay on your server. (With PyJWT installed,
`jwt.encode({"sub": ..., "exp": ...}, secret, algorithm="HS256")` makes the same token.)
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_identity(customer_id, secret, name=None, email=None, phone=None, kid=None, ttl_seconds=600):
    header = {"alg": "HS256", "typ": "JWT"}
    if kid:
        header["kid"] = kid
    now = int(time.time())
    claims = {"sub": str(customer_id), "aud": "baton", "iat": now, "exp": now + ttl_seconds}
    for key, value in (("name", name), ("email", email), ("phone", phone)):
        if value:
            claims[key] = value
    unsigned = ".".join(
        _base64url(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        for part in (header, claims)
    )
    signature = hmac.new(secret.encode("utf-8"), unsigned.encode("ascii"), hashlib.sha256).digest()
    return unsigned + "." + _base64url(signature)


if __name__ == "__main__":
    # `python3 sign.py SECRET CUSTOMER_ID [NAME]` prints a token (what Baton's tests run).
    secret, customer_id = sys.argv[1], sys.argv[2]
    print(sign_identity(customer_id, secret, name=sys.argv[3] if len(sys.argv) > 3 else None))
