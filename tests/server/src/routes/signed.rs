//! `/reqc/signed`: checks a request signature the way a cloud API does,
//! for examples/signing_hook.c and tests/c/hook_introspection.c.
//!
//! The canonical form (the example documents it too), lines joined by "\n":
//!   1. the method;
//!   2. the request target as received: path, then `?query` when there is one;
//!   3. one line `name:value` per name listed in `X-Signed-Headers`
//!      (lower-case names separated by `;`, in that order, which the signer
//!      sorts); `value` is every value of that header joined by `,`, each
//!      without surrounding spaces or tabs;
//!   4. the lower-case hex SHA-256 of the body as received.
//!
//! `X-Signature` must be the lower-case hex HMAC-SHA256 of that text under
//! `SIGNING_KEY`. The answer is 200 `{"valid": true, ...}` or 401
//! `{"valid": false, ...}`, with the canonical text the server computed.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::request::Req;
use crate::response::{self, Resp};

/// The key shared with the signing example and the C tests.
pub const SIGNING_KEY: &[u8] = b"reqc-test-signing-key";

pub fn signed(req: &Req) -> Resp {
    let listed = req.header("x-signed-headers").unwrap_or_default();
    let mut lines = vec![req.method.to_string(), req.path_and_query().to_string()];
    let mut missing = Vec::new();
    for name in listed.split(';').filter(|n| !n.is_empty()) {
        let value = if name == "host" {
            Some(req.host())
        } else {
            req.headers.get(name).map(|_| {
                req.headers
                    .get_all(name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            })
        };
        match value {
            Some(value) => lines.push(format!("{name}:{value}")),
            None => missing.push(name.to_string()),
        }
    }
    lines.push(hex(&Sha256::digest(&req.body)));
    let canonical = lines.join("\n");
    let expected = hex(&hmac_sha256(SIGNING_KEY, canonical.as_bytes()));
    let given = req.header("x-signature").unwrap_or_default();
    let valid = missing.is_empty() && !listed.is_empty() && given == expected;
    let body = json!({
        "valid": valid,
        "canonical": canonical,
        "signed_headers": listed,
        "missing_headers": missing,
    });
    let mut r = response::json(if valid { 200 } else { 401 }, &body);
    response::set(&mut r, "x-reqc-valid", if valid { "true" } else { "false" });
    r
}

/// HMAC (RFC 2104) over SHA-256, block size 64.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
