"""What the journal means now: the state tables (`tables`), written only by the projections (`projections`),
read only through `queries`."""

from .projections import PROJECTIONS, project, rebuild
from .tables import STATE_TABLES, ensure_state_schema

__all__ = ["PROJECTIONS", "STATE_TABLES", "ensure_state_schema", "project", "rebuild"]
