"""The patients API, thin: serializers validate, services do the work (caremodel.api_support maps errors).
records (lookup, list, search, a record, registers), nested (conditions, carers, events), imports."""
