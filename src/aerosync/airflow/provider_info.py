"""AeroSync as an Airflow provider: the `avinode` connection type and the crew-events queue.

Airflow finds this through the `apache_airflow_provider` entry point (pyproject.toml), as it finds
apache-airflow-providers-http. Since Airflow 3.2 a connection type's form comes from this
metadata, not from the hook: `conn-fields` are the extra fields (stored in the connection's Extra
JSON under their names; `format: password` makes the UI hide the value and the API mask it) and
`ui-field-behaviour` relabels and hides the standard fields. The hook methods
`get_connection_form_widgets` and `get_ui_field_behaviour` are deprecated there (the UI reads only
this metadata), so the form is declared once, here. The "Test" button calls
`AvinodeHook.test_connection` (it needs `[core] test_connection = Enabled`). Nothing here imports
Airflow: every Airflow process reads it.
"""

from __future__ import annotations

from typing import Any

PACKAGE_NAME = "aerosync"
AVINODE_CONN_TYPE = "avinode"

AVINODE_CONN_FIELDS: dict[str, Any] = {
    "api_token": {
        "label": "API token",
        "description": "The API token Avinode issued with this API connection, sent as "
        "X-Avinode-ApiToken. The authentication token goes into the password field.",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
}

AVINODE_UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["login", "schema"],
    "relabeling": {
        "host": "Base URL",
        "password": "Authentication token",
    },
    "placeholders": {
        "host": "https://sandbox.avinode.com/api",
        "password": "sent as Authorization: Bearer <token>",
        "port": "443 (leave empty)",
        "api_token": "sent as X-Avinode-ApiToken",
    },
}


def get_provider_info() -> dict[str, Any]:
    """The provider metadata Airflow's ProvidersManager reads (provider_info.schema.json)."""
    return {
        "package-name": PACKAGE_NAME,
        "name": "AeroSync",
        "description": "Airflow 3 DAGs that keep aircraft operators' schedules in sync with the "
        "Avinode Marketplace; the `avinode` connection type.",
        "connection-types": [
            {
                "connection-type": AVINODE_CONN_TYPE,
                "hook-class-name": "aerosync.airflow.avinode_hook.AvinodeHook",
                "hook-name": "Avinode Marketplace",
                "conn-fields": AVINODE_CONN_FIELDS,
                "ui-field-behaviour": AVINODE_UI_FIELD_BEHAVIOUR,
            }
        ],
        # `MessageQueueTrigger(scheme="aerosync+redis")`: the debounced crew-events trigger.
        "queues": ["aerosync.airflow.crew_events.CrewEventsQueue"],
    }
