//! `GET /metrics` in Prometheus' text format: request counts and latency histograms per route
//! pattern (recorded by the request middleware, in this process), and at scrape time what
//! the database says (booking changes, deliveries and jobs by status, queue depth and lag) and
//! how the connection pool stands. Off unless `KAIROS_METRICS_TOKEN` or `KAIROS_METRICS_BIND`
//! is set; a hand-written registry, since a few counters need no client library.

use std::collections::BTreeMap;
use std::fmt::{Display, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::AppState;
use crate::error::ApiError;
use crate::jobs::Tally;
use crate::secret::Secret;
use crate::storage::metrics::Snapshot;
use crate::storage::{PoolStatus, StorageError};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const DATABASE_TIMEOUT: Duration = Duration::from_secs(5);

/// The requests this process answered, per method and route pattern (never the raw path: it
/// holds uids, and every booking would be a new series).
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, &'static str), RouteStats>>,
    /// The job runners' outcome counts, by queue.
    queues: Mutex<Vec<(&'static str, Arc<Tally>)>>,
}

#[derive(Default)]
struct RouteStats {
    statuses: BTreeMap<u16, u64>,
    /// Per bucket, not cumulative; the renderer adds them up.
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Metrics {
    /// One answered request. `route` is the matched pattern, e.g. `/v2/bookings/{bookingUid}`.
    pub fn record(&self, method: &str, route: Option<String>, status: u16, seconds: f64) {
        let route = route.unwrap_or_else(|| "unmatched".to_owned());
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = routes.entry((route, method_label(method))).or_default();
        *stats.statuses.entry(status).or_default() += 1;
        if let Some(i) = BUCKETS.iter().position(|le| seconds <= *le) {
            stats.buckets[i] += 1;
        }
        stats.sum += seconds;
        stats.count += 1;
    }

    /// Where `queue`'s runner in this process counts its attempts.
    pub fn tally(&self, queue: &'static str) -> Arc<Tally> {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, tally)) = queues.iter().find(|(q, _)| *q == queue) {
            return tally.clone();
        }
        let tally = Arc::new(Tally::default());
        queues.push((queue, tally.clone()));
        tally
    }

    fn render_jobs(&self, out: &mut Exposition) {
        out.family(
            "kairos_job_attempts_total",
            "counter",
            "Attempts at background jobs by this process (webhook deliveries, emails), by queue \
             and what followed: done, retry or dead (given up).",
        );
        let queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        for (queue, tally) in queues.iter() {
            for (outcome, n) in tally.read() {
                let labels = [("queue", *queue), ("outcome", outcome)];
                out.sample("kairos_job_attempts_total", &labels, n);
            }
        }
    }

    fn render(&self, out: &mut Exposition) {
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        out.family(
            "kairos_http_requests_total",
            "counter",
            "HTTP requests answered by this process, by method, route pattern and status.",
        );
        for ((route, method), stats) in routes.iter() {
            for (status, n) in &stats.statuses {
                let status = status.to_string();
                let labels = [("method", *method), ("route", route), ("status", &status)];
                out.sample("kairos_http_requests_total", &labels, n);
            }
        }
        out.family(
            "kairos_http_request_duration_seconds",
            "histogram",
            "Time from a request's headers to its answer, by method and route pattern.",
        );
        for ((route, method), stats) in routes.iter() {
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += n;
                let le = le.to_string();
                let labels = [("method", *method), ("route", route), ("le", &le)];
                out.sample(
                    "kairos_http_request_duration_seconds_bucket",
                    &labels,
                    cumulative,
                );
            }
            let labels = [("method", *method), ("route", route), ("le", "+Inf")];
            out.sample(
                "kairos_http_request_duration_seconds_bucket",
                &labels,
                stats.count,
            );
            let labels = [("method", *method), ("route", route.as_str())];
            out.sample(
                "kairos_http_request_duration_seconds_sum",
                &labels,
                stats.sum,
            );
            out.sample(
                "kairos_http_request_duration_seconds_count",
                &labels,
                stats.count,
            );
        }
    }
}

/// Methods a client invents would each be a new series.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("other")
}

/// Where `/metrics` is served and who may read it.
#[derive(Clone)]
pub struct MetricsAccess {
    /// Served by this listener (the main one when only a token is set; else the metrics one).
    pub served_here: bool,
    pub token: Option<Secret>,
}

impl MetricsAccess {
    fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        if !self.served_here {
            return Err(ApiError::NotFound(format!(
                "Cannot {} {}: no such route",
                req.method(),
                req.path()
            )));
        }
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if same_bytes(given.as_bytes(), token.expose().as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::Unauthorized(
                "Metrics need `Authorization: Bearer <KAIROS_METRICS_TOKEN>`".into(),
            ))
        }
    }
}

