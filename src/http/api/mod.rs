//! Cal.com REST API v2 (`/v2/...`): envelopes `{"status":"success","data":…}`.

mod availability;
mod me;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me::get_me)).service(
        web::resource("/availability/query")
            .app_data(web::PayloadConfig::new(availability::MAX_QUERY_BODY))
            .route(web::post().to(availability::query)),
    );
}
