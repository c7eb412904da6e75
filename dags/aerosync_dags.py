"""AeroSync: one Airflow DAG per company of the companies file: `AEROSYNC_CONFIG`, else
`aerosync_companies.yaml` (or an `aerosync_companies/` folder) beside this file (so it travels
with a DAG bundle).

Declarations only: the factory reads the companies file and nothing else at parse time, with
Python's garbage collector paused meanwhile (`aerosync.airflow.parsing`: a task's parse 4x faster).
"""

from aerosync.airflow.parsing import company_dags

globals().update(company_dags(__file__))
