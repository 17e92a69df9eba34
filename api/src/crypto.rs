//! Exchange credentials at rest: sealed and opened by [`gridbot_platform::crypto`]; [`mask`] is the only form ever
//! shown.

pub use gridbot_platform::crypto::{decrypt, encrypt};

/// `abcd…wxyz`: the first and last four characters (one definition, shared with the exchange's credentials).
pub use gridbot_exchange::binance::config::mask;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_only_the_ends() {
        assert_eq!(mask("abcdEFGHIJKLwxyz"), "abcd…wxyz");
        assert_eq!(mask("short"), "…");
        assert_eq!(mask("elevenchars"), "…", "too short to show eight of its characters");
    }
}
