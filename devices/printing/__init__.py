"""Receipt printers: the convocation ticket, connectors from configuration, faults, the spooler and a fake printer."""
