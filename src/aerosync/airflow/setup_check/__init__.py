"""`aerosync check`: every connection each company uses, tested the way its tasks use it.

`report` runs the checks and words them (one line each, or JSON); `sources` tests the FMS, the
LMS, HRIS and LRS and the alerts' SMTP server; `ams` the AMS; `store` the aerosync database;
the marketplace's connection is tested by `AvinodeHook.check_verdicts`, which Airflow's "Test"
button also calls.
"""
