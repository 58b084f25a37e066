//! Rules the database itself enforces, whatever code writes to it: these tests use plain SQL
//! so that they prove the schema, not the application, keeps the data valid.

use kairos::storage::{Db, StorageError};

use crate::helpers::spawn_app;

const T0: &str = "2030-03-12 09:00:00";

async fn seed_user_and_bookings(db: &Db) {
    db.execute_sql(&format!(
        "INSERT INTO users (email, username, name, time_zone, created_at, updated_at) VALUES
           ('ada@example.com', 'ada', 'Ada', 'UTC', '{T0}', '{T0}'),
           ('bob@example.com', 'bob', 'Bob', 'UTC', '{T0}', '{T0}');
         INSERT INTO bookings (uid, user_id, status, start_at, end_at, title, ical_uid, created_at)
         SELECT 'b' || n, 1, 'ACCEPTED', '{T0}', '2030-03-12 09:30:00', 'Call', 'ical-' || n, '{T0}'
         FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS numbers;"
    ))
    .await
    .unwrap();
}

fn claim(booking: i64, user: i64, start: &str, end: &str, active: bool) -> String {
    format!(
        "INSERT INTO booking_claims (booking_id, user_id, blocked_start, blocked_end, active) \
         VALUES ({booking}, {user}, '2030-03-12 {start}', '2030-03-12 {end}', {active})"
    )
}

#[tokio::test]
async fn a_hosts_active_claims_never_overlap() {
    let app = spawn_app().await;
    let db = &app.db;
    seed_user_and_bookings(db).await;

    db.execute_sql(&claim(1, 1, "09:00:00", "09:30:00", true))
        .await
        .unwrap();
    // Back to back is fine: intervals are half-open.
    db.execute_sql(&claim(2, 1, "09:30:00", "10:00:00", true))
        .await
        .unwrap();
    // Another host at the same time is fine.
    db.execute_sql(&claim(3, 2, "09:00:00", "09:30:00", true))
        .await
        .unwrap();

    let overlap = db
        .execute_sql(&claim(3, 1, "09:15:00", "09:45:00", true))
        .await;
    assert!(matches!(overlap, Err(StorageError::Overlap)), "{overlap:?}");
    let inside = db
        .execute_sql(&claim(4, 1, "09:10:00", "09:20:00", true))
        .await;
    assert!(matches!(inside, Err(StorageError::Overlap)), "{inside:?}");

    // A released (inactive) claim blocks nothing, and cannot be re-activated into an overlap.
    db.execute_sql(&claim(4, 1, "09:10:00", "09:20:00", false))
        .await
        .unwrap();
    let reactivate = db
        .execute_sql("UPDATE booking_claims SET active = TRUE WHERE booking_id = 4")
        .await;
    assert!(
        matches!(reactivate, Err(StorageError::Overlap)),
        "{reactivate:?}"
    );

    // Moving a claim onto another one is refused too; moving it to a free time is not.
    let moved = db
        .execute_sql(
            "UPDATE booking_claims SET blocked_start = '2030-03-12 09:20:00' WHERE booking_id = 2",
        )
        .await;
    assert!(matches!(moved, Err(StorageError::Overlap)), "{moved:?}");
    db.execute_sql(
        "UPDATE booking_claims SET blocked_start = '2030-03-12 11:00:00', blocked_end = '2030-03-12 11:30:00' WHERE booking_id = 2",
    )
    .await
    .unwrap();

    let active = db
        .count_rows("SELECT booking_id FROM booking_claims WHERE user_id = 1 AND active")
        .await
        .unwrap();
    assert_eq!(active, 2);
}

fn claim_between(booking: i64, user: i64, start: &str, end: &str) -> String {
    format!(
        "INSERT INTO booking_claims (booking_id, user_id, blocked_start, blocked_end, active) \
         VALUES ({booking}, {user}, '{start}', '{end}', TRUE)"
    )
}

