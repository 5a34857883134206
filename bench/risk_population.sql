-- A synthetic population for the risk benchmark, built set-based. Parameter: %(n)s patients.
-- About 10 activity events and 2 coded conditions per patient, 1% in care homes.
-- Foreign-key triggers are skipped while loading (session_replication_role) and the event
-- indexes are rebuilt after the load, as a bulk import would do.
SET session_replication_role = replica;

INSERT INTO caremodel_organisation (ods_code, name, kind, cluster_id, postcode, active)
VALUES ('BQ001', 'Bench commissioner', 'commissioner', NULL, '', true);
INSERT INTO caremodel_cluster (name, commissioner_id)
SELECT 'Bench cluster ' || c, (SELECT id FROM caremodel_organisation WHERE ods_code = 'BQ001')
FROM generate_series(1, 5) c;
INSERT INTO caremodel_organisation (ods_code, name, kind, cluster_id, postcode, active)
SELECT 'BP' || lpad(p::text, 4, '0'), 'Bench practice ' || p, 'gp_practice',
       (SELECT min(id) FROM caremodel_cluster) + (p % 5), 'TN23 1AA', true
FROM generate_series(1, 50) p;
INSERT INTO caremodel_organisation (ods_code, name, kind, cluster_id, postcode, active)
VALUES ('BC001', 'Bench care home', 'care_home', NULL, '', true);

-- NHS numbers: 9 digits from the 999 test range plus a Modulus 11 check digit; the 1 in 11
-- candidates whose check digit would be 10 are skipped.
CREATE TEMP TABLE bench_numbers AS
SELECT row_number() OVER (ORDER BY candidate) AS i, digits || check_digit AS nhs_number
FROM (
    SELECT candidate, digits,
           (11 - (SELECT sum(substr(digits, k, 1)::int * (11 - k)) FROM generate_series(1, 9) k) %% 11) %% 11 AS check_digit
    FROM (SELECT c AS candidate, '9' || lpad(c::text, 8, '0') AS digits
          FROM generate_series(1, (%(n)s * 12) / 10 + 100) c) raw
) checked
WHERE check_digit <> 10;

INSERT INTO patients_patient (
    public_id, nhs_number, given_name, family_name, date_of_birth, sex, postcode, registered_practice_id,
    date_of_death, lives_alone, housebound, consent_to_share, interpreter_needed, preferred_language,
    communication_needs, version, created_at, updated_at, search_family, search_given)
SELECT gen_random_uuid(), b.nhs_number, 'Given' || (b.i %% 97), 'Family' || (b.i %% 1009), b.born,
       CASE WHEN random() < 0.51 THEN 'female' ELSE 'male' END,
       'TN23 1AA',
       (SELECT min(id) FROM caremodel_organisation WHERE kind = 'gp_practice') + (b.i %% 50),
       CASE WHEN random() < 0.005 AND b.born < current_date - 30 THEN current_date - 30 END,
       CASE WHEN random() < 0.15 THEN true WHEN random() < 0.6 THEN false END,
       random() < 0.03, 'unknown', false, '', '', 1, now(), now(),
       -- the name search keys (patients/search_keys.py): these ASCII names need only lower case
       'family' || (b.i %% 1009), 'given' || (b.i %% 97)
FROM (SELECT *, current_date - ((random() ^ 1.6) * 36500)::int AS born FROM bench_numbers WHERE i <= %(n)s) b;

INSERT INTO patients_patientcondition (patient_id, code_id, onset_date, resolved_date, source, recorded_at)
SELECT p.id, codes.ids[1 + (p.id * 7 + k * 13) %% array_length(codes.ids, 1)],
       current_date - (random() * 5000)::int, NULL, 'bench', now()
FROM patients_patient p
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM patients_clinicalcode) codes
CROSS JOIN generate_series(1, 2) k
WHERE random() < 0.85 OR k = 1;

ALTER TABLE patients_activityevent DROP CONSTRAINT IF EXISTS event_unique_per_source;
DROP INDEX IF EXISTS event_patient_date;
INSERT INTO patients_activityevent (
    patient_id, kind, event_date, provider_id, source_system, source_id, length_of_stay_days,
    discharge_destination, with_fracture, recorded_at)
SELECT p.id,
       CASE WHEN r < 0.20 THEN 'ae_attendance' WHEN r < 0.28 THEN 'emergency_admission'
            WHEN r < 0.33 THEN 'elective_admission' WHEN r < 0.45 THEN 'discharge'
            WHEN r < 0.55 THEN 'fall' WHEN r < 0.56 THEN 'hip_fracture'
            WHEN r < 0.60 THEN 'reablement_start' ELSE 'out_of_hours_contact' END,
       current_date - (random() * 1095)::int, NULL, 'bench', p.id || '-' || e, NULL, '',
       CASE WHEN r >= 0.45 AND r < 0.55 THEN random() < 0.1 END, now()
FROM patients_patient p
CROSS JOIN LATERAL generate_series(1, (p.id %% 21)::int) e
CROSS JOIN LATERAL (SELECT random() + 0 * e AS r) roll;
ALTER TABLE patients_activityevent ADD CONSTRAINT event_unique_per_source UNIQUE (source_system, source_id);
CREATE INDEX event_patient_date ON patients_activityevent (patient_id, event_date);

INSERT INTO patients_carehomeresidence (patient_id, care_home_id, nursing, since, until)
SELECT id, (SELECT id FROM caremodel_organisation WHERE ods_code = 'BC001'), random() < 0.4,
       current_date - (random() * 900)::int, NULL
FROM patients_patient WHERE random() < 0.01;

SET session_replication_role = DEFAULT;
ANALYZE;
