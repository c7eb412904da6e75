-- The aerosync database as AeroSync 0.1.0 made it (the baseline revision, 0001_baseline): status
-- per aircraft and attempt, staging between tasks, validation results. Frozen: later changes are
-- new revisions in ../versions/. Runs unchanged on SQLite and PostgreSQL. Times are ISO 8601 UTC
-- text (YYYY-MM-DDTHH:MM:SS.ffffffZ) so that they sort and compare the same on both.

CREATE TABLE IF NOT EXISTS upload_status (
    attempt_id        TEXT PRIMARY KEY,
    company           TEXT NOT NULL,
    tail              TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    attempted_at      TEXT NOT NULL,
    outcome           TEXT NOT NULL,
    http_status       INTEGER,
    activities_sent   INTEGER NOT NULL DEFAULT 0,
    messages          TEXT NOT NULL DEFAULT '[]',
    reasons           TEXT NOT NULL DEFAULT '[]',
    last_success_at   TEXT,
    next_allowed_at   TEXT,
    connection_id     TEXT,
    validation_id     TEXT,
    last_real_attempt TEXT,
    upload_map_index  INTEGER
);

CREATE INDEX IF NOT EXISTS upload_status_latest ON upload_status (company, tail, attempted_at);

CREATE TABLE IF NOT EXISTS staged_data (
    company           TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    stage             TEXT NOT NULL,
    tail              TEXT NOT NULL,
    staged_at         TEXT NOT NULL,
    data              TEXT NOT NULL,
    PRIMARY KEY (company, run_id, stage, tail)
);

CREATE TABLE IF NOT EXISTS validation_results (
    validation_id     TEXT NOT NULL,
    company           TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    validated_at      TEXT NOT NULL,
    suite             TEXT NOT NULL,
    expectation       TEXT NOT NULL,
    column_name       TEXT,
    severity          TEXT NOT NULL,
    success           BOOLEAN NOT NULL,
    element_count     INTEGER NOT NULL,
    unexpected_count  INTEGER NOT NULL,
    failing           TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (validation_id, suite, expectation)
);
