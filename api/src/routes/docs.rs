//! `GET /docs`: a page that lists every route of `/api/openapi.json` with its parameters, body and answers. Its HTML,
//! script and style ship inside the binary (no CDN).

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

const PAGE: &str = include_str!("docs.html");

pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
            ),
        ],
        PAGE,
    )
        .into_response()
}
