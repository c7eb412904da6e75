-- One row per activity to send, in the canonical columns every dialect returns.
-- Legs of BOOKED trips and standalone legs are flights, legs of OPTION trips are options; legs of
-- QUOTED and CANCELLED trips, cancelled legs and aircraft that are not marketed are left out.
-- Marketing columns come only with EMPTY_LEG legs. The end-time test is a coarse pre-filter
-- (history_start is days before the 30-day cut, which is applied exactly in Python). A row whose
-- start is recent passes whatever its end says, so an end before its start reaches the checks, and
-- a time that is not a date at all (possible in SQLite) always reaches them: it is an error of its
-- activity, never something to drop quietly.
SELECT
    l.leg_id AS activity_id,
    a.tail_number AS tail,
    CASE WHEN t.status = 'OPTION' THEN 'OPTION' ELSE l.leg_kind END AS activity_kind,
    l.trip_id AS external_trip_id,
    t.avinode_trip_id AS avinode_trip_id,
    l.flight_number AS flight_number,
    l.departure_airport AS start_airport,
    l.arrival_airport AS end_airport,
    l.off_block AS start_time,
    l.on_block AS end_time,
    l.pax_count AS pax_count,
    l.note AS note,
    COALESCE(l.flight_regulation, t.flight_regulation) AS flight_regulation,
    o.market_from AS market_from,
    o.market_to AS market_to,
    o.price AS price,
    o.currency AS currency,
    o.message AS marketing_message,
    o.verified_by AS verified_by
FROM legs AS l
JOIN aircraft AS a ON a.aircraft_id = l.aircraft_id
LEFT JOIN trips AS t ON t.trip_id = l.trip_id
LEFT JOIN empty_leg_offers AS o ON o.leg_id = l.leg_id AND l.leg_kind = 'EMPTY_LEG'
WHERE a.marketed = TRUE
    AND l.cancelled = FALSE
    AND (l.trip_id IS NULL OR t.status IN ('BOOKED', 'OPTION'))
    AND (l.on_block >= :history_start OR l.off_block >= :history_start
        OR CAST(l.on_block AS TEXT) NOT LIKE '____-__-__%'
        OR CAST(l.off_block AS TEXT) NOT LIKE '____-__-__%')
UNION ALL
SELECT
    g.event_id AS activity_id,
    a.tail_number AS tail,
    g.kind AS activity_kind,
    NULL AS external_trip_id,
    NULL AS avinode_trip_id,
    NULL AS flight_number,
    g.airport AS start_airport,
    g.airport AS end_airport,
    g.starts_at AS start_time,
    g.ends_at AS end_time,
    NULL AS pax_count,
    g.note AS note,
    NULL AS flight_regulation,
    NULL AS market_from,
    NULL AS market_to,
    NULL AS price,
    NULL AS currency,
    NULL AS marketing_message,
    NULL AS verified_by
FROM ground_events AS g
JOIN aircraft AS a ON a.aircraft_id = g.aircraft_id
WHERE a.marketed = TRUE
    AND (g.ends_at >= :history_start OR g.starts_at >= :history_start
        OR CAST(g.ends_at AS TEXT) NOT LIKE '____-__-__%'
        OR CAST(g.starts_at AS TEXT) NOT LIKE '____-__-__%')
ORDER BY tail, start_time, activity_id
