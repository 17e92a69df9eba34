//! Sessions: a user's token version starts at 0 and each bump (log out everywhere, a password change) returns the
//! next; a revoked token id is seen as revoked until its expiry, revoking twice is harmless, and expired rows are
//! purged.

use chrono::{Duration, Utc};
use gridbot_platform::DbError;

use crate::both;
use crate::harness::Fresh;

both!(token_versions_count_up_and_revoked_ids_expire);

async fn token_versions_count_up_and_revoked_ids_expire(f: &Fresh) {
    let users = f.db.users();
    let u = users.create("sessions@x.io", "$2b$04$old").await.unwrap();
    assert_eq!((u.token_version, users.token_version(u.id).await.unwrap()), (0, Some(0)));
    assert_eq!(users.token_version(u.id + 1000).await.unwrap(), None);
    assert_eq!(users.bump_token_version(u.id).await.unwrap(), 1);
    assert_eq!(users.set_password(u.id, "$2b$04$new").await.unwrap(), 2);
    let got = users.get(u.id).await.unwrap();
    assert_eq!((got.token_version, got.password_hash.as_str()), (2, "$2b$04$new"));
    assert!(matches!(users.bump_token_version(u.id + 1000).await, Err(DbError::NotFound { .. })));
    assert!(matches!(users.set_password(u.id + 1000, "h").await, Err(DbError::NotFound { .. })));

    let revoked = f.db.revoked_tokens();
    assert!(!revoked.is_revoked("a").await.unwrap());
    let soon = Utc::now() + Duration::hours(1);
    revoked.revoke("a", u.id, soon).await.unwrap();
    revoked.revoke("a", u.id, soon).await.unwrap();
    assert!(revoked.is_revoked("a").await.unwrap());
    assert!(!revoked.is_revoked("b").await.unwrap());
    // A token that has expired is refused anyway: its row goes at the next logout.
    revoked.revoke("old", u.id, Utc::now() - Duration::seconds(1)).await.unwrap();
    assert!(!revoked.is_revoked("old").await.unwrap(), "purged by its own revoke");
    assert_eq!(revoked.purge(soon + Duration::seconds(1)).await.unwrap(), 1);
    assert!(!revoked.is_revoked("a").await.unwrap());
}
