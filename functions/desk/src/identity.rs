//! Verified customers: the host site signs who the customer is, Baton checks the signature.
//!
//! As Intercom's identity verification and Zendesk's messaging JWT do, the site's server signs a
//! short-lived JWT for its logged-in customer with a secret it shares with Baton (HS256; ES256 with
//! a key pair when the site prefers not to share a secret) and hands it to the widget, which sends
//! it when it starts a conversation. Only a customer whose token verifies is `verified`: their
//! `sub` becomes their id, their earlier cases are attached to new ones, and operators see them as
//! verified. An id a customer merely asserts is kept as `claimed_id`, shown as unverified and never
//! used to find history. How a site signs a token: `docs/identity.md`.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::config::Config;
use crate::error::{Error, Result};

/// How long past `exp` a token is still accepted, for clocks that disagree a little.
const LEEWAY_SECONDS: u64 = 60;
/// Longest accepted `sub`.
const MAX_SUBJECT_BYTES: usize = 128;
/// Latest accepted expiry, from now: a token is for starting a conversation soon, not a
/// credential to keep (the examples sign for ten minutes).
const MAX_LIFETIME_SECONDS: u64 = 24 * 3600;

/// Who a verified token says the customer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The site's id for the customer (`sub`).
    pub id: String,
    /// Display name (`name`).
    pub name: Option<String>,
    /// `email`, else `phone`.
    pub contact: Option<String>,
    /// The organisation the site signs them into (`org`, `org_role`): a business customer's
    /// person. The site is the one word on who belongs: a member who leaves is no longer signed.
    pub membership: Option<crate::model::Membership>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    exp: u64,
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    org_role: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// The keys identity tokens are checked against.
#[derive(Clone)]
pub struct Verifier {
    /// `(kid, key)`; `kid` `None` for the one unnamed HS256 secret.
    hs256: Vec<(Option<String>, DecodingKey)>,
    es256: Option<DecodingKey>,
    issuer: Option<String>,
    audience: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("hs256_keys", &self.hs256.len())
            .field("es256", &self.es256.is_some())
            .field("issuer", &self.issuer)
            .finish()
    }
}

impl Default for Verifier {
    /// A verifier with no keys: every customer is unverified.
    fn default() -> Verifier {
        Verifier {
            hs256: Vec::new(),
            es256: None,
            issuer: None,
            audience: crate::config::DEFAULT_IDENTITY_AUDIENCE.to_string(),
        }
    }
}

impl Verifier {
    /// A verifier with the keys of a configuration (none: every customer is unverified).
    pub fn from_config(config: &Config) -> Result<Verifier> {
        // One backend is compiled in; installing it makes the choice explicit and is a no-op when
        // another part of the process already did.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let hs256 = config
            .identity_secrets
            .iter()
            .map(|s| {
                DecodingKey::from_secret(s.secret.as_bytes())
                    .map(|key| (s.kid.clone(), key))
                    .map_err(|e| Error::Config(format!("{}: {e}", crate::config::IDENTITY_SECRETS)))
            })
            .collect::<Result<_>>()?;
        let es256 = config
            .identity_es256_key
            .as_deref()
            .map(|pem| {
                DecodingKey::from_ec_pem(pem.as_bytes()).map_err(|e| {
                    Error::Config(format!(
                        "{} is not an EC public key in PEM: {e}",
                        crate::config::IDENTITY_ES256_KEY
                    ))
                })
            })
            .transpose()?;
        Ok(Verifier {
            hs256,
            es256,
            issuer: config.identity_issuer.clone(),
            audience: config.identity_audience.clone(),
        })
    }

    /// Whether any key is configured.
    pub fn is_configured(&self) -> bool {
        !self.hs256.is_empty() || self.es256.is_some()
    }

