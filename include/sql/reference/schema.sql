-- The reference FMS schema (docs: design/reference-fms.md). One DDL for SQLite and PostgreSQL:
-- TIMESTAMP WITH TIME ZONE is timestamptz in PostgreSQL, while SQLite keeps the ISO 8601 text as
-- written, offset included; BOOLEAN is a real boolean in PostgreSQL and 0/1 in SQLite.
-- A timestamp without a UTC offset is a data error, never read as UTC.

CREATE TABLE IF NOT EXISTS aircraft (
    aircraft_id TEXT PRIMARY KEY,
    tail_number TEXT NOT NULL UNIQUE,
    homebase TEXT NOT NULL,
    marketed BOOLEAN NOT NULL,
    -- ICAO Doc 8643 type designator (CL35, GLF6, ...); the crew flow's readiness is per type.
    -- Nullable: data written before leg_crew existed may leave it empty.
    type_code TEXT
);

-- status: QUOTED, OPTION, BOOKED, CANCELLED
CREATE TABLE IF NOT EXISTS trips (
    trip_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    avinode_trip_id TEXT,
    flight_regulation TEXT
);

-- leg_kind: PAX, FERRY, EMPTY_LEG; trip_id is null for a standalone positioning or empty leg
CREATE TABLE IF NOT EXISTS legs (
    leg_id TEXT PRIMARY KEY,
    trip_id TEXT REFERENCES trips (trip_id),
    aircraft_id TEXT NOT NULL REFERENCES aircraft (aircraft_id),
    leg_kind TEXT NOT NULL,
    departure_airport TEXT NOT NULL,
    arrival_airport TEXT NOT NULL,
    off_block TIMESTAMP WITH TIME ZONE NOT NULL,
    on_block TIMESTAMP WITH TIME ZONE NOT NULL,
    flight_number TEXT,
    pax_count INTEGER,
    note TEXT,
    flight_regulation TEXT,
    cancelled BOOLEAN NOT NULL
);

-- verified_by null means nobody marked the offer marketable
CREATE TABLE IF NOT EXISTS empty_leg_offers (
    leg_id TEXT PRIMARY KEY REFERENCES legs (leg_id),
    market_from TIMESTAMP WITH TIME ZONE,
    market_to TIMESTAMP WITH TIME ZONE,
    price NUMERIC,
    currency TEXT,
    message TEXT,
    verified_by TEXT,
    verified_at TIMESTAMP WITH TIME ZONE
);

-- kind: MAINTENANCE, AOG, OWNER_HOLD, CREW_REST, OTHER
CREATE TABLE IF NOT EXISTS ground_events (
    event_id TEXT PRIMARY KEY,
    aircraft_id TEXT NOT NULL REFERENCES aircraft (aircraft_id),
    kind TEXT NOT NULL,
    airport TEXT NOT NULL,
    starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
    note TEXT
);

-- service_type: FBO, FUEL, CATERING, LIMO, HOTEL, HANDLING, ...; data_source: UNIVERSAL, PROPRIETARY
CREATE TABLE IF NOT EXISTS leg_services (
    service_id TEXT PRIMARY KEY,
    leg_id TEXT NOT NULL REFERENCES legs (leg_id),
    provider_id TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    airport TEXT NOT NULL,
    service_type TEXT NOT NULL,
    service_for TEXT NOT NULL,
    data_source TEXT NOT NULL,
    note TEXT
);

-- Crew on each leg (design: crew-operations.md): role PIC, SIC, CABIN or OBSERVER; pilot_flying
-- for the pilot at the controls for take-off and landing, whose take-offs and landings these are.
-- Read only by the crew flow (crew_legs.sql); the schedule upload ignores it. The primary key
-- (leg_id first) is the index the crew flow reads a leg's crew by.
CREATE TABLE IF NOT EXISTS leg_crew (
    leg_id TEXT NOT NULL REFERENCES legs (leg_id),
    employee_id TEXT NOT NULL,
    role TEXT NOT NULL,
    pilot_flying BOOLEAN NOT NULL,
    takeoffs_day INTEGER NOT NULL,
    takeoffs_night INTEGER NOT NULL,
    landings_day INTEGER NOT NULL,
    landings_night INTEGER NOT NULL,
    PRIMARY KEY (leg_id, employee_id)
);

-- The extraction reads each aircraft's recent and future activities.
CREATE INDEX IF NOT EXISTS legs_aircraft_on_block ON legs (aircraft_id, on_block);
CREATE INDEX IF NOT EXISTS legs_trip ON legs (trip_id);
CREATE INDEX IF NOT EXISTS ground_events_aircraft_ends_at ON ground_events (aircraft_id, ends_at);
CREATE INDEX IF NOT EXISTS leg_services_leg ON leg_services (leg_id);
-- The crew flow reads the legs of a window by their on-block time, whatever the aircraft.
CREATE INDEX IF NOT EXISTS legs_on_block ON legs (on_block);
