# JupyterHub configuration of the INDI Lab class hub (one machine, The Littlest JupyterHub style).
# Start it with `make hub` (= indi-ops hub serve), which prepares groups, the course permissions, the
# nbgrader exchange and the config folders first. Every setting is in one YAML file (hub/settings.yaml,
# or the file $INDI_HUB_SETTINGS names), read and checked by indi_ops.hub.settings; the logic is in
# indi_ops.hub.config.configure_hub (hub/README.md explains it).
from indi_ops.hub.config import configure_hub
from indi_ops.hub.settings import load_settings

configure_hub(get_config(), load_settings())  # noqa: F821  (get_config comes from traitlets)
