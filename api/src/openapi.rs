//! The OpenAPI document (`GET /api/openapi.json`): paths come from the handlers' `#[utoipa::path]`, collected by
//! the routers; this module adds the title, the bearer scheme, the error shape and the errors any route may answer
//! ([`StandardErrors`]).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Gridbot API", description = "Grid trading on Binance spot: auth, bots, API keys, market data."),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The one error shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `validation`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `rate_limited`, `exchange`, `internal`.
    pub code: String,
    pub message: String,
    /// Only for 422: each failing key of the input and why.
    pub fields: Option<BTreeMap<String, String>>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The answers the middleware and the extractors give whatever the handler: 401 on every route behind the bearer
/// token, 404 on every route with a path id, 413 and 422 on every route that reads a body, 429 (the rate limits) on
/// every route. A route's own description of one of them is kept. Applied to the whole document, once every router's
/// paths are in it.
#[derive(Debug)]
pub struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        let error = |what: &str| {
            let content =
                ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody"))).build();
            RefOr::T(ResponseBuilder::new().description(what).content("application/json", content).build())
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let reads_body = op.request_body.is_some();
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, what: &str| {
                    responses.entry(code.to_owned()).or_insert_with(|| error(what));
                };
                if secured {
                    add("401", "missing, invalid or expired token, its user does not exist, or its session was ended");
                }
                if has_id {
                    add("404", "no such resource of yours");
                }
                if reads_body {
                    add("413", "the body is over the limit");
                    add("422", "the input is invalid; `fields` names each failing key");
                }
                if path.starts_with("/api/") {
                    add("429", "over the rate limit; retry after `Retry-After` seconds");
                }
            }
        }
    }
}
