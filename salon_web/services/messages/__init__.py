"""Messages that are really sent: templates, rules, the outbound queue, transports, automations, campaigns."""
