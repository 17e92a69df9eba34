//! Password rules, checked at registration and at a password change: 10 characters to 72 bytes (bcrypt reads no
//! further), and hard to guess by zxcvbn's estimate — a score of at least 3 of 4 (about 10^10 guesses or more), the
//! email and its parts counted as words an attacker tries first. zxcvbn's dictionaries include the 30,000 most
//! common passwords of leaked password lists, English words, names and film and TV words, and it knows keyboard
//! patterns, repeats, sequences, dates and l33t substitutions: `password123`, `Password1!`, `qwertyuiop`,
//! `1234567890` and the email plus digits are refused; a passphrase of a few uncommon words passes.

use zxcvbn::{Score, zxcvbn};

use crate::error::{ApiError, ApiResult};

pub const MIN_CHARS: usize = 10;
/// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut.
pub const MAX_BYTES: usize = 72;
/// The lowest zxcvbn score accepted (of 0 to 4).
pub const MIN_SCORE: Score = Score::Three;

/// [`check`] on a blocking thread: zxcvbn takes milliseconds on a long, repetitive password (up to 100 ms in a debug
/// build), which the async workers should not spend.
pub async fn vet(field: &'static str, password: &str, email: &str) -> ApiResult<()> {
    let (password, email) = (password.to_owned(), email.to_owned());
    tokio::task::spawn_blocking(move || check(field, &password, &email)).await.map_err(ApiError::internal)?
}

/// Refuses `password` for the account `email` with a 422 naming `field`: too short, too long, or too easy to guess,
/// with zxcvbn's warning and suggestions as the reason.
pub fn check(field: &str, password: &str, email: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_CHARS {
        return Err(ApiError::field(field, format!("must be at least {MIN_CHARS} characters")));
    }
    if password.len() > MAX_BYTES {
        return Err(ApiError::field(field, format!("must be at most {MAX_BYTES} bytes")));
    }
    let words = user_inputs(email);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn(password, &words);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let mut advice: Vec<String> = vec![];
    if let Some(feedback) = estimate.feedback() {
        advice.extend(feedback.warning().map(|w| w.to_string()));
        advice.extend(feedback.suggestions().iter().map(ToString::to_string));
    }
    if advice.is_empty() {
        advice.push("Add another word or two. Uncommon words are better.".to_owned());
    }
    Err(ApiError::field(field, format!("is too easy to guess. {}", advice.join(" "))))
}

/// The words of the account an attacker would try first: the email, its local part (also without its dots and
/// dashes) and domain, each of their alphanumeric pieces, and the application's name.
fn user_inputs(email: &str) -> Vec<String> {
    let email = email.trim().to_lowercase();
    let mut words = vec![email.clone(), "gridbot".to_owned()];
    if let Some((local, domain)) = email.split_once('@') {
        let joined: String = local.chars().filter(|c| c.is_alphanumeric()).collect();
        words.extend([local.to_owned(), joined, domain.to_owned()]);
    }
    words.extend(email.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3).map(str::to_owned));
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason(password: &str, email: &str) -> Option<String> {
        match check("password", password, email) {
            Ok(()) => None,
            Err(ApiError::Validation { fields, .. }) => fields.get("password").cloned(),
            Err(other) => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_zxcvbn_advice() {
        let email = "satoshi.trader@example.com";
        for weak in [
            "aaaaaaaaaa",
            "password123",
            "Password1!",
            "qwertyuiop",
            "1234567890",
            "satoshi.trader@example.com1",
            "satoshitrader2024",
            "gridbot2024!",
        ] {
            let why = reason(weak, email).unwrap_or_else(|| panic!("{weak:?} was accepted"));
            assert!(why.starts_with("is too easy to guess. ") && why.len() > 25, "{weak:?}: {why}");
        }
        assert!(reason("password123", email).is_some_and(|r| r.contains("common password")));
        assert_eq!(reason("short", email).as_deref(), Some("must be at least 10 characters"));
        assert_eq!(reason(&"x".repeat(73), email).as_deref(), Some("must be at most 72 bytes"));
    }

    #[test]
    fn passphrases_are_accepted() {
        for strong in ["correct horse battery staple 42", "lunar tapir mortgages bellwether", "Vq7#pL2!xR9@mK4z"] {
            assert_eq!(reason(strong, "satoshi.trader@example.com"), None, "{strong:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any text up to the byte limit, any email: an answer, never a panic.
        #[test]
        fn any_input_is_answered(password in "\\PC{0,80}", email in "\\PC{0,40}") {
            let _ = check("password", &password, &email);
        }
    }
}
