"""Patient pages, thin: forms validate the request, services and selectors do the work.
records (list, search, the record, registers, conditions, timeline), carers, events, admin."""
