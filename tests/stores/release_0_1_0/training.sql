-- The training records of the daily training_sync__<company> DAG: employees with effective-dated
-- history, training records, qualifications, EBT gradings, the quarantine of refused rows and the
-- audit trail of every change. Runs unchanged on SQLite and PostgreSQL. Dates are ISO 8601 text
-- (YYYY-MM-DD), times ISO 8601 UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ): both sort as text.
-- Every table is keyed by company and the row's natural key; `last_run_id` and `last_changed_at`
-- say which run last changed a row (a re-run that changes nothing leaves them as they were).

-- One row per version of an employee's master data, from the HRIS. `effective_to` is derived:
-- the next version's `effective_from` (NULL for the current version), recomputed after each load
-- from the set of versions, so the history does not depend on the order windows were loaded in.
CREATE TABLE IF NOT EXISTS training_employee_versions (
    company            TEXT NOT NULL,
    employee_id        TEXT NOT NULL,
    effective_from     TEXT NOT NULL,
    effective_to       TEXT,
    name               TEXT NOT NULL,
    role               TEXT,
    base               TEXT,
    employment_status  TEXT NOT NULL,
    hired_on           TEXT,
    left_on            TEXT,
    source             TEXT NOT NULL,
    last_run_id        TEXT NOT NULL,
    last_changed_at    TEXT NOT NULL,
    PRIMARY KEY (company, employee_id, effective_from)
);

-- One row per LMS completion or result (an xAPI statement, or a row of the LMS's CSV export).
CREATE TABLE IF NOT EXISTS training_records (
    company            TEXT NOT NULL,
    record_id          TEXT NOT NULL,
    employee_id        TEXT NOT NULL,
    course_id          TEXT NOT NULL,
    module_id          TEXT,
    verb               TEXT NOT NULL,
    success            TEXT,
    score              DOUBLE PRECISION,
    completed_at       TEXT NOT NULL,
    expires_at         TEXT,
    stored_at          TEXT NOT NULL,
    source             TEXT NOT NULL,
    last_run_id        TEXT NOT NULL,
    last_changed_at    TEXT NOT NULL,
    PRIMARY KEY (company, record_id)
);

CREATE INDEX IF NOT EXISTS training_records_employee ON training_records (company, employee_id);

-- Qualifications and their validity, from crew management.
CREATE TABLE IF NOT EXISTS training_qualifications (
    company            TEXT NOT NULL,
    employee_id        TEXT NOT NULL,
    qualification      TEXT NOT NULL,
    issued_on          TEXT NOT NULL,
    expires_on         TEXT,
    source             TEXT NOT NULL,
    last_run_id        TEXT NOT NULL,
    last_changed_at    TEXT NOT NULL,
    PRIMARY KEY (company, employee_id, qualification, issued_on)
);

-- An instructor's EBT grading of one pilot in one session: the 9 ICAO core competencies, 1-5
-- (NULL: not observed in this session).
CREATE TABLE IF NOT EXISTS training_ebt_gradings (
    company            TEXT NOT NULL,
    session_id         TEXT NOT NULL,
    employee_id        TEXT NOT NULL,
    session_date       TEXT NOT NULL,
    instructor_id      TEXT,
    apk                INTEGER,
    com                INTEGER,
    fpa                INTEGER,
    fpm                INTEGER,
    ltw                INTEGER,
    psd                INTEGER,
    saw                INTEGER,
    wlm                INTEGER,
    kno                INTEGER,
    source             TEXT NOT NULL,
    last_run_id        TEXT NOT NULL,
    last_changed_at    TEXT NOT NULL,
    PRIMARY KEY (company, session_id, employee_id)
);

-- Rows refused by the quality gate, with every reason. One row per distinct refused row and
-- source (`fingerprint` hashes the row as read), so re-running a window adds nothing. A row
-- refused only because its employee was unknown is loaded by a later run once the HRIS knows the
-- employee; `resolved_at`/`resolved_run_id` then say when.
CREATE TABLE IF NOT EXISTS training_quarantine (
    company            TEXT NOT NULL,
    source             TEXT NOT NULL,
    fingerprint        TEXT NOT NULL,
    row_ref            TEXT NOT NULL,
    employee_id        TEXT,
    reason_codes       TEXT NOT NULL,
    reasons            TEXT NOT NULL,
    row_data           TEXT NOT NULL,
    record             TEXT,
    first_run_id       TEXT NOT NULL,
    quarantined_at     TEXT NOT NULL,
    resolved_at        TEXT,
    resolved_run_id    TEXT,
    PRIMARY KEY (company, source, fingerprint)
);

-- Every change to the tables above: which run, which source, which row, old and new values.
CREATE TABLE IF NOT EXISTS training_audit (
    audit_id           TEXT PRIMARY KEY,
    company            TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    source             TEXT NOT NULL,
    table_name         TEXT NOT NULL,
    record_key         TEXT NOT NULL,
    action             TEXT NOT NULL,
    old_values         TEXT,
    new_values         TEXT,
    changed_at         TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS training_audit_company ON training_audit (company, changed_at);

-- What each run of the sync did with each source, for the Crew sync page: the window read, rows
-- read, in the window, passed, quarantined and loaded, or why the source could not be read. One
-- row per company, run and source, written by each task as it ends (a failed extract leaves its
-- reason; the tasks after it do not run, so their columns stay NULL). No row data, no personal
-- data: counts and the failure message (already redacted against the connection's secrets).
-- Retention: runs that ran longer ago than the company's retention period are purged with the rest.
CREATE TABLE IF NOT EXISTS training_sync_runs (
    company            TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    source             TEXT NOT NULL,
    window_start       TEXT NOT NULL,
    window_end         TEXT NOT NULL,
    started_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    rows_read          INTEGER,
    rows_in_window     INTEGER,
    rows_good          INTEGER,
    rows_quarantined   INTEGER,
    rows_inserted      INTEGER,
    rows_updated       INTEGER,
    rows_unchanged     INTEGER,
    failure            TEXT,
    PRIMARY KEY (company, run_id, source)
);

CREATE INDEX IF NOT EXISTS training_sync_runs_latest
    ON training_sync_runs (company, source, started_at);

-- The files and posts each run wrote out: the training-status CSV (its path) and the EBT
-- statements (the connection and endpoint), with how many rows, or why writing failed.
CREATE TABLE IF NOT EXISTS training_sync_exports (
    company            TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    export             TEXT NOT NULL,
    window_start       TEXT NOT NULL,
    window_end         TEXT NOT NULL,
    location           TEXT NOT NULL,
    row_count          INTEGER,
    written_at         TEXT NOT NULL,
    failure            TEXT,
    PRIMARY KEY (company, run_id, export)
);
