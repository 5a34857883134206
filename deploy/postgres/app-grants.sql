-- What CareModel's application role may do in its database (docs/adr/0012).
-- Run as the owner role after migrations, every time they run (it is safe to run again):
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v owner=caremodel_owner -v app=caremodel_app -f app-grants.sql
-- docker-compose.yml does this in its db-grants service. The file uses psql variables only
-- (:"owner", :"app"); tests/caremodel/test_audit_database_roles.py runs it as written.

-- Read and write the care model's tables and their sequences.
GRANT USAGE, CREATE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";

-- The same for tables and sequences that later migrations create as the owner.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- The audit trail: append and read, nothing more. (Its triggers refuse UPDATE, DELETE and
-- TRUNCATE to every role as well; without ownership the app role cannot switch them off.)
REVOKE ALL ON caremodel_auditevent FROM PUBLIC, :"app";
GRANT SELECT, INSERT ON caremodel_auditevent TO :"app";

-- The nightly risk run attaches each run's scores as a partition and drops old runs' partitions,
-- which PostgreSQL allows only to the owner of the partitioned table: the app role owns this one.
-- (CREATE on the schema above is for the run's staging tables and partitions.)
ALTER TABLE stratification_riskscore OWNER TO :"app";
