//! The HTTP routes of `relance serve`, and the middleware timing them.

use super::state::Services;
use super::{act_routes, call_links, discord_routes, plan_links, slack_commands, slack_routes, teams_routes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::Instant;

/// Largest request body accepted: interaction payloads are a few KB.
const MAX_BODY: usize = 256 * 1024;

pub fn router(svc: Arc<Services>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/slack/interactions", post(slack_routes::interactions))
        .route("/slack/commands", post(slack_commands::commands))
        .route("/discord/interactions", post(discord_routes::interactions))
        .route("/teams/outgoing", post(teams_routes::outgoing))
        .route("/act/{token}", get(act_routes::act_get).post(act_routes::act_post))
        .route("/call/{token}", get(call_links::call_get).post(call_links::call_post))
        .route("/plan/{token}", get(plan_links::plan_get).post(plan_links::plan_post))
        .route("/digest", get(act_routes::digest))
        .layer(middleware::from_fn_with_state(svc.clone(), timed))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(svc)
}

/// Liveness and readiness: the database answers.
async fn healthz(State(svc): State<Arc<Services>>) -> Response {
    match svc.store.last_import_at().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(State(svc): State<Arc<Services>>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], svc.metrics.render()).into_response()
}

/// Records each request's latency by route pattern (never by the raw path,
/// which holds link tokens).
async fn timed(State(svc): State<Arc<Services>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let start = Instant::now();
    let response = next.run(request).await;
    let route = route.unwrap_or_else(|| "unmatched".to_string());
    svc.metrics.observe(&route, response.status().as_u16(), start.elapsed().as_secs_f64());
    response
}