#[tokio::test]
async fn the_longest_claims_conflict_to_their_end_and_longer_ones_are_refused() {
    let app = spawn_app().await;
    let db = &app.db;
    seed_user_and_bookings(db).await;

    // The most a booking can block: a 24 h event with 24 h buffers on both sides.
    db.execute_sql(&claim_between(
        1,
        1,
        "2030-03-12 00:00:00",
        "2030-03-15 00:00:00",
    ))
    .await
    .unwrap();
    // Its last hour is still taken: the overlap check looks back far enough, also when the new
    // claim's start has a fraction of a second.
    for (start, end) in [
        ("2030-03-14 23:00:00", "2030-03-14 23:30:00"),
        ("2030-03-14 23:59:59.500000", "2030-03-15 00:30:00"),
    ] {
        let late = db.execute_sql(&claim_between(2, 1, start, end)).await;
        assert!(
            matches!(late, Err(StorageError::Overlap)),
            "{start}: {late:?}"
        );
    }
    db.execute_sql(&claim_between(
        2,
        1,
        "2030-03-15 00:00:00",
        "2030-03-15 00:30:00",
    ))
    .await
    .unwrap();

    // Claims longer than a week are refused: the bound the overlap checks rely on.
    let too_long = db
        .execute_sql(&claim_between(
            3,
            2,
            "2030-03-01 00:00:00",
            "2030-03-08 00:00:01",
        ))
        .await;
    assert!(too_long.is_err(), "an 8-day claim was accepted");
    let stretched = db
        .execute_sql(
            "UPDATE booking_claims SET blocked_end = '2030-03-25 00:00:00' WHERE booking_id = 2",
        )
        .await;
    assert!(stretched.is_err(), "a claim was stretched past a week");
    let stored = db
        .count_rows("SELECT booking_id FROM booking_claims WHERE booking_id IN (2, 3) AND blocked_end > '2030-03-16 00:00:00'")
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn booking_history_is_append_only() {
    let app = spawn_app().await;
    let db = &app.db;
    seed_user_and_bookings(db).await;
    db.execute_sql(&format!(
        "INSERT INTO booking_history (booking_id, at, action, actor_kind) VALUES (1, '{T0}', 'created', 'system')"
    ))
    .await
    .unwrap();
    assert!(
        db.execute_sql("UPDATE booking_history SET action = 'forged'")
            .await
            .is_err()
    );
    assert!(db.execute_sql("DELETE FROM booking_history").await.is_err());
    let untouched = db
        .count_rows("SELECT id FROM booking_history WHERE action = 'created'")
        .await
        .unwrap();
    assert_eq!(untouched, 1);
}

#[tokio::test]
async fn slugs_are_unique_per_owner_and_one_schedule_is_default() {
    let app = spawn_app().await;
    let db = &app.db;
    seed_user_and_bookings(db).await;
    let event = |owner: i64| {
        format!(
            "INSERT INTO event_types (owner_id, slug, title, length_minutes, created_at, updated_at) \
             VALUES ({owner}, 'intro', 'Intro', 30, '{T0}', '{T0}')"
        )
    };
    db.execute_sql(&event(1)).await.unwrap();
    db.execute_sql(&event(2)).await.unwrap();
    let duplicate = db.execute_sql(&event(1)).await;
    assert!(
        matches!(duplicate, Err(StorageError::Conflict(_))),
        "{duplicate:?}"
    );

    let schedule = |name: &str| {
        format!(
            "INSERT INTO schedules (user_id, name, time_zone, is_default, created_at, updated_at) \
             VALUES (1, '{name}', 'UTC', TRUE, '{T0}', '{T0}')"
        )
    };
    db.execute_sql(&schedule("Work")).await.unwrap();
    let second_default = db.execute_sql(&schedule("Evenings")).await;
    assert!(
        matches!(second_default, Err(StorageError::Conflict(_))),
        "{second_default:?}"
    );
}

#[tokio::test]
async fn foreign_keys_and_checks_are_enforced() {
    let app = spawn_app().await;
    let db = &app.db;
    seed_user_and_bookings(db).await;
    // A booking for a user that does not exist.
    let orphan = db
        .execute_sql(&format!(
            "INSERT INTO bookings (uid, user_id, status, start_at, end_at, title, ical_uid, created_at) \
             VALUES ('orphan', 999, 'ACCEPTED', '{T0}', '2030-03-12 10:00:00', 'x', 'x', '{T0}')"
        ))
        .await;
    assert!(orphan.is_err(), "foreign key accepted an unknown user");
    // An end before the start, and an unknown status.
    for (status, end) in [
        ("ACCEPTED", "2030-03-12 08:00:00"),
        ("MAYBE", "2030-03-12 10:00:00"),
    ] {
        let bad = db
            .execute_sql(&format!(
                "INSERT INTO bookings (uid, user_id, status, start_at, end_at, title, ical_uid, created_at) \
                 VALUES ('bad-{status}', 1, '{status}', '{T0}', '{end}', 'x', 'x', '{T0}')"
            ))
            .await;
        assert!(bad.is_err(), "accepted status {status} ending {end}");
    }
    // An event type must have exactly one owner: a user or a team.
    let ownerless = db
        .execute_sql(&format!(
            "INSERT INTO event_types (slug, title, length_minutes, created_at, updated_at) \
             VALUES ('x', 'x', 30, '{T0}', '{T0}')"
        ))
        .await;
    assert!(ownerless.is_err());
}
