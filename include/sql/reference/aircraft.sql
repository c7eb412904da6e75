-- Marketed aircraft: only these are uploaded. Canonical columns: aircraft_id, tail, homebase.
SELECT
    aircraft_id,
    tail_number AS tail,
    homebase
FROM aircraft
WHERE marketed = TRUE
ORDER BY tail_number
