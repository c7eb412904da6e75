"""The only part of AeroSync that imports Airflow: hooks, operators, the DAG factory, the plugin."""
