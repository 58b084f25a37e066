// The one portable diesel schema for both backends: ids BigInt or Text, instants Timestamp (UTC),
// JSON as Text. Keep it in step with migrations/{sqlite,postgres}; tests/api/schema.rs checks all three.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        username -> Text,
        name -> Text,
        time_zone -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        locale -> Text,
        week_start -> Text,
        time_format -> Integer,
        bio -> Text,
        brand_color -> Text,
        dark_brand_color -> Text,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    teams (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        bio -> Text,
        time_zone -> Text,
        brand_color -> Text,
        booking_limits -> Nullable<Text>,
        rr_reset_interval -> Text,
        rr_timestamp_basis -> Text,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        team_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        accepted -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    schedules (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        time_zone -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    availability_rules (id) {
        id -> BigInt,
        schedule_id -> BigInt,
        days -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
    }
}

diesel::table! {
    date_overrides (id) {
        id -> BigInt,
        schedule_id -> BigInt,
        date -> Date,
        start_minute -> Integer,
        end_minute -> Integer,
    }
}

diesel::table! {
    availability_patterns (id) {
        id -> BigInt,
        schedule_id -> BigInt,
        rrule -> Text,
        starts_on -> Date,
        start_minute -> Integer,
        end_minute -> Integer,
    }
}

diesel::table! {
    out_of_office (id) {
        id -> BigInt,
        user_id -> BigInt,
        start_at -> Timestamp,
        end_at -> Timestamp,
        reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        redirect_user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    event_types (id) {
        id -> BigInt,
        owner_id -> Nullable<BigInt>,
        team_id -> Nullable<BigInt>,
        slug -> Text,
        title -> Text,
        description -> Text,
        length_minutes -> Integer,
        length_options -> Nullable<Text>,
        slot_interval -> Nullable<Integer>,
        offset_start -> Integer,
        before_buffer -> Integer,
        after_buffer -> Integer,
        minimum_notice -> Integer,
        booking_window -> Nullable<Text>,
        booking_limits -> Nullable<Text>,
        duration_limits -> Nullable<Text>,
        seats_per_slot -> Nullable<Integer>,
        requires_confirmation -> Bool,
        unconfirmed_blocks_slot -> Bool,
        booking_fields -> Text,
        locations -> Text,
        schedule_id -> Nullable<BigInt>,
        restriction_schedule_id -> Nullable<BigInt>,
        scheduling_type -> Nullable<Text>,
        hidden -> Bool,
        only_show_first_slot -> Bool,
        settings -> Text,
        metadata -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    hosts (id) {
        id -> BigInt,
        event_type_id -> BigInt,
        user_id -> BigInt,
        is_fixed -> Bool,
        weight -> Integer,
        priority -> Integer,
        schedule_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        group_id -> Nullable<Text>,
    }
}

diesel::table! {
    host_groups (id) {
        id -> Text,
        event_type_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bookings (id) {
        id -> BigInt,
        uid -> Text,
        event_type_id -> Nullable<BigInt>,
        user_id -> BigInt,
        status -> Text,
        start_at -> Timestamp,
        end_at -> Timestamp,
        title -> Text,
        description -> Text,
        location -> Nullable<Text>,
        responses -> Text,
        metadata -> Text,
        ical_uid -> Text,
        ical_sequence -> Integer,
        rescheduled -> Bool,
        from_reschedule -> Nullable<Text>,
        rescheduled_by -> Nullable<Text>,
        reschedule_reason -> Nullable<Text>,
        cancellation_reason -> Nullable<Text>,
        cancelled_by -> Nullable<Text>,
        rejection_reason -> Nullable<Text>,
        no_show_host -> Bool,
        assignment_reason -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        recurring_event_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attendees (id) {
        id -> BigInt,
        booking_id -> BigInt,
        email -> Text,
        name -> Text,
        time_zone -> Text,
        locale -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        no_show -> Bool,
        seat_uid -> Nullable<Text>,
        created_at -> Timestamp,
        responses -> Nullable<Text>,
    }
}

diesel::table! {
    booking_claims (booking_id,user_id) {
        booking_id -> BigInt,
        user_id -> BigInt,
        blocked_start -> Timestamp,
        blocked_end -> Timestamp,
        active -> Bool,
    }
}

diesel::table! {
    booking_history (id) {
        id -> BigInt,
        booking_id -> BigInt,
        at -> Timestamp,
        action -> Text,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        changes -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    slot_reservations (uid) {
        uid -> Text,
        event_type_id -> BigInt,
        user_id -> Nullable<BigInt>,
        slot_start -> Timestamp,
        slot_end -> Timestamp,
        expires_at -> Timestamp,
        is_seat -> Bool,
        created_at -> Timestamp,
        booker_key -> Nullable<Text>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        user_id -> Nullable<BigInt>,
        event_type_id -> Nullable<BigInt>,
        team_id -> Nullable<BigInt>,
        subscriber_url -> Text,
        active -> Bool,
        triggers -> Text,
        secret -> Nullable<Text>,
        payload_template -> Nullable<Text>,
        version -> Text,
        time -> Nullable<Integer>,
        time_unit -> Nullable<Text>,
        consecutive_failures -> Integer,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        trigger_event -> Text,
        booking_id -> Nullable<BigInt>,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        content_type -> Text,
        version -> Text,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        latency_ms -> Integer,
        response_excerpt -> Nullable<Text>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    calendar_connections (id) {
        id -> BigInt,
        user_id -> BigInt,
        provider -> Text,
        account -> Text,
        account_key -> Text,
        secrets -> Text,
        status -> Text,
        invalid_reason -> Nullable<Text>,
        failures -> Integer,
        last_error -> Nullable<Text>,
        synced_at -> Nullable<Timestamp>,
        blocks_after -> Nullable<Timestamp>,
        sync_due_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    connection_calendars (id) {
        id -> BigInt,
        connection_id -> BigInt,
        user_id -> BigInt,
        external_id -> Text,
        name -> Text,
        is_primary -> Bool,
        read_only -> Bool,
        time_zone -> Nullable<Text>,
        selected -> Bool,
        cursor -> Nullable<Text>,
        synced_at -> Nullable<Timestamp>,
        covered_from -> Nullable<Timestamp>,
        covered_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    busy_intervals (id) {
        id -> BigInt,
        calendar_id -> BigInt,
        user_id -> BigInt,
        start_at -> Timestamp,
        end_at -> Timestamp,
        uid -> Nullable<Text>,
        summary -> Nullable<Text>,
    }
}

diesel::table! {
    sms_opt_outs (phone) {
        phone -> Text,
        opted_out_at -> Timestamp,
    }
}

diesel::table! {
    busy_summaries (user_id, month) {
        user_id -> BigInt,
        month -> Integer,
        intervals -> Binary,
    }
}

diesel::table! {
    destination_calendars (id) {
        id -> BigInt,
        user_id -> BigInt,
        event_type_id -> Nullable<BigInt>,
        calendar_id -> BigInt,
    }
}

diesel::table! {
    calendar_events (id) {
        id -> BigInt,
        booking_id -> BigInt,
        user_id -> BigInt,
        calendar_id -> Nullable<BigInt>,
        external_id -> Text,
        etag -> Nullable<Text>,
        meeting_url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    booking_conflicts (id) {
        id -> BigInt,
        booking_id -> BigInt,
        user_id -> BigInt,
        calendar_id -> BigInt,
        start_at -> Timestamp,
        end_at -> Timestamp,
        summary -> Nullable<Text>,
        detected_at -> Timestamp,
    }
}

diesel::table! {
    calendar_channels (id) {
        id -> Text,
        calendar_id -> BigInt,
        resource_id -> Nullable<Text>,
        token_hash -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    spent_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        queue -> Text,
        kind -> Text,
        payload -> Text,
        dedupe_key -> Nullable<Text>,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        booking_id -> Nullable<BigInt>,
    }
}
diesel::table! {
    job_attempts (id) {
        id -> BigInt,
        job_id -> Text,
        attempted_at -> Timestamp,
        latency_ms -> Integer,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (key) {
        key -> Text,
        request_hash -> Text,
        booking_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(job_attempts -> jobs (job_id));
diesel::joinable!(memberships -> teams (team_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(schedules -> users (user_id));
diesel::joinable!(availability_rules -> schedules (schedule_id));
diesel::joinable!(date_overrides -> schedules (schedule_id));
diesel::joinable!(availability_patterns -> schedules (schedule_id));
diesel::joinable!(hosts -> event_types (event_type_id));
diesel::joinable!(hosts -> users (user_id));
diesel::joinable!(host_groups -> event_types (event_type_id));
diesel::joinable!(bookings -> event_types (event_type_id));
diesel::joinable!(bookings -> users (user_id));
diesel::joinable!(attendees -> bookings (booking_id));
diesel::joinable!(booking_claims -> bookings (booking_id));
diesel::joinable!(booking_claims -> users (user_id));
diesel::joinable!(booking_history -> bookings (booking_id));
diesel::joinable!(idempotency_keys -> bookings (booking_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(busy_intervals -> connection_calendars (calendar_id));
diesel::joinable!(connection_calendars -> calendar_connections (connection_id));
diesel::joinable!(destination_calendars -> connection_calendars (calendar_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sms_opt_outs,
    sessions,
    booker_sessions,
    teams,
    memberships,
    schedules,
    availability_rules,
    date_overrides,
    availability_patterns,
    out_of_office,
    event_types,
    hosts,
    host_groups,
    bookings,
    attendees,
    booking_claims,
    booking_history,
    slot_reservations,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    api_keys,
    calendar_connections,
    connection_calendars,
    busy_intervals,
    busy_summaries,
    destination_calendars,
    calendar_events,
    booking_conflicts,
    calendar_channels,
    spent_tokens,
    jobs,
    job_attempts,
    idempotency_keys,
    page_views,
    workflows,
    workflow_event_types,
    reminder_opt_outs,
    host_email_choices,
    routing_forms,
    routing_form_responses,
);

diesel::table! {
    reminder_opt_outs (booking_id, email) {
        booking_id -> BigInt,
        email -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(reminder_opt_outs -> bookings (booking_id));

diesel::table! {
    host_email_choices (user_id) {
        user_id -> BigInt,
        booked -> Bool,
        rescheduled -> Bool,
        cancelled -> Bool,
        workflows -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(host_email_choices -> users (user_id));

diesel::table! {
    workflows (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        team_id -> Nullable<BigInt>,
        name -> Text,
        trigger_type -> Text,
        offset_minutes -> Integer,
        offset_unit -> Text,
        active_on_all -> Bool,
        steps -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    workflow_event_types (workflow_id, event_type_id) {
        workflow_id -> BigInt,
        event_type_id -> BigInt,
    }
}

diesel::joinable!(workflow_event_types -> workflows (workflow_id));
diesel::joinable!(workflow_event_types -> event_types (event_type_id));

diesel::table! {
    page_views (event_type_id, day) {
        event_type_id -> BigInt,
        day -> Date,
        views -> BigInt,
    }
}

diesel::joinable!(page_views -> event_types (event_type_id));

diesel::table! {
    booker_sessions (id) {
        id -> BigInt,
        email -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        user_agent -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

// Insights' roll-ups, written and read as SQL texts (storage::insights); no primary key in
// `booking_hours`: each hour's rows are recounted as a whole.
diesel::table! {
    booking_hours (hour, user_id) {
        hour -> Timestamp,
        event_type_id -> Nullable<BigInt>,
        user_id -> BigInt,
        organiser -> Bool,
        status -> Text,
        rescheduled -> Bool,
        no_show -> Bool,
        bookings -> BigInt,
        lead_seconds -> BigInt,
    }
}

diesel::table! {
    booking_made_hours (event_type_id, hour) {
        hour -> Timestamp,
        event_type_id -> BigInt,
        bookings -> BigInt,
    }
}

// Insights' daily and monthly roll-ups: `booking_hours` summed per UTC day or month, with
// each hour of the day's bookings in h00..h23 (storage::insights).
diesel::table! {
    booking_host_days (user_id, day, status, rescheduled, no_show) {
        day -> Date,
        user_id -> BigInt,
        status -> Text,
        rescheduled -> Bool,
        no_show -> Bool,
        bookings -> BigInt,
        lead_seconds -> BigInt,
        h00 -> BigInt,
        h01 -> BigInt,
        h02 -> BigInt,
        h03 -> BigInt,
        h04 -> BigInt,
        h05 -> BigInt,
        h06 -> BigInt,
        h07 -> BigInt,
        h08 -> BigInt,
        h09 -> BigInt,
        h10 -> BigInt,
        h11 -> BigInt,
        h12 -> BigInt,
        h13 -> BigInt,
        h14 -> BigInt,
        h15 -> BigInt,
        h16 -> BigInt,
        h17 -> BigInt,
        h18 -> BigInt,
        h19 -> BigInt,
        h20 -> BigInt,
        h21 -> BigInt,
        h22 -> BigInt,
        h23 -> BigInt,
    }
}

diesel::table! {
    booking_host_months (user_id, month, status, rescheduled, no_show) {
        month -> Date,
        user_id -> BigInt,
        status -> Text,
        rescheduled -> Bool,
        no_show -> Bool,
        bookings -> BigInt,
        lead_seconds -> BigInt,
        h00 -> BigInt,
        h01 -> BigInt,
        h02 -> BigInt,
        h03 -> BigInt,
        h04 -> BigInt,
        h05 -> BigInt,
        h06 -> BigInt,
        h07 -> BigInt,
        h08 -> BigInt,
        h09 -> BigInt,
        h10 -> BigInt,
        h11 -> BigInt,
        h12 -> BigInt,
        h13 -> BigInt,
        h14 -> BigInt,
        h15 -> BigInt,
        h16 -> BigInt,
        h17 -> BigInt,
        h18 -> BigInt,
        h19 -> BigInt,
        h20 -> BigInt,
        h21 -> BigInt,
        h22 -> BigInt,
        h23 -> BigInt,
    }
}

diesel::table! {
    booking_event_type_days (event_type_id, day, status, rescheduled, no_show) {
        day -> Date,
        event_type_id -> BigInt,
        status -> Text,
        rescheduled -> Bool,
        no_show -> Bool,
        bookings -> BigInt,
        lead_seconds -> BigInt,
        h00 -> BigInt,
        h01 -> BigInt,
        h02 -> BigInt,
        h03 -> BigInt,
        h04 -> BigInt,
        h05 -> BigInt,
        h06 -> BigInt,
        h07 -> BigInt,
        h08 -> BigInt,
        h09 -> BigInt,
        h10 -> BigInt,
        h11 -> BigInt,
        h12 -> BigInt,
        h13 -> BigInt,
        h14 -> BigInt,
        h15 -> BigInt,
        h16 -> BigInt,
        h17 -> BigInt,
        h18 -> BigInt,
        h19 -> BigInt,
        h20 -> BigInt,
        h21 -> BigInt,
        h22 -> BigInt,
        h23 -> BigInt,
    }
}

diesel::table! {
    booking_event_type_months (event_type_id, month, status, rescheduled, no_show) {
        month -> Date,
        event_type_id -> BigInt,
        status -> Text,
        rescheduled -> Bool,
        no_show -> Bool,
        bookings -> BigInt,
        lead_seconds -> BigInt,
        h00 -> BigInt,
        h01 -> BigInt,
        h02 -> BigInt,
        h03 -> BigInt,
        h04 -> BigInt,
        h05 -> BigInt,
        h06 -> BigInt,
        h07 -> BigInt,
        h08 -> BigInt,
        h09 -> BigInt,
        h10 -> BigInt,
        h11 -> BigInt,
        h12 -> BigInt,
        h13 -> BigInt,
        h14 -> BigInt,
        h15 -> BigInt,
        h16 -> BigInt,
        h17 -> BigInt,
        h18 -> BigInt,
        h19 -> BigInt,
        h20 -> BigInt,
        h21 -> BigInt,
        h22 -> BigInt,
        h23 -> BigInt,
    }
}

diesel::table! {
    routing_forms (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        team_id -> Nullable<BigInt>,
        name -> Text,
        description -> Nullable<Text>,
        fields -> Text,
        routes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    routing_form_responses (id) {
        id -> BigInt,
        form_id -> BigInt,
        answers -> Text,
        routed -> Text,
        event_type_id -> Nullable<BigInt>,
        booking_uid -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(routing_form_responses -> routing_forms (form_id));

diesel::table! {
    private_links (id) {
        id -> BigInt,
        event_type_id -> BigInt,
        link -> Text,
        expires_at -> Nullable<Timestamp>,
        max_usage_count -> Nullable<Integer>,
        usage_count -> Integer,
        created_at -> Timestamp,
    }
}
