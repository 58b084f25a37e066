//! Cal.com REST API v2 (`/v2/...`): envelopes `{"status":"success","data":…}`.

mod availability;
mod bookings;
mod event_types;
mod me;
mod schedules;
mod slots;
mod teams;

use actix_web::web;
use serde_json::{Value, json};

/// Cal.com's success envelope.
pub fn success(data: Value) -> Value {
    json!({"status": "success", "data": data})
}

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
            web::resource("/event-types")
                .route(web::get().to(event_types::list))
                .route(web::post().to(event_types::create)),
        )
        .service(
            web::resource("/event-types/{id}")
                .route(web::get().to(event_types::get))
                .route(web::patch().to(event_types::update))
                .route(web::delete().to(event_types::delete)),
        )
        .service(
            web::resource("/teams")
                .route(web::get().to(teams::list))
                .route(web::post().to(teams::create)),
        )
        .service(
            web::resource("/teams/{id}")
                .route(web::get().to(teams::get))
                .route(web::patch().to(teams::update))
                .route(web::delete().to(teams::delete)),
        )
        .service(
            web::resource("/teams/{id}/memberships")
                .route(web::get().to(teams::memberships))
                .route(web::post().to(teams::add_membership)),
        )
        .service(
            web::resource("/teams/{id}/memberships/{membershipId}")
                .route(web::get().to(teams::get_membership))
                .route(web::patch().to(teams::update_membership))
                .route(web::delete().to(teams::delete_membership)),
        )
        .service(
            web::resource("/teams/{id}/event-types")
                .route(web::get().to(event_types::team_list))
                .route(web::post().to(event_types::team_create)),
        )
        .service(
            web::resource("/teams/{id}/event-types/{eventTypeId}")
                .route(web::get().to(event_types::team_get))
                .route(web::patch().to(event_types::team_update))
                .route(web::delete().to(event_types::team_delete)),
        )
        .route("/slots", web::get().to(slots::get))
        .route("/slots/available", web::get().to(slots::get))
        .route("/slots/reservations", web::post().to(slots::reserve))
        .service(
            web::resource("/slots/reservations/{uid}")
                .route(web::get().to(slots::get_reservation))
                .route(web::patch().to(slots::update_reservation))
                .route(web::delete().to(slots::delete_reservation)),
        )
        .service(
            web::resource("/bookings")
                .route(web::get().to(bookings::list))
                .route(web::post().to(bookings::create)),
        )
        .route("/bookings/{uid}", web::get().to(bookings::get))
        .route("/bookings/{uid}/history", web::get().to(bookings::history))
        .route("/bookings/{uid}/cancel", web::post().to(bookings::cancel))
        .route(
            "/bookings/{uid}/reschedule",
            web::post().to(bookings::reschedule),
        )
        .route("/bookings/{uid}/confirm", web::post().to(bookings::confirm))
        .route("/bookings/{uid}/decline", web::post().to(bookings::decline))
        .route(
            "/bookings/{uid}/mark-absent",
            web::post().to(bookings::mark_absent),
        )
        .service(
            web::resource("/availability/query")
                .app_data(web::PayloadConfig::new(availability::MAX_QUERY_BODY))
                .route(web::post().to(availability::query)),
        );
}
