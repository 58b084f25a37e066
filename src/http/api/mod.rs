//! Cal.com REST API v2 (`/v2/...`): envelopes `{"status":"success","data":…}`.

mod me;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me::get_me));
}
