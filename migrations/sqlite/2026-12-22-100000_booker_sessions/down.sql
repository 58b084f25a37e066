DROP TABLE booker_sessions;
