//! HMAC-SHA256 signatures of the local backend's `/files/{key}` URLs.
//!
//! A signature covers the method, the key and the expiry, and for a PUT also the Content-Type and the
//! exact Content-Length, so a URL cannot be reused for another object, a later time or another body.

use std::fmt;

use cattery_domain::ImageKey;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a local `/files` URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalUrlError {
    /// The path is not an image key (answer 404).
    #[error("not an image key")]
    InvalidKey,
    /// The signature does not match the URL and headers, or is malformed (answer 403).
    #[error("the signature does not match")]
    BadSignature,
    /// The signature is genuine but the URL has expired (answer 403).
    #[error("the URL has expired")]
    Expired,
}

/// What a URL allows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Grant<'a> {
    /// Reading the object.
    Get,
    /// Writing exactly this body type and length.
    Put {
        content_type: &'a str,
        content_length: u64,
    },
}

/// Signs and checks URLs with one secret key.
#[derive(Clone)]
pub(crate) struct Signer {
    mac: HmacSha256,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

impl Signer {
    /// A signer with this secret key (HMAC takes keys of any length; callers enforce a minimum).
    pub fn new(key: &[u8]) -> Option<Self> {
        HmacSha256::new_from_slice(key).ok().map(|mac| Self { mac })
    }

    /// The hex signature of `grant` on `key` until `expires` (Unix seconds).
    pub fn sign(&self, key: &str, expires: i64, grant: Grant<'_>) -> String {
        hex::encode(self.mac_of(key, expires, grant).finalize().into_bytes())
    }

    /// Checks `signature` in constant time, then the expiry against `now` (Unix seconds).
    pub fn verify(
        &self,
        key: &str,
        expires: i64,
        signature: &str,
        grant: Grant<'_>,
        now: i64,
    ) -> Result<ImageKey, LocalUrlError> {
        let key = ImageKey::parse(key).map_err(|_| LocalUrlError::InvalidKey)?;
        let tag = hex::decode(signature).map_err(|_| LocalUrlError::BadSignature)?;
        self.mac_of(key.as_str(), expires, grant)
            .verify_slice(&tag)
            .map_err(|_| LocalUrlError::BadSignature)?;
        if now > expires {
            return Err(LocalUrlError::Expired);
        }
        Ok(key)
    }

    fn mac_of(&self, key: &str, expires: i64, grant: Grant<'_>) -> HmacSha256 {
        let mut mac = self.mac.clone();
        // Keys cannot contain newlines and the length is a number, so the fields cannot run together.
        let message = match grant {
            Grant::Get => format!("cattery-files-v1\nGET\n{key}\n{expires}"),
            Grant::Put {
                content_type,
                content_length,
            } => {
                format!("cattery-files-v1\nPUT\n{key}\n{expires}\n{content_type}\n{content_length}")
            }
        };
        mac.update(message.as_bytes());
        mac
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: &str = "cats/0190a1b2-0000-7000-8000-000000000001/abc.png";
    const PNG: Grant<'static> = Grant::Put {
        content_type: "image/png",
        content_length: 10,
    };

    #[test]
    fn a_genuine_signature_is_accepted_until_it_expires() {
        let signer = Signer::new(&[7; 32]).unwrap();
        let sig = signer.sign(KEY, 1000, Grant::Get);
        assert_eq!(
            signer
                .verify(KEY, 1000, &sig, Grant::Get, 1000)
                .unwrap()
                .as_str(),
            KEY
        );
        assert_eq!(
            signer.verify(KEY, 1000, &sig, Grant::Get, 1001),
            Err(LocalUrlError::Expired)
        );
    }

    #[test]
    fn a_signature_is_bound_to_key_expiry_method_and_headers() {
        let signer = Signer::new(&[7; 32]).unwrap();
        let get = signer.sign(KEY, 1000, Grant::Get);
        let put = signer.sign(KEY, 1000, PNG);
        let other_key = "cats/0190a1b2-0000-7000-8000-000000000001/abd.png";
        let bad = Err(LocalUrlError::BadSignature);
        assert_eq!(signer.verify(other_key, 1000, &get, Grant::Get, 0), bad);
        assert_eq!(signer.verify(KEY, 1001, &get, Grant::Get, 0), bad);
        assert_eq!(signer.verify(KEY, 1000, &get, PNG, 0), bad);
        assert_eq!(signer.verify(KEY, 1000, &put, Grant::Get, 0), bad);
        let jpeg = Grant::Put {
            content_type: "image/jpeg",
            content_length: 10,
        };
        let longer = Grant::Put {
            content_type: "image/png",
            content_length: 11,
        };
        assert_eq!(signer.verify(KEY, 1000, &put, jpeg, 0), bad);
        assert_eq!(signer.verify(KEY, 1000, &put, longer, 0), bad);
        assert!(signer.verify(KEY, 1000, &put, PNG, 0).is_ok());
    }

    #[test]
    fn another_secret_or_a_mangled_signature_is_refused() {
        let sig = Signer::new(&[7; 32]).unwrap().sign(KEY, 1000, Grant::Get);
        let other = Signer::new(&[8; 32]).unwrap();
        assert_eq!(
            other.verify(KEY, 1000, &sig, Grant::Get, 0),
            Err(LocalUrlError::BadSignature)
        );
        let signer = Signer::new(&[7; 32]).unwrap();
        for mangled in ["", "zz", &sig[..sig.len() - 2], &format!("{sig}00")] {
            assert_eq!(
                signer.verify(KEY, 1000, mangled, Grant::Get, 0),
                Err(LocalUrlError::BadSignature)
            );
        }
    }

    #[test]
    fn a_path_that_is_not_an_image_key_is_refused_before_the_signature() {
        let signer = Signer::new(&[7; 32]).unwrap();
        assert_eq!(
            signer.verify("../etc/passwd", 1000, "00", Grant::Get, 0),
            Err(LocalUrlError::InvalidKey)
        );
    }
}
