//! Rate limits (tower_governor token buckets): one for every route, counted per user for a request with a valid
//! token and per client IP otherwise, and a stricter one per client IP for register and login. Over a limit the
//! answer is the contract's 429 with `Retry-After`. The client IP is the connection's peer, or behind a trusted
//! reverse proxy ([`ClientIp`] with `trust_proxy`) the address the proxy appended to `X-Forwarded-For`.

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

use crate::{RateLimits, auth::bearer, error::ApiError, jwt, sessions::SessionCache};

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

/// Whose bucket a request counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// The user of a valid token: users behind one address (a proxy, an office) do not share a bucket, and one
    /// user's flood never refuses another.
    User(i64),
    /// Requests without a valid token.
    Ip(IpAddr),
}

/// The [`Client`] of a request: the user of its token — `Authorization: Bearer`, or `?token=` on a WebSocket —
/// when the token is well signed, unexpired and not known here to be logged out; else its [`ClientIp`]. The
/// signature check is local (no database read); a token logged out by another process counts in its user's bucket
/// until this one learns of it.
#[derive(Debug, Clone)]
pub struct ClientKey {
    pub ip: ClientIp,
    pub secret: Arc<[u8]>,
    pub sessions: Arc<SessionCache>,
}

impl KeyExtractor for ClientKey {
    type Key = Client;

    fn extract<T>(&self, req: &Request<T>) -> Result<Client, GovernorError> {
        let token = bearer(req.headers()).or_else(|| ws_token(req));
        let user = token
            .and_then(|t| jwt::verify(&self.secret, t).ok())
            .filter(|s| !self.sessions.known_closed(s))
            .map(|s| Client::User(s.user));
        match user {
            Some(user) => Ok(user),
            None => self.ip.extract(req).map(Client::Ip),
        }
    }
}

/// The `token` query parameter of a WebSocket path.
fn ws_token<T>(req: &Request<T>) -> Option<&str> {
    if !req.uri().path().starts_with("/ws/") {
        return None;
    }
    req.uri().query()?.split('&').find_map(|pair| pair.strip_prefix("token=")).filter(|t| !t.is_empty())
}

/// Every route of `router`: `api_burst` at once, then one per `api_refill`, per [`Client`].
pub fn api<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &RateLimits, key: ClientKey) -> Router<S> {
    limit(router, limits.api_burst, limits.api_refill, key)
}

/// Register and login: `auth_burst` at once, then one per `auth_refill`.
pub fn auth<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &RateLimits, ip: ClientIp) -> Router<S> {
    limit(router, limits.auth_burst, limits.auth_refill, ip)
}

fn limit<S, K>(router: Router<S>, burst: u32, refill: std::time::Duration, key: K) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    K: KeyExtractor + Send + Sync + 'static,
    K::Key: Send + Sync + 'static,
{
    let mut builder = GovernorConfigBuilder::default();
    builder.period(refill.max(std::time::Duration::from_nanos(1))).burst_size(burst.max(1));
    let mut builder = builder.key_extractor(key);
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

    #[test]
    fn a_valid_token_counts_for_its_user_and_anything_else_for_the_address() {
        let secret: Arc<[u8]> = Arc::from(&b"0123456789abcdef0123456789abcdef"[..]);
        let key =
            ClientKey { ip: ClientIp { trust_proxy: false }, secret: Arc::clone(&secret), sessions: Arc::default() };
        let token = jwt::issue(&secret, 7, 0, std::time::Duration::from_secs(60)).unwrap_or_default();
        let peer = Some("10.0.0.2:5000");
        let ip = Client::Ip("10.0.0.2".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        let bearer = format!("Bearer {token}");
        assert_eq!(key.extract(&request(&[("authorization", &bearer)], peer)).ok(), Some(Client::User(7)));
        let forged = jwt::issue(b"not the server's secret, 32 bytes!", 8, 0, std::time::Duration::from_secs(60))
            .unwrap_or_default();
        let forged = format!("Bearer {forged}");
        assert_eq!(key.extract(&request(&[("authorization", &forged)], peer)).ok(), Some(ip));
        assert_eq!(key.extract(&request(&[("authorization", "Bearer garbage")], peer)).ok(), Some(ip));
        assert_eq!(key.extract(&request(&[], peer)).ok(), Some(ip));

        let mut ws = request(&[], peer);
        *ws.uri_mut() = format!("/ws/market/BTCUSDT?token={token}").parse().unwrap_or_default();
        assert_eq!(key.extract(&ws).ok(), Some(Client::User(7)), "a WebSocket's token is in its query");
        let mut not_ws = request(&[], peer);
        *not_ws.uri_mut() = format!("/api/bots?token={token}").parse().unwrap_or_default();
        assert_eq!(key.extract(&not_ws).ok(), Some(ip), "only WebSockets take the token from the query");

        // A token this process logged out counts by address again.
        if let Ok(session) = jwt::verify(&secret, &token) {
            key.sessions.logged_out(&session);
        }
        assert_eq!(key.extract(&request(&[("authorization", &bearer)], peer)).ok(), Some(ip));
    }
}
