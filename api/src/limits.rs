//! Rate limits per client IP (tower_governor token buckets): one for every route, a stricter one for register and
//! login. Over a limit the answer is the contract's 429 with `Retry-After`. The client IP is the connection's peer,
//! or behind a trusted reverse proxy ([`ClientIp`] with `trust_proxy`) the address the proxy appended to
//! `X-Forwarded-For`.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    Router,
    extract::ConnectInfo,
    http::{HeaderMap, Request},
    response::IntoResponse,
};
use tower_governor::{GovernorError, GovernorLayer, governor::GovernorConfigBuilder, key_extractor::KeyExtractor};

use crate::{RateLimits, error::ApiError};

/// The client address a request is counted under.
///
/// With `trust_proxy`, the **last** `X-Forwarded-For` entry (the one the nearest proxy appended — nginx's
/// `$proxy_add_x_forwarded_for` keeps whatever the client sent in front of it), then `X-Real-IP`, then the peer.
/// tower_governor's `SmartIpKeyExtractor` takes the first entry instead, which a client chooses freely: each forged
/// value would get a fresh bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp {
    pub trust_proxy: bool,
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let proxied = || forwarded_for(req.headers()).or_else(|| real_ip(req.headers()));
        let peer = || req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = if self.trust_proxy { proxied().or_else(peer) } else { peer() };
        ip.ok_or(GovernorError::UnableToExtractKey)
    }
}

fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let all: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    all.iter().rev().flat_map(|v| v.rsplit(',')).map(str::trim).find(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

fn real_ip(headers: &HeaderMap) -> Option<IpAddr> {
    headers.get("x-real-ip")?.to_str().ok()?.trim().parse().ok()
}

/// Every route of `router`: `api_burst` at once, then one per `api_refill`.
pub fn api<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &RateLimits, ip: ClientIp) -> Router<S> {
    limit(router, limits.api_burst, limits.api_refill, ip)
}

/// Register and login: `auth_burst` at once, then one per `auth_refill`.
pub fn auth<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &RateLimits, ip: ClientIp) -> Router<S> {
    limit(router, limits.auth_burst, limits.auth_refill, ip)
}

fn limit<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    burst: u32,
    refill: std::time::Duration,
    ip: ClientIp,
) -> Router<S> {
    let mut builder = GovernorConfigBuilder::default();
    builder.period(refill.max(std::time::Duration::from_nanos(1))).burst_size(burst.max(1));
    let mut builder = builder.key_extractor(ip);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)], peer: Option<&str>) -> Request<()> {
        let mut b = Request::builder();
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let mut req = b.body(()).unwrap_or_default();
        if let Some(p) = peer {
            req.extensions_mut().insert(ConnectInfo(p.parse::<SocketAddr>().unwrap_or(([0, 0, 0, 0], 0).into())));
        }
        req
    }

    #[test]
    fn the_proxy_appended_address_counts_only_when_trusted() {
        let trusted = ClientIp { trust_proxy: true };
        let direct = ClientIp { trust_proxy: false };
        let forged = request(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7")], Some("10.0.0.2:5000"));
        assert_eq!(trusted.extract(&forged).ok(), "203.0.113.7".parse().ok());
        assert_eq!(direct.extract(&forged).ok(), "10.0.0.2".parse().ok());
        let real = request(&[("x-real-ip", "198.51.100.4")], Some("10.0.0.2:5000"));
        assert_eq!(trusted.extract(&real).ok(), "198.51.100.4".parse().ok());
        let none = request(&[], Some("10.0.0.2:5000"));
        assert_eq!(trusted.extract(&none).ok(), "10.0.0.2".parse().ok());
        assert!(direct.extract(&request(&[], None)).is_err());
    }
}
