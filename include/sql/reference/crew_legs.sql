-- Flights flown, for the crew flow (optional: only a company with training.records.flights needs
-- it). One row per crew member per leg whose on-block time falls between the bind parameters
-- on_block_from and on_block_until (ISO 8601 UTC text, a day wider than the window on each
-- side): in SQLite the times are text in their local offsets, so this comparison is coarse and
-- AeroSync selects the window exactly by the on-block instant. A time that is not a date at all
-- (possible in SQLite) always comes: it is an error of its row, never something to drop quietly.
-- Cancelled legs and legs of QUOTED, OPTION or CANCELLED trips come too, with `cancelled` and
-- `trip_status`, so a leg cancelled after it was loaded stops counting.
SELECT
    c.leg_id AS leg_id,
    c.employee_id AS employee_id,
    c.role AS role,
    c.pilot_flying AS pilot_flying,
    c.takeoffs_day AS takeoffs_day,
    c.takeoffs_night AS takeoffs_night,
    c.landings_day AS landings_day,
    c.landings_night AS landings_night,
    l.aircraft_id AS aircraft_id,
    a.tail_number AS tail_number,
    a.type_code AS type_code,
    l.off_block AS off_block,
    l.on_block AS on_block,
    l.cancelled AS cancelled,
    t.status AS trip_status
FROM leg_crew AS c
JOIN legs AS l ON l.leg_id = c.leg_id
JOIN aircraft AS a ON a.aircraft_id = l.aircraft_id
LEFT JOIN trips AS t ON t.trip_id = l.trip_id
WHERE (l.on_block >= :on_block_from AND l.on_block < :on_block_until)
    OR CAST(l.on_block AS TEXT) NOT LIKE '____-__-__%'
ORDER BY l.on_block, c.leg_id, c.employee_id
