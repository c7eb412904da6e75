"""AeroSync: one Airflow DAG per company of the companies file: `AEROSYNC_CONFIG`, else
`aerosync_companies.yaml` beside this file (so it travels with a DAG bundle).

Declarations only: the factory reads the companies file and nothing else at parse time.
"""

from aerosync.airflow.dag_factory import build_all_dags

globals().update(build_all_dags(__file__))
