//! The public booking pages: a person's and a team's event types, and the booker (month
//! calendar, the day's times, the form) for booking and for rescheduling by link.
//!
//! Server-rendered: every step is a URL whose query says where the booker is (`month`, `date`,
//! `slot`), in which zone and clock (`tz`, `hour`), for which length (`duration`) and language
//! (`lang`). Everything else in the query (pre-fill values, embed parameters) is carried along
//! from link to link. Slots come from `booking::slots`, the code path of `GET /v2/slots`.
//!
//! `profiles` lists event types; `state` reads what a booker URL asks for; `month` lays out the
//! calendar and times; `form` builds the inputs and reads answers; `page` renders the booker;
//! `submit` books from the posted form; `routing_form` is a routing form's hosted page, which
//! sends the booker on to a booking page.

mod form;
mod month;
mod page;
mod profiles;
mod routing_form;
mod state;
mod submit;

pub use page::show;
pub use profiles::{profile, team_profile};
pub use routing_form::{show as show_form, submit as submit_form};
pub use submit::submit;
