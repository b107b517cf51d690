//! Passwords and secret tokens: the policy a password must meet, argon2id hashing, and random
//! tokens (sessions, password resets, API tokens) of which only a SHA-256 is ever stored.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Common passwords, lowercased, one per line (see data/ATTRIBUTION.md).
const COMMON_PASSWORDS: &str = include_str!("../../../data/security/common-passwords.txt");

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("shorter than {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("longer than {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("a common password, or one built on a common word")]
    Common,
    #[error("contains the email address")]
    ContainsEmail,
}

impl PasswordProblem {
    /// The i18n key of the message shown next to the field.
    pub fn label_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password.too_short",
            PasswordProblem::TooLong => "password.too_long",
            PasswordProblem::Common => "password.common",
            PasswordProblem::ContainsEmail => "password.contains_email",
        }
    }
}

fn is_common(word: &str) -> bool {
    !word.is_empty() && COMMON_PASSWORDS.lines().any(|line| line == word)
}

/// Checks a new password: long enough, not common (nor a common word with digits and symbols
/// added at the end, nor one character repeated), not built on the person's email.
pub fn check_password(password: &str, email: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 3 || is_common(&lower) || (stem.chars().count() >= 4 && is_common(stem)) {
        return Err(PasswordProblem::Common);
    }
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    if local_part.chars().count() >= 4 && lower.contains(&local_part) {
        return Err(PasswordProblem::ContainsEmail);
    }
    Ok(())
}

/// An argon2id hash in PHC string form (salt and parameters inside).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash to verify against when the account does not exist, so that an unknown email costs
/// as much time as a known one.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password never matched"))
}

/// A new random secret: 32 bytes as 64 hex characters.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// What is stored of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_common_and_derived_passwords() {
        let email = "giulia.rossi@comune.example.it";
        assert_eq!(check_password("corto", email), Err(PasswordProblem::TooShort));
        assert_eq!(check_password(&"x".repeat(300), email), Err(PasswordProblem::TooLong));
        assert_eq!(check_password("1qaz2wsx3edc", email), Err(PasswordProblem::Common));
        assert_eq!(check_password("Password2026!", email), Err(PasswordProblem::Common));
        assert_eq!(check_password("aaaaaaaaaaaaaaaa", email), Err(PasswordProblem::Common));
        assert_eq!(check_password("giulia.rossi-1980", email), Err(PasswordProblem::ContainsEmail));
        assert_eq!(check_password("tramonto sul Po a Guastalla", email), Ok(()));
        // Length counts characters, not bytes.
        assert_eq!(check_password("àèìòùàèìòùà", email), Err(PasswordProblem::TooShort));
    }

    #[test]
    fn hashes_verify_only_their_password() {
        let hash = hash_password("tramonto sul Po");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("tramonto sul Po", &hash));
        assert!(!verify_password("tramonto sul po", &hash));
        assert!(!verify_password("tramonto sul Po", "not a hash"));
        assert_ne!(hash, hash_password("tramonto sul Po"), "each hash has its own salt");
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b) && !same_secret(&a, "short"));
    }
}
