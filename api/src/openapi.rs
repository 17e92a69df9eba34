//! The OpenAPI document (`GET /api/openapi.json`): paths come from the handlers' `#[utoipa::path]`, collected by
//! the routers; this module adds the title, the bearer scheme and the error shape.

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
