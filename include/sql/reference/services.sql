-- Services of the legs activities.sql returns (same filters), one row per service.
SELECT
    s.leg_id AS activity_id,
    s.provider_id AS provider_id,
    s.provider_name AS provider_name,
    s.airport AS airport,
    s.service_type AS service_type,
    s.service_for AS service_for,
    s.data_source AS data_source,
    s.note AS note
FROM leg_services AS s
JOIN legs AS l ON l.leg_id = s.leg_id
JOIN aircraft AS a ON a.aircraft_id = l.aircraft_id
LEFT JOIN trips AS t ON t.trip_id = l.trip_id
WHERE a.marketed = TRUE
    AND l.cancelled = FALSE
    AND (l.trip_id IS NULL OR t.status IN ('BOOKED', 'OPTION'))
    AND (l.on_block >= :history_start OR l.off_block >= :history_start
        OR CAST(l.on_block AS TEXT) NOT LIKE '____-__-__%'
        OR CAST(l.off_block AS TEXT) NOT LIKE '____-__-__%')
ORDER BY s.leg_id, s.service_id
