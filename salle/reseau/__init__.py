"""Several sites, one concours (issue 15): each site's server publishes its journal to a NATS JetStream stream on
the site's own NATS server (`publication`), the siège gathers every site's stream (`siege`), and a site reads the
other sites' entries to catch a convocation used twice (`autres_sites`). NATS subjects and stream names are in
`sujets`; the nats-server processes (configuration, start, stop) in `natsd`."""
