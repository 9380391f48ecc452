"""Every flow the engine can run, by the name stored in conversation records."""

from __future__ import annotations

from flows.base import FlowMachine
from flows.close import CloseFlow
from flows.details import DetailsFlow
from flows.edit import EditFlow
from flows.package import PackageFlow

FLOWS: dict[str, type[FlowMachine]] = {
    flow.flow_name: flow for flow in (DetailsFlow, EditFlow, PackageFlow, CloseFlow)
}
