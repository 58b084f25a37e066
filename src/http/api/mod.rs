//! Cal.com REST API v2 (`/v2/...`): envelopes `{"status":"success","data":…}`.

mod availability;
mod me;
mod schedules;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me::get_me))
        .service(
            web::resource("/schedules")
                .route(web::get().to(schedules::list))
                .route(web::post().to(schedules::create)),
        )
        .route("/schedules/default", web::get().to(schedules::default))
        .service(
            web::resource("/schedules/{id}")
                .route(web::get().to(schedules::get))
                .route(web::patch().to(schedules::update))
                .route(web::delete().to(schedules::delete)),
        )
        .service(
            web::resource("/availability/query")
                .app_data(web::PayloadConfig::new(availability::MAX_QUERY_BODY))
                .route(web::post().to(availability::query)),
        );
}
