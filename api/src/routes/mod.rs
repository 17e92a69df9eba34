//! One router per resource, merged by [`crate::build_app`].

pub mod auth;
pub mod bots;
pub mod health;
pub mod keys;
pub mod market;

use crate::error::ApiError;

/// Any `/api` path no route matches.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}
