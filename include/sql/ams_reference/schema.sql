-- The reference AMS schema (docs/ams.md): the maintenance events an aircraft maintenance system
-- plans and records. One DDL for SQLite and PostgreSQL: TIMESTAMP WITH TIME ZONE is timestamptz in
-- PostgreSQL, while SQLite keeps the ISO 8601 text as written, offset included. A timestamp
-- without a UTC offset is a data error, never read as UTC.

-- kind: MAINTENANCE, AOG; status: PLANNED, IN_WORK, CLOSED, CANCELLED.
-- ends_at is null only for an AOG whose return to service is not known yet.
CREATE TABLE IF NOT EXISTS maintenance_events (
    event_id TEXT PRIMARY KEY,
    tail_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    airport TEXT NOT NULL,
    starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at TIMESTAMP WITH TIME ZONE,
    status TEXT NOT NULL,
    note TEXT
);

-- Every upload run reads the recent and future events.
CREATE INDEX IF NOT EXISTS maintenance_events_ends_at ON maintenance_events (ends_at);
