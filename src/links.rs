//! Signed links to a booking, as emails carry them: its own page, its cancel form and its
//! reschedule page, each with a `token` (a `auth::TokenSigner` token of audience
//! `booking-manage`) bound to the booking's uid and, for a seat of a seated booking, to that
//! seat. A link lives until a week after the booking ends. The pages still open without a
//! token (Cal.com-style links already sent, embeds); a token that is there must check out.
//! Pure apart from each token's random id; imports nothing but `auth`.

use chrono::{DateTime, Duration, Utc};

use crate::auth::{TokenError, TokenSigner};

/// The audience of manage-link tokens.
pub const AUDIENCE: &str = "booking-manage";

/// How long after a booking ends the links about it keep working.
pub fn grace() -> Duration {
    Duration::days(7)
}

/// How long a link about a booking ending at `end` lives when made at `now`: until
/// [`grace`] after the end, and at least a day (an email sent after the end still opens).
pub fn lifetime(end: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (end + grace() - now).max(Duration::days(1))
}

/// The links of one booking, signed for whoever reads them.
#[derive(Clone, Copy)]
pub struct ManageLinks<'a> {
    /// The public base URL (a trailing `/` is ignored).
    pub base: &'a str,
    pub uid: &'a str,
    pub end: DateTime<Utc>,
    /// Signs the links; `None` writes bare ones (a workflow's preview).
    pub signer: Option<&'a TokenSigner>,
    pub now: DateTime<Utc>,
}

impl ManageLinks<'_> {
    /// The booking's page, as the holder of `seat` (Cal.com's `seatReferenceUid`) or, without
    /// one, as the whole booking.
    pub fn page(&self, seat: Option<&str>) -> String {
        self.url(("/booking/", ""), None, seat)
    }

    /// The page with its cancel form open (Cal.com's `?cancel=true`).
    pub fn cancel(&self, seat: Option<&str>) -> String {
        self.url(("/booking/", ""), Some(("cancel", "true")), seat)
    }

    /// The booker again, moving this booking (or `seat`).
    pub fn reschedule(&self, seat: Option<&str>) -> String {
        self.url(("/reschedule/", ""), None, seat)
    }

    /// The booking as an iCalendar file.
    pub fn ics(&self, seat: Option<&str>) -> String {
        self.url(("/booking/", "/ics"), None, seat)
    }

    /// The token alone, for a link built elsewhere (the portal's).
    pub fn token(&self, seat: Option<&str>) -> Option<String> {
        let ttl = lifetime(self.end, self.now);
        let data = seat.map(str::to_owned);
        (self.signer).map(|s| s.issue(AUDIENCE, self.uid, data, ttl, self.now))
    }

    /// `path.0` uid `path.1`, then the query.
    fn url(&self, path: (&str, &str), first: Option<(&str, &str)>, seat: Option<&str>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some((key, value)) = first {
            query.append_pair(key, value);
        }
        if let Some(seat) = seat {
            query.append_pair("seatReferenceUid", seat);
        }
        if let Some(token) = self.token(seat) {
            query.append_pair("token", &token);
        }
        let query = query.finish();
        let base = self.base.trim_end_matches('/');
        let separator = if query.is_empty() { "" } else { "?" };
        format!("{base}{}{}{}{separator}{query}", path.0, self.uid, path.1)
    }
}

/// Whether `token` opens booking `uid` as the holder of `seat` (none: the whole booking) at
/// `now`: signed by this instance for this audience, unexpired, and naming that booking and
/// that seat.
pub fn check(
    signer: &TokenSigner,
    token: &str,
    uid: &str,
    seat: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), TokenError> {
    let claims = signer.verify(token, AUDIENCE, now)?;
    if claims.sub == uid && claims.data.as_deref() == seat {
        Ok(())
    } else {
        Err(TokenError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_900_000_000, 0).unwrap() + Duration::hours(hours)
    }

    fn links(signer: &TokenSigner) -> ManageLinks<'_> {
        ManageLinks {
            base: "https://cal.example/",
            uid: "uid1",
            end: at(48),
            signer: Some(signer),
            now: at(0),
        }
    }

    fn token_of(url: &str) -> String {
        let query = url.split_once('?').unwrap().1;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "token")
            .unwrap()
            .1
            .into_owned()
    }

    #[test]
    fn a_link_opens_its_booking_and_seat_until_a_week_after_the_end() {
        let signer = TokenSigner::new(&[3; 32]);
        let url = links(&signer).page(Some("seat-a"));
        assert!(url.starts_with("https://cal.example/booking/uid1?seatReferenceUid=seat-a&token="));
        let token = token_of(&url);
        assert_eq!(
            check(&signer, &token, "uid1", Some("seat-a"), at(1)),
            Ok(())
        );
        let last = at(48) + grace();
        assert_eq!(
            check(
                &signer,
                &token,
                "uid1",
                Some("seat-a"),
                last - Duration::seconds(1)
            ),
            Ok(())
        );
        assert_eq!(
            check(&signer, &token, "uid1", Some("seat-a"), last),
            Err(TokenError::Expired)
        );
        // Another booking, another seat, the whole booking: refused.
        for (uid, seat) in [
            ("uid2", Some("seat-a")),
            ("uid1", Some("seat-b")),
            ("uid1", None),
        ] {
            assert_eq!(
                check(&signer, &token, uid, seat, at(1)),
                Err(TokenError::Invalid)
            );
        }
        let other = TokenSigner::new(&[4; 32]);
        assert_eq!(
            check(&other, &token, "uid1", Some("seat-a"), at(1)),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn cancel_and_reschedule_links_and_bare_previews() {
        let signer = TokenSigner::new(&[3; 32]);
        let cancel = links(&signer).cancel(None);
        assert!(cancel.starts_with("https://cal.example/booking/uid1?cancel=true&token="));
        assert_eq!(
            check(&signer, &token_of(&cancel), "uid1", None, at(1)),
            Ok(())
        );
        let moved = links(&signer).reschedule(None);
        assert!(moved.starts_with("https://cal.example/reschedule/uid1?token="));
        let ics = links(&signer).ics(Some("s"));
        assert!(ics.starts_with("https://cal.example/booking/uid1/ics?seatReferenceUid=s&token="));
        let bare = ManageLinks {
            signer: None,
            ..links(&signer)
        };
        assert_eq!(bare.page(None), "https://cal.example/booking/uid1");
        assert_eq!(
            bare.cancel(Some("s")),
            "https://cal.example/booking/uid1?cancel=true&seatReferenceUid=s"
        );
    }

    #[test]
    fn a_link_made_after_the_end_still_lives_a_day() {
        assert_eq!(lifetime(at(0), at(24 * 30)), Duration::days(1));
        assert_eq!(lifetime(at(24), at(0)), Duration::days(8));
    }
}
