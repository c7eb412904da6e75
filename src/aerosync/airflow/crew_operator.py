"""`CrewStepOperator`: the crew sync's tasks, PythonOperators that name their datasets.

A plain PythonOperator tells OpenLineage nothing about its data (the provider records it as an
unknown source and, by default, sends the callable's source code). Each crew step's inputs and
outputs are known from the company's config (`aerosync.airflow.lineage_crew`), so this subclass
gives them; its callable and `op_kwargs` are the PythonOperator's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.python import PythonOperator

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage


class CrewStepOperator(PythonOperator):
    """A step of the crew sync (`crew_dag`): runs its callable, names its datasets."""

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        from aerosync.airflow.lineage_facets import crew_facets

        return crew_facets(self.task_id, str(self.op_kwargs["company_id"]), self.dag)
