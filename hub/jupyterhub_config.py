# JupyterHub configuration of the INDI Lab class hub (one machine, The Littlest JupyterHub style).
# Start it with `make hub` (= python -m indi_ops.hub.launch), which prepares users' groups, the nbgrader
# exchange and the config folders first. All settings are INDI_HUB_* variables read by
# indi_ops.hub.launch.HubSettings; the logic is in indi_ops.hub.launch.configure_hub (hub/README.md explains it).
from indi_ops.hub.launch import HubSettings, configure_hub

configure_hub(get_config(), HubSettings.from_env())  # noqa: F821  (get_config comes from traitlets)
