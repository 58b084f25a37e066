//! `POST /v2/bookings` without a key, as the API reads the body: any bytes give a request or a
//! 400 naming a field, never a panic; a request holds no control character a database refuses.
#![no_main]

use actix_web::ResponseError;
use kairos::http::read_booking_request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match read_booking_request(bytes) {
        Ok(request) => {
            let name = request.attendee.name.as_str();
            assert!(!name.contains('\0'), "a NUL reached the request: {name:?}");
        }
        Err(error) => assert_eq!(error.status_code().as_u16(), 400, "{error}"),
    }
});
