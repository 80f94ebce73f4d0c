"""The class hub: settings, accounts, content delivery, exchange, spawner and its command line."""
