//! SMS opt-outs: the numbers that answered an opt-out word to our sender, as the provider's
//! inbound webhook reported them. Numbers are stored in E.164 form.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::sms_opt_outs;
use super::{Conn, StorageResult, to_db_time, with_conn};

/// Records that `phone` opted out at `at` (again: the first time is kept).
pub async fn opt_out(conn: &mut Conn<'_>, phone: &str, at: DateTime<Utc>) -> StorageResult<()> {
    let row = (
        sms_opt_outs::phone.eq(phone),
        sms_opt_outs::opted_out_at.eq(to_db_time(at)),
    );
    with_conn!(conn, |c| {
        diesel::insert_into(sms_opt_outs::table)
            .values(row)
            .on_conflict(sms_opt_outs::phone)
            .do_nothing()
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Forgets an opt-out (`phone` answered START).
pub async fn opt_in(conn: &mut Conn<'_>, phone: &str) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(sms_opt_outs::table.find(phone))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Whether `phone` has opted out.
pub async fn opted_out(conn: &mut Conn<'_>, phone: &str) -> StorageResult<bool> {
    let found: Option<String> = with_conn!(conn, |c| {
        sms_opt_outs::table
            .find(phone)
            .select(sms_opt_outs::phone)
            .first(c)
            .await
            .optional()
    })?;
    Ok(found.is_some())
}