/// Equality that takes as long wherever the first difference is.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /metrics`.
pub async fn scrape(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    access: web::Data<MetricsAccess>,
) -> Result<HttpResponse, ApiError> {
    access.check(&req)?;
    let db = state.db.clone();
    let now = Utc::now();
    // The timeout drops the waiting future, never the query itself (see `detached`).
    let read = super::detached(async move {
        let queues = [crate::notify::QUEUE];
        db.run(async |c| crate::storage::metrics::snapshot(c, now, &queues).await)
            .await
    });
    let snapshot = match tokio::time::timeout(DATABASE_TIMEOUT, read).await {
        Ok(Ok(Ok(snapshot))) => Some(snapshot),
        Ok(Ok(Err::<_, StorageError>(e))) => {
            tracing::warn!(error = %e, "metrics could not read the database");
            None
        }
        Ok(Err(e)) => return Err(e),
        Err(_) => None,
    };
    let mut out = Exposition::default();
    metrics.render(&mut out);
    metrics.render_jobs(&mut out);
    render_pool(&mut out, state.db.pool_status());
    render_database(&mut out, snapshot.as_ref(), now);
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"))
        .body(out.0))
}

/// The listener of `KAIROS_METRICS_BIND`: `/metrics` and nothing else.
pub fn server(
    listener: std::net::TcpListener,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    token: Option<Secret>,
) -> std::io::Result<actix_web::dev::Server> {
    let access = web::Data::new(MetricsAccess {
        served_here: true,
        token,
    });
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(access.clone())
            .route("/metrics", web::get().to(scrape))
            .default_service(web::to(super::not_found))
    })
    .workers(1)
    .listen(listener)?;
    Ok(server.run())
}

fn render_pool(out: &mut Exposition, pool: PoolStatus) {
    let gauges = [
        (
            "kairos_db_pool_max_connections",
            "The pool's size limit (KAIROS_DATABASE_MAX_CONNECTIONS).",
            pool.max_size,
        ),
        (
            "kairos_db_pool_open_connections",
            "Connections open, in use or idle.",
            pool.open,
        ),
        (
            "kairos_db_pool_idle_connections",
            "Open connections not in use.",
            pool.idle,
        ),
        (
            "kairos_db_pool_waiting",
            "Callers waiting for a connection.",
            pool.waiting,
        ),
    ];
    for (name, help, value) in gauges {
        out.family(name, "gauge", help);
        out.sample(name, &[], value);
    }
}

fn render_database(out: &mut Exposition, snapshot: Option<&Snapshot>, now: chrono::DateTime<Utc>) {
    out.family(
        "kairos_database_up",
        "gauge",
        "1 when this scrape could read the database.",
    );
    out.sample("kairos_database_up", &[], u8::from(snapshot.is_some()));
    let Some(s) = snapshot else {
        return;
    };
    out.family(
        "kairos_booking_changes_total",
        "counter",
        "Booking history entries by action, from the database (the same on every instance).",
    );
    for (action, n) in &s.booking_changes {
        out.sample("kairos_booking_changes_total", &[("action", action)], n);
    }
    out.family(
        "kairos_webhook_deliveries",
        "gauge",
        "Stored webhook deliveries by status.",
    );
    for (status, n) in &s.webhook_deliveries {
        out.sample("kairos_webhook_deliveries", &[("status", status)], n);
    }
    out.family(
        "kairos_jobs",
        "gauge",
        "Stored jobs (emails) by queue and status.",
    );
    for (queue, status, n) in &s.jobs {
        out.sample("kairos_jobs", &[("queue", queue), ("status", status)], n);
    }
    out.family(
        "kairos_queue_depth",
        "gauge",
        "Work that is due and not yet done, by queue.",
    );
    for b in &s.backlogs {
        out.sample("kairos_queue_depth", &[("queue", &b.queue)], b.due);
    }
    out.family(
        "kairos_queue_lag_seconds",
        "gauge",
        "How long the oldest due work has waited, by queue (0 when none is due).",
    );
    for b in &s.backlogs {
        let lag = b.oldest_due.map_or(0.0, |at| {
            (now - at).num_milliseconds().max(0) as f64 / 1000.0
        });
        out.sample("kairos_queue_lag_seconds", &[("queue", &b.queue)], lag);
    }
}

/// Prometheus' text exposition format, written as it goes.
#[derive(Default)]
struct Exposition(String);

impl Exposition {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            let pairs: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = write!(self.0, "{{{}}}", pairs.join(","));
        }
        let _ = writeln!(self.0, " {value}");
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_the_count() {
        let metrics = Metrics::default();
        for seconds in [0.001, 0.02, 0.02, 30.0] {
            metrics.record("GET", Some("/v2/slots".into()), 200, seconds);
        }
        metrics.record("BREW", None, 404, 0.001);
        let mut out = Exposition::default();
        metrics.render(&mut out);
        let text = out.0;
        let bucket = |le: &str| {
            format!(
                "kairos_http_request_duration_seconds_bucket{{method=\"GET\",route=\"/v2/slots\",le=\"{le}\"}} "
            )
        };
        assert!(text.contains(&format!("{}1\n", bucket("0.005"))), "{text}");
        assert!(text.contains(&format!("{}3\n", bucket("0.025"))), "{text}");
        assert!(text.contains(&format!("{}3\n", bucket("10"))), "{text}");
        assert!(text.contains(&format!("{}4\n", bucket("+Inf"))), "{text}");
        assert!(text.contains(
            "kairos_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1"
        ));
    }

    #[test]
    fn label_values_are_escaped() {
        let mut out = Exposition::default();
        out.sample("m", &[("l", "a\"b\\c\nd")], 1);
        assert_eq!(out.0, "m{l=\"a\\\"b\\\\c\\nd\"} 1\n");
    }
}
