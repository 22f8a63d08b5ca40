"""SMS: segment counting and the gateways (console, SMPP, HTTP) behind one interface."""
