//! The API integration tests: one binary, a real HTTP server on port 0 and a fresh database per
//! test (a temporary SQLite file, or a new PostgreSQL database when TEST_DATABASE_URL is set).

mod availability;
mod bookings;
mod browser;
mod calendar_feed;
mod calendar_push;
mod calendars;
mod calendars_caldav;
mod calendars_e2e;
mod calendars_google;
mod calendars_ics;
mod calendars_microsoft;
mod cli;
mod constraints;
mod disclosure;
mod email;
mod event_types;
mod fake_google;
mod fake_microsoft;
mod health;
mod helpers;
mod input;
mod jobs;
mod limits;
mod me;
mod metrics;
mod openapi;
mod pages;
mod postgres_tls;
mod process;
mod proof_of_work;
mod schedules;
mod schema;
mod security;
mod webhooks;
mod workloads;
