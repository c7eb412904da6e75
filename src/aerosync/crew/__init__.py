"""The training-records sync: HRIS, LMS (xAPI), crew-management and EBT sources moved into the
aerosync database and out again. Pure domain code: nothing here imports Airflow."""
