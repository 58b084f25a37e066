//! The busy summary the slot path reads: what it keeps of the cached calendars (selected ones,
//! never a booking's own copy), merged per host, across month ends, kept up to date by every
//! change of the cache, and built at start-up for caches a migration marked.

use chrono::{DateTime, TimeZone, Utc};
use kairos::storage::bookings::external_busy;
use kairos::storage::calendars::{self as store, BusyRow, ListedCalendar, NewConnection};
use kairos::storage::{Conn, Db, StorageError, busy_summaries, run_migrations};

use crate::helpers::{create_user, spawn_app};

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2031, month, day, hour, 0, 0).unwrap()
}

type Span = (DateTime<Utc>, DateTime<Utc>);

/// Connects `user` with two calendars ("work" selected, "home" not) holding `work` and `home`,
/// as a sync writes them; returns the connection and the calendars' ids.
async fn connect(
    c: &mut Conn<'_>,
    user: i64,
    work: &[(Span, &str)],
    home: &[(Span, &str)],
) -> Result<(i64, Vec<i64>), StorageError> {
    let new = NewConnection {
        user_id: user,
        provider: "caldav",
        account: "me@dav.example",
        account_key: "me@dav.example",
        secrets: "{}",
    };
    let id = store::upsert_connection(c, &new, at(1, 1, 0)).await?;
    let listed: Vec<ListedCalendar<'_>> = ["work", "home"]
        .into_iter()
        .map(|name| ListedCalendar {
            external_id: name,
            name,
            is_primary: name == "work",
            read_only: false,
            time_zone: Some("UTC"),
        })
        .collect();
    store::replace_calendars(c, id, user, &listed, |l| l.is_primary).await?;
    let calendars = store::calendars_of_connection(c, id).await?;
    for calendar in &calendars {
        let blocks = if calendar.external_id == "work" {
            work
        } else {
            home
        };
        let rows: Vec<BusyRow<'_>> = blocks
            .iter()
            .map(|((start, end), uid)| BusyRow {
                start: *start,
                end: *end,
                uid: Some(uid),
                summary: None,
            })
            .collect();
        let covered = (at(1, 1, 0), at(6, 1, 0));
        store::replace_busy(c, calendar, &rows, None, covered, at(1, 1, 0)).await?;
    }
    busy_summaries::refresh(c, user).await?;
    Ok((id, calendars.iter().map(|c| c.id).collect()))
}

async fn busy(db: &Db, user: i64, window: Span) -> Vec<Span> {
    db.run(async |c| external_busy(c, &[user], window.0, window.1).await)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|(host, start, end)| {
            assert_eq!(host, user);
            (start, end)
        })
        .collect()
}

#[tokio::test]
async fn the_summary_merges_selected_calendars_across_a_month_end() {
    let app = spawn_app().await;
    let user = create_user(&app.db, "summary@example.com", "UTC").await.id;
    let work = [
        ((at(1, 31, 22), at(2, 1, 2)), "late@example"),
        ((at(2, 1, 1), at(2, 1, 3)), "overlapping@example"),
        ((at(2, 10, 9), at(2, 10, 10)), "meeting@example"),
    ];
    let home = [((at(2, 12, 9), at(2, 12, 17)), "dentist@example")];
    let (connection, calendars) = app
        .db
        .transaction(async |c| connect(c, user, &work, &home).await)
        .await
        .unwrap();

    let february = (at(2, 1, 0), at(3, 1, 0));
    let expected = vec![(at(1, 31, 22), at(2, 1, 3)), (at(2, 10, 9), at(2, 10, 10))];
    assert_eq!(busy(&app.db, user, february).await, expected);
    assert_eq!(
        busy(&app.db, user, (at(1, 1, 0), at(3, 1, 0))).await,
        expected,
        "read over two months, the block across January's end comes once"
    );
    assert_eq!(
        busy(&app.db, user, (at(1, 1, 0), at(1, 31, 23))).await,
        vec![(at(1, 31, 22), at(2, 1, 3))]
    );

    // Selecting "home" adds its block at once; removing the connection takes everything.
    app.db
        .transaction(async |c| store::set_selected(c, user, calendars[1], true).await)
        .await
        .unwrap();
    let mut with_home = expected.clone();
    with_home.push((at(2, 12, 9), at(2, 12, 17)));
    assert_eq!(busy(&app.db, user, february).await, with_home);
    app.db
        .transaction(async |c| store::delete_connection(c, connection).await)
        .await
        .unwrap();
    assert_eq!(busy(&app.db, user, february).await, vec![]);
}

#[tokio::test]
async fn a_migrated_cache_is_summarised_before_kairos_serves() {
    let app = spawn_app().await;
    let user = create_user(&app.db, "marked@example.com", "UTC").await.id;
    let work = [((at(3, 3, 9), at(3, 3, 11)), "standup@example")];
    app.db
        .transaction(async |c| connect(c, user, &work, &[]).await)
        .await
        .unwrap();
    // What the migration leaves for a cache that existed before it: only the mark.
    app.db
        .execute_sql(&format!(
            "DELETE FROM busy_summaries; \
             INSERT INTO busy_summaries (user_id, month, intervals) VALUES ({user}, -1, {blob})",
            blob = match app.db.backend() {
                kairos::storage::Backend::Sqlite => "X''",
                kairos::storage::Backend::Postgres => "'\\x'::bytea",
            }
        ))
        .await
        .unwrap();
    let march = (at(3, 1, 0), at(4, 1, 0));
    assert_eq!(
        busy(&app.db, user, march).await,
        vec![],
        "marked, not built"
    );

    run_migrations(&app.db).await.unwrap();
    assert_eq!(
        busy(&app.db, user, march).await,
        vec![(at(3, 3, 9), at(3, 3, 11))]
    );
    let marks = app
        .db
        .count_rows("SELECT user_id FROM busy_summaries WHERE month = -1")
        .await
        .unwrap();
    assert_eq!(marks, 0, "the mark goes with the build");
}

#[tokio::test]
async fn an_event_lasting_decades_is_kept_only_around_what_was_read() {
    let app = spawn_app().await;
    let user = create_user(&app.db, "sabbatical@example.com", "UTC")
        .await
        .id;
    let forever = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
    let work = [((at(2, 20, 9), forever), "sabbatical@example")];
    app.db
        .transaction(async |c| connect(c, user, &work, &[]).await)
        .await
        .unwrap();
    // Read over 2031-01-01..2031-06-01: kept until a year after, not a row per month to 2099.
    let kept_until = at(6, 1, 0) + chrono::Duration::days(366);
    assert_eq!(
        busy(&app.db, user, (at(2, 1, 0), at(3, 1, 0))).await,
        vec![(at(2, 20, 9), kept_until)]
    );
    let rows = app
        .db
        .count_rows(&format!(
            "SELECT month FROM busy_summaries WHERE user_id = {user}"
        ))
        .await
        .unwrap();
    assert_eq!(rows, 16, "February 2031 to May 2032");
    let later = Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(
        busy(&app.db, user, (later, later + chrono::Duration::days(30))).await,
        vec![]
    );
}
