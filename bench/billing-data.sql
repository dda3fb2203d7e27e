-- A large book of leases for bench/billing.sh, generated inside PostgreSQL:
-- :parks parks × 10 buildings × 20 floors × 25 units, one quarterly lease on every
-- unit (5,000 leases a park: 800,000 for 160 parks) from 1 January 2026 for three
-- years, 20,000 tenants. One lease in ten has a rent-free window (1-20 January 2026), half
-- rise 3 % a year, half have a deposit; one in fifty has an amendment raising its rent
-- from 15 February. Loaded as a bulk import would be: triggers off for the session
-- (session_replication_role = replica, superuser only); CHECK, UNIQUE and the
-- exclusion constraint still hold.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET client_min_messages = warning;

INSERT INTO park (code, name, kind, industries)
SELECT 'Q' || lpad(g::text, 3, '0'), '计费园区' || g, 'mixed', ARRAY['software', 'manufacturing']
FROM generate_series(1, :parks) g;

INSERT INTO building (park_id, code, name, floors_above, delivered_on)
SELECT p.id, 'B' || b, b || '号楼', 20, date '2020-01-01'
FROM park p, generate_series(1, 10) b WHERE p.code ~ '^Q[0-9]{3}$';

INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, created_at)
SELECT b.park_id, b.id, lpad(f::text, 2, '0') || lpad(k::text, 2, '0'), f, 50 + ((b.id * 31 + f * 7 + k * 13) % 950) + 0.5 * (k % 2),
       (ARRAY['office', 'factory', 'live_room', 'warehouse'])[1 + k % 4], 20 + k % 30, timestamptz '2020-01-01'
FROM building b JOIN park p ON p.id = b.park_id, generate_series(1, 20) f, generate_series(1, 25) k
WHERE p.code ~ '^Q[0-9]{3}$';

INSERT INTO tenant (name, credit_code, industry, contact, phone)
SELECT '计费企业' || g, body || credit_code_check_char(body), 'software', '联系人', '0734-' || lpad(g::text, 7, '0')
FROM (SELECT g, '914305' || lpad(g::text, 11, '0') AS body FROM generate_series(1, 20000) g) t;

CREATE TEMP TABLE gen_lease AS
SELECT u.id AS unit_id, u.park_id, 20000000 + u.id AS lease_id,
       (SELECT min(id) FROM tenant WHERE credit_code LIKE '914305%') + u.id % 20000 AS tenant_id
FROM unit u JOIN park p ON p.id = u.park_id
WHERE p.code ~ '^Q[0-9]{3}$';

INSERT INTO lease (id, number, park_id, tenant_id, term, rent, property_fee, free_window, deposit, escalation_pct, cycle, status,
                   signed_at, sys_period)
OVERRIDING SYSTEM VALUE
SELECT lease_id, 'L-2026-' || lpad(lease_id::text, 8, '0'), park_id, tenant_id, daterange('2026-01-01', '2029-01-01'),
       30 + lease_id % 20 + 0.37, 4.5, CASE WHEN lease_id % 10 = 0 THEN daterange('2026-01-01', '2026-01-21') END,
       CASE WHEN lease_id % 2 = 0 THEN 20000 ELSE 0 END, 3 * (lease_id % 2), 'quarterly', 'signed',
       timestamptz '2026-12-01', tstzrange(timestamptz '2026-12-01', NULL)
FROM gen_lease;

INSERT INTO lease_unit (park_id, lease_id, unit_id, during, sys_period)
SELECT park_id, lease_id, unit_id, daterange('2026-01-01', '2029-01-01'), tstzrange(timestamptz '2026-12-01', NULL)
FROM gen_lease;

INSERT INTO lease_amendment (park_id, lease_id, seq, number, signed_on, effective_on, rent)
SELECT park_id, lease_id, 1, 'L-2026-' || lpad(lease_id::text, 8, '0') || '-A1', '2026-02-01', '2026-02-15', 55.00
FROM gen_lease WHERE lease_id % 50 = 0;

RESET session_replication_role;
ANALYZE;
SELECT (SELECT count(*) FROM lease) AS leases, (SELECT count(*) FROM tenant) AS tenants;
