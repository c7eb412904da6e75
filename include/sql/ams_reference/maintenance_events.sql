-- One row per maintenance event, in the columns every AMS dialect returns: event_id, tail_number,
-- kind (MAINTENANCE or AOG), airport, starts_at, ends_at (null: an open AOG), status, note. Times
-- with their UTC offset. Cancelled events are returned too: AeroSync counts and leaves them out.
-- The end-time test is a coarse pre-filter (history_start is days before the 30-day cut applied
-- in Python); an open event, and a time that is not a date at all (possible in SQLite), always
-- reach the checks.
SELECT
    e.event_id AS event_id,
    e.tail_number AS tail_number,
    e.kind AS kind,
    e.airport AS airport,
    e.starts_at AS starts_at,
    e.ends_at AS ends_at,
    e.status AS status,
    e.note AS note
FROM maintenance_events AS e
WHERE e.ends_at IS NULL
    OR e.ends_at >= :history_start
    OR e.starts_at >= :history_start
    OR CAST(e.ends_at AS TEXT) NOT LIKE '____-__-__%'
    OR CAST(e.starts_at AS TEXT) NOT LIKE '____-__-__%'
ORDER BY e.tail_number, e.starts_at, e.event_id
