//! Web passwords: the rules a new password must meet, Argon2id hashing and verification.
//!
//! Hashing is deliberately slow (tens of milliseconds and 19 MiB); it runs on tokio's blocking pool so a
//! sign-in never stalls other requests, and at most [`MAX_CONCURRENT_HASHES`] run at once per process
//! ([`Hashing`]), so a burst of sign-ins cannot take the server's memory: beyond it the answer is 503.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// Argon2 computations (a sign-in, setting a password) that may run at once in one process: 4 × 19 MiB.
/// A hundred coordinators signing in over a morning never meet it; a password spray does.
pub const MAX_CONCURRENT_HASHES: usize = 4;

/// The slots for Argon2 computations, owned by the application state.
#[derive(Debug, Clone)]
pub struct Hashing(Arc<Semaphore>);

impl Default for Hashing {
    fn default() -> Hashing {
        Hashing(Arc::new(Semaphore::new(MAX_CONCURRENT_HASHES)))
    }
}

impl Hashing {
    /// A slot for one computation, held until dropped; none free is 503 at once (a queue would only
    /// hold the memory longer).
    pub fn slot(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.0.clone().try_acquire_owned().map_err(|_| AppError::Unavailable {
            message: "too many passwords are being checked at once; try again in a moment".into(),
        })
    }

    /// Takes every slot (for tests and maintenance); they come back when the permit is dropped.
    pub fn take_all(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_many_owned(MAX_CONCURRENT_HASHES as u32).ok()
    }
}

/// Fewer characters than this are refused: a forum coordinator's account can change any issue in an area.
pub const MIN_CHARS: usize = 10;
/// More than this is refused (a bound on the work an attacker can make one hash cost).
pub const MAX_CHARS: usize = 256;

/// Checks a new password against the rules; the error names the rule (the web app translates it).
pub fn check(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(AppError::invalid(
            "password_too_short",
            format!("a password needs at least {MIN_CHARS} characters"),
        ));
    }
    if n > MAX_CHARS {
        return Err(AppError::invalid("password_too_long", format!("a password has at most {MAX_CHARS} characters")));
    }
    if password.chars().any(char::is_control) {
        return Err(AppError::invalid("password_control_characters", "a password must not contain control characters"));
    }
    Ok(())
}

/// The PHC string (`$argon2id$v=19$…`) of a password, with a fresh salt and the crate's default
/// parameters (OWASP's: 19 MiB, 2 passes).
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
}

/// A hash of nothing anyone can type, verified against when the user is unknown or has no password, so a
/// wrong name takes as long as a wrong password and timing tells nothing.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FudGlzdWstZGVjb3k$0bKhXk9m4b3Yx2Y0Z8QbW5n7m9e1l3c7Yc3o8y1mJ2Q";

/// Whether `password` matches `stored` (a PHC string); `None` verifies against a decoy and answers false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DECOY.to_owned());
        let Ok(parsed) = PasswordHash::new(&phc) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("ที่ปัตตานี 2569!".to_owned()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("ที่ปัตตานี 2569!".to_owned(), Some(stored.clone())).await);
        assert!(!verify("ที่ปัตตานี 2568!".to_owned(), Some(stored)).await);
    }

    #[tokio::test]
    async fn no_stored_hash_never_verifies() {
        assert!(!verify(String::new(), None).await);
        assert!(!verify("anything at all".to_owned(), None).await);
    }

    #[test]
    fn the_decoy_is_a_well_formed_hash() {
        assert!(PasswordHash::new(DECOY).is_ok());
    }

    #[test]
    fn short_long_and_control_character_passwords_are_refused() {
        assert!(check("0123456789").is_ok());
        assert!(check("ยาวพอแล้วนะครับ").is_ok(), "counted in characters, not bytes");
        for bad in ["short".to_owned(), "x".repeat(257), "has a\ttab in it".to_owned()] {
            assert!(check(&bad).is_err(), "{bad:?}");
        }
    }
}