    /// The identity in `token`, or why it is refused. Only HS256 and ES256 are accepted (never
    /// `none`, never an algorithm the header picks for a key of another kind).
    pub fn verify(&self, token: &str) -> Result<Identity> {
        let refuse = |why: &str| Error::Unauthorized(format!("identity token {why}"));
        if !self.is_configured() {
            return Err(refuse("cannot be checked: this desk has no identity keys"));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("is not a JWT"))?;
        let key = match header.alg {
            Algorithm::HS256 => {
                let named = header.kid.as_deref();
                self.hs256
                    .iter()
                    .find(|(kid, _)| {
                        kid.as_deref() == named || (named.is_none() && self.hs256.len() == 1)
                    })
                    .map(|(_, key)| key)
                    .ok_or_else(|| refuse("names a key this desk does not have"))?
            }
            Algorithm::ES256 => self
                .es256
                .as_ref()
                .ok_or_else(|| refuse("is ES256 but this desk has no ES256 key"))?,
            _ => return Err(refuse("must be signed with HS256 or ES256")),
        };
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECONDS;
        // A token the site signed for later is not valid yet.
        validation.validate_nbf = true;
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
        }
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            refuse(match e.kind() {
                ErrorKind::ExpiredSignature => "has expired",
                ErrorKind::InvalidSignature => "has a bad signature",
                ErrorKind::InvalidIssuer => "has the wrong issuer",
                ErrorKind::MissingRequiredClaim(_) => "lacks exp, sub or aud",
                ErrorKind::InvalidAudience => "is for another audience (aud must be the desk's)",
                ErrorKind::ImmatureSignature => "is not valid yet",
                _ => "is not valid",
            })
        })?;
        let claims = data.claims;
        let now = (crate::model::now() / 1000).max(0) as u64;
        if claims.exp > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS {
            return Err(refuse("lives too long (exp at most a day ahead)"));
        }
        let sub = claims.sub.trim();
        if sub.is_empty() || sub.len() > MAX_SUBJECT_BYTES {
            return Err(refuse("has an empty or too long sub"));
        }
        // The sub is the history key, stored and indexed as it is: it must be an internal id,
        // not a phone number or an e-mail, and carry nothing invisible.
        if pii::mask(sub, pii::Options { email: true }) != sub {
            return Err(refuse(
                "has a sub with personal data or invisible characters; sign your internal id",
            ));
        }
        let membership = match claims.org.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(org) => {
                if org.len() > MAX_SUBJECT_BYTES
                    || pii::mask(org, pii::Options { email: true }) != org
                {
                    return Err(refuse(
                        "has an org that is too long or carries personal data; sign your internal id",
                    ));
                }
                let role = match claims.org_role.as_deref() {
                    None => crate::model::OrgRole::Member,
                    Some(role) => crate::model::OrgRole::parse(role)
                        .ok_or_else(|| refuse("has an org_role other than member or admin"))?,
                };
                Some(crate::model::Membership {
                    organisation: org.to_string(),
                    role,
                })
            }
        };
        Ok(Identity {
            membership,
            id: sub.to_string(),
            name: claims.name.filter(|n| !n.trim().is_empty()),
            contact: claims
                .email
                .or(claims.phone)
                .filter(|c| !c.trim().is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Deployment, IDENTITY_SECRETS};
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const SECRET: &str = "a-very-long-site-secret-0123456789abcdef";

    fn verifier(secrets: &str) -> Verifier {
        let config =
            Config::from_pairs(Deployment::Local, [(IDENTITY_SECRETS, secrets)]).expect("config");
        Verifier::from_config(&config).expect("verifier")
    }

    fn sign(header: Header, claims: serde_json::Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()).expect("key"),
        )
        .expect("sign")
    }

    fn in_an_hour() -> u64 {
        (crate::model::now() / 1000) as u64 + 3600
    }

    #[test]
    fn a_signed_token_verifies_and_a_forged_one_does_not() {
        let v = verifier(SECRET);
        let token = sign(
            Header::default(),
            json!({"sub": "shop-42", "aud": "baton", "exp": in_an_hour(), "name": "김민지", "email": "minji@example.com"}),
            SECRET,
        );
        assert_eq!(
            v.verify(&token).expect("verifies"),
            Identity {
                id: "shop-42".into(),
                name: Some("김민지".into()),
                contact: Some("minji@example.com".into()),
                membership: None,
            }
        );
        // An organisation the site signs the customer into, and a role it must spell right.
        let member = sign(
            Header::default(),
            json!({"sub": "shop-42", "aud": "baton", "exp": in_an_hour(), "org": "acme", "org_role": "admin"}),
            SECRET,
        );
        assert_eq!(
            v.verify(&member).expect("verifies").membership,
            Some(crate::model::Membership {
                organisation: "acme".into(),
                role: crate::model::OrgRole::Admin,
            })
        );
        for bad in [
            json!({"sub": "s", "aud": "baton", "exp": in_an_hour(), "org": "acme", "org_role": "owner"}),
            json!({"sub": "s", "aud": "baton", "exp": in_an_hour(), "org": "ceo@acme.example"}),
        ] {
            assert!(
                v.verify(&sign(Header::default(), bad.clone(), SECRET))
                    .is_err(),
                "{bad}"
            );
        }
        let forged = sign(
            Header::default(),
            json!({"sub": "victim-1", "aud": "baton", "exp": in_an_hour()}),
            "another-secret-of-enough-length-0123456789",
        );
        assert!(
            v.verify(&forged)
                .is_err_and(|e| e.to_string().contains("bad signature"))
        );
    }

    #[test]
    fn expired_unsigned_and_wrong_algorithm_tokens_are_refused() {
        let v = verifier(SECRET);
        let expired = sign(
            Header::default(),
            json!({"sub": "a", "aud": "baton", "exp": 1_000_000}),
            SECRET,
        );
        assert!(
            v.verify(&expired)
                .is_err_and(|e| e.to_string().contains("expired"))
        );
        let no_exp = sign(
            Header::default(),
            json!({"sub": "a", "aud": "baton"}),
            SECRET,
        );
        assert!(v.verify(&no_exp).is_err());
        // alg "none": a header and payload with an empty signature.
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(format!(r#"{{"sub":"victim-1","exp":{}}}"#, in_an_hour()))
        );
        assert!(v.verify(&none).is_err());
        let hs512 = sign(
            Header::new(Algorithm::HS512),
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour()}),
            SECRET,
        );
        assert!(
            v.verify(&hs512)
                .is_err_and(|e| e.to_string().contains("HS256 or ES256"))
        );
        assert!(v.verify("not.a.jwt").is_err());
        assert!(
            Verifier::default()
                .verify(&expired)
                .is_err_and(|e| e.to_string().contains("no identity keys"))
        );
    }

    /// A key pair made for this test only (openssl ecparam -name prime256v1).
    const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgr4uvdJ8jkI89VFfP\n8jOs1qIu4lKQVG2rskKpQhAG4QmhRANCAASUr0CmnPD2y60HjXe5oUASMALw2poz\n5QZEhrLzjO793mYUE8dywmv3e/vr7K0+KBYES36qSDKfJNtA0LKmvoZb\n-----END PRIVATE KEY-----";
    const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAElK9Appzw9sutB413uaFAEjAC8Nqa\nM+UGRIay84zu/d5mFBPHcsJr93v76+ytPigWBEt+qkgynyTbQNCypr6GWw==\n-----END PUBLIC KEY-----";

    #[test]
    fn es256_tokens_verify_with_the_public_key_and_cannot_be_downgraded() {
        let config = Config::from_pairs(
            Deployment::Local,
            [
                (
                    crate::config::IDENTITY_ES256_KEY,
                    EC_PUBLIC.replace('\n', "\\n").as_str(),
                ),
                (IDENTITY_SECRETS, SECRET),
            ],
        )
        .expect("config");
        let v = Verifier::from_config(&config).expect("verifier");
        let claims = json!({"sub": "shop-7", "aud": "baton", "exp": in_an_hour()});
        let es256 = jsonwebtoken::encode(
            &Header::new(Algorithm::ES256),
            &claims,
            &EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).expect("private key"),
        )
        .expect("sign");
        assert_eq!(v.verify(&es256).expect("verifies").id, "shop-7");
        // An HS256 token whose "secret" is the public key (the classic algorithm confusion) fails:
        // HS256 tokens are only ever checked against the configured secrets.
        let confused = sign(Header::default(), claims, EC_PUBLIC);
        assert!(v.verify(&confused).is_err());
        // A bad PEM is a configuration error, named.
        let bad = Config::from_pairs(
            Deployment::Local,
            [(
                crate::config::IDENTITY_ES256_KEY,
                "-----BEGIN PUBLIC KEY-----\\nnope",
            )],
        )
        .expect("config");
        assert!(
            Verifier::from_config(&bad)
                .is_err_and(|e| e.to_string().contains("BATON_IDENTITY_ES256_KEY"))
        );
    }

    #[test]
    fn tokens_for_another_audience_long_lived_or_with_personal_subs_are_refused() {
        let v = verifier(SECRET);
        let refused = |claims: serde_json::Value, says: &str| {
            let token = sign(Header::default(), claims, SECRET);
            let error = v.verify(&token).expect_err("refused");
            assert!(error.to_string().contains(says), "{error}");
        };
        refused(
            json!({"sub": "a", "exp": in_an_hour()}),
            "lacks exp, sub or aud",
        );
        refused(
            json!({"sub": "a", "aud": "billing-api", "exp": in_an_hour()}),
            "another audience",
        );
        refused(
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour() + 30 * 86_400}),
            "too long",
        );
        refused(
            json!({"sub": "01012345678", "aud": "baton", "exp": in_an_hour()}),
            "personal data",
        );
        refused(
            json!({"sub": "minji@example.com", "aud": "baton", "exp": in_an_hour()}),
            "personal data",
        );
        refused(
            json!({"sub": "a\u{202e}b", "aud": "baton", "exp": in_an_hour()}),
            "invisible",
        );
        // Signed now for an hour from now: not valid yet (past the leeway).
        refused(
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour() + 3600, "nbf": in_an_hour()}),
            "not valid yet",
        );
        let soon = sign(
            Header::default(),
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour(), "nbf": in_an_hour() - 3600 + 30}),
            SECRET,
        );
        assert!(v.verify(&soon).is_ok(), "within the leeway");
    }

    #[test]
    fn rotated_secrets_are_chosen_by_kid() {
        let old = "old-secret-0123456789abcdef0123456789";
        let new = "new-secret-0123456789abcdef0123456789";
        let v = verifier(&format!("2026a:{old},2026b:{new}"));
        let header = Header {
            kid: Some("2026b".into()),
            ..Header::default()
        };
        let token = sign(
            header.clone(),
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour()}),
            new,
        );
        assert!(v.verify(&token).is_ok());
        let wrong = sign(
            header,
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour()}),
            old,
        );
        assert!(v.verify(&wrong).is_err());
        let unnamed = sign(
            Header::default(),
            json!({"sub": "a", "aud": "baton", "exp": in_an_hour()}),
            new,
        );
        assert!(
            v.verify(&unnamed)
                .is_err_and(|e| e.to_string().contains("does not have"))
        );
    }
}
