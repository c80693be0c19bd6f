//! Keyed hashing of patient and phone identifiers (HMAC-SHA-256).
//!
//! The secret never enters the lake; without it the keys cannot be reversed or
//! recomputed from a list of phone numbers.

use crate::config::Privacy;
use crate::error::KeyError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The public demo key used when `privacy.demo_key = true` (sample data only).
pub const DEMO_KEY: &str = "followup-demo-key-public-do-not-use-for-real-data";

/// Computes keyed hashes with the practice group's secret.
#[derive(Clone)]
pub struct Hasher {
    mac: Hmac<Sha256>,
    /// Where the key came from (env, file or demo), for the run summary.
    pub origin: String,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hasher(from {})", self.origin)
    }
}

impl Hasher {
    pub fn new(key: &[u8], origin: impl Into<String>) -> Hasher {
        Hasher {
            mac: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"),
            origin: origin.into(),
        }
    }

    /// Resolve the key: environment variable, then key file, then the demo key if allowed.
    pub fn from_config(p: &Privacy) -> Result<Hasher, KeyError> {
        if let Ok(v) = std::env::var(&p.key_env) {
            if !v.is_empty() {
                let origin = format!("${}", p.key_env);
                if v.len() < 16 {
                    return Err(KeyError::TooShort { origin });
                }
                return Ok(Hasher::new(v.as_bytes(), origin));
            }
        }
        if let Some(path) = &p.key_file {
            check_owner_only(path)?;
            let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
                path: path.clone(),
                source,
            })?;
            let key = text.trim();
            let origin = format!("key file {}", path.display());
            if key.len() < 16 {
                return Err(KeyError::TooShort { origin });
            }
            return Ok(Hasher::new(key.as_bytes(), origin));
        }
        if p.demo_key {
            return Ok(Hasher::new(DEMO_KEY.as_bytes(), "the public demo key"));
        }
        Err(KeyError::Missing {
            env: p.key_env.clone(),
        })
    }

    fn digest(&self, domain: &str, parts: &[&[u8]]) -> [u8; 32] {
        let mut m = self.mac.clone();
        m.update(domain.as_bytes());
        for p in parts {
            m.update(&(p.len() as u64).to_le_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// `patient_key`: scoped to the practice, since record numbers are per practice.
    pub fn patient_key(&self, practice_id: &str, patient_id: &str) -> String {
        hex::encode(&self.digest("patient", &[practice_id.as_bytes(), patient_id.as_bytes()])[..16])
    }

    /// `phone_key` of an E.164 number.
    pub fn phone_key(&self, e164: &str) -> String {
        hex::encode(&self.digest("phone", &[e164.as_bytes()])[..16])
    }

    /// A short keyed tag (`#3fa9c2`) that tells equal values apart in a message
    /// without showing them; it cannot be reversed without the key.
    pub fn tag(&self, value: &str) -> String {
        format!(
            "#{}",
            hex::encode(&self.digest("tag", &[value.as_bytes()])[..3])
        )
    }

    /// A 64-bit keyed digest of a row's canonical content.
    pub fn row_hash(&self, parts: &[&[u8]]) -> u64 {
        let mut d = self.row_digest();
        for p in parts {
            d.part(p, &[]);
        }
        d.finish()
    }

    /// [`Hasher::row_hash`] fed one part at a time, each part in two pieces,
    /// so a row's values need not be encoded into buffers of their own first.
    pub fn row_digest(&self) -> RowDigest<'_> {
        RowDigest {
            mac: &self.mac,
            bytes: Vec::with_capacity(512),
        }
    }
}

/// A row's keyed digest being computed ([`Hasher::row_digest`]): the same bytes
/// as [`Hasher::row_hash`] of the parts `head ++ body`. The parts are gathered
/// and digested in one call (many small updates cost more than the copy).
pub struct RowDigest<'a> {
    mac: &'a Hmac<Sha256>,
    bytes: Vec<u8>,
}

impl RowDigest<'_> {
    /// Add one part, written as `head` followed by `body`.
    pub fn part(&mut self, head: &[u8], body: &[u8]) {
        self.bytes
            .extend_from_slice(&((head.len() + body.len()) as u64).to_le_bytes());
        self.bytes.extend_from_slice(head);
        self.bytes.extend_from_slice(body);
    }

    pub fn finish(self) -> u64 {
        let mut m = self.mac.clone();
        m.update(b"row");
        m.update(&self.bytes);
        let d: [u8; 32] = m.finalize().into_bytes().into();
        u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
    }
}

#[cfg(unix)]
fn check_owner_only(path: &std::path::Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_path: &std::path::Path) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_scoped_and_keyed() {
        let a = Hasher::new(b"0123456789abcdef-secret", "test");
        let b = Hasher::new(b"another-secret-0123456789", "test");
        assert_eq!(a.patient_key("p001", "MRN1"), a.patient_key("p001", "MRN1"));
        assert_ne!(a.patient_key("p001", "MRN1"), a.patient_key("p002", "MRN1"));
        assert_ne!(a.phone_key("+16175550142"), b.phone_key("+16175550142"));
        assert_eq!(a.phone_key("+16175550142").len(), 32);
        // Length-prefixed parts: ("ab","c") and ("a","bc") differ.
        assert_ne!(a.row_hash(&[b"ab", b"c"]), a.row_hash(&[b"a", b"bc"]));
        // Fed in pieces, the same digest as the parts joined; a part's pieces
        // are one part, not two.
        let mut d = a.row_digest();
        d.part(b"a", b"b");
        d.part(b"", b"c");
        assert_eq!(d.finish(), a.row_hash(&[b"ab", b"c"]));
        let mut d = a.row_digest();
        d.part(b"a", b"b");
        d.part(b"c", b"");
        assert_ne!(d.finish(), a.row_hash(&[b"a", b"b", b"c"]));
        assert_eq!(a.row_hash(&[b"ab", b"c"]), {
            let mut m = a.mac.clone();
            m.update(b"row");
            for p in [&b"ab"[..], b"c"] {
                m.update(&(p.len() as u64).to_le_bytes());
                m.update(p);
            }
            let d: [u8; 32] = m.finalize().into_bytes().into();
            u64::from_le_bytes(d[..8].try_into().unwrap())
        });
    }

    #[cfg(unix)]
    #[test]
    fn key_file_must_be_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "a-long-enough-secret-value").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let p = Privacy {
            key_env: "FOLLOWUP_TEST_UNSET_KEY_ENV".into(),
            key_file: Some(path.clone()),
            demo_key: false,
        };
        let e = Hasher::from_config(&p).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Hasher::from_config(&p).is_ok());
    }
}
