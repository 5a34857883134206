"""The use cases of the patient record, one module per entity. Each checks the access policy and
writes the audit trail, including the reads that show patient data (opening a record, a search,
a register page): the audit entry is part of the use case.

- patient: open a record (the one door every app uses), look up by NHS number, update registers
- conditions, care_homes, carers, events: what the record holds
- search: the scoped, audited patient list and search
- merge, pending_matches: the administrator's duplicate review and import matching
- imports: file imports (GP extract, activity feed)
"""
