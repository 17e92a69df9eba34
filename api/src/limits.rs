//! Rate limits per client IP (tower_governor token buckets): one for every route, a stricter one for register and
//! login. Over a limit the answer is the contract's 429 with `Retry-After`.

use std::sync::Arc;

use axum::{Router, response::IntoResponse};
use tower_governor::{GovernorError, GovernorLayer, governor::GovernorConfigBuilder};

use crate::{RateLimits, error::ApiError};

/// Every route of `router`: `api_burst` at once, then one per `api_refill`.
pub fn api<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &RateLimits) -> Router<S> {
    limit(router, limits.api_burst, limits.api_refill)
}

/// Register and login: `auth_burst` at once, then one per `auth_refill`.
pub fn auth<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &RateLimits) -> Router<S> {
    limit(router, limits.auth_burst, limits.auth_refill)
}

fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, burst: u32, refill: std::time::Duration) -> Router<S> {
    let mut builder = GovernorConfigBuilder::default();
    builder.period(refill.max(std::time::Duration::from_nanos(1))).burst_size(burst.max(1));
    let Some(config) = builder.finish() else {
        // finish() refuses only a zero period or burst, which the max() calls above rule out.
        return router;
    };
    let config = Arc::new(config);
    let cleaner = config.limiter().clone();
    // Forget idle clients once a minute so the map does not grow without bound.
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
            if Arc::strong_count(&cleaner) <= 1 {
                break;
            }
            cleaner.retain_recent();
        }
    });
    router.layer(GovernorLayer::new(config).error_handler(refusal))
}

fn refusal(e: GovernorError) -> axum::response::Response {
    match e {
        GovernorError::TooManyRequests { wait_time, .. } => {
            ApiError::RateLimited { retry_after: wait_time.max(1) }.into_response()
        }
        GovernorError::UnableToExtractKey => ApiError::internal("rate limiter: no client address").into_response(),
        GovernorError::Other { msg, .. } => ApiError::internal(msg.unwrap_or_default()).into_response(),
    }
}
