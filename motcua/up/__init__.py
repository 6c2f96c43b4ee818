"""The machinery behind ``motcua up``: a whole demo center on one machine.

One idea per module, each short enough to read in one sitting:

- :mod:`.demo` writes the demo's files (site config, broker logins) under ``var/``;
- :mod:`.broker_runtime` gives the demo broker a runtime directory its user can read;
- :mod:`.leftovers` frees what a run killed hard left behind (processes, ports, files);
- :mod:`.children` starts, watches and stops the child processes;
- :mod:`.hub_watch` waits on MQTT for the hub to announce itself online;
- :mod:`.launch` starts the broker and the hub and says when each is ready.
"""
