-- Enterprise statistics at scale for bench/stats.sh, generated inside PostgreSQL: ten
-- parks S01…S10 of 10 buildings × 20 floors × 50 units (100,000 units), one tenant per
-- unit (100,000 enterprises, ten industries) leasing it from 2023, and each filing 12
-- quarters (2023-Q4 … 2026-Q3): 1,200,000 filings. Loaded as a bulk import would be:
-- triggers off for the session (session_replication_role = replica, superuser only).
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET client_min_messages = warning;

INSERT INTO park (code, name, kind, industries, land_mu)
SELECT 'S' || lpad(g::text, 2, '0'), '统计园区' || g, 'mixed', '{}', 100 + 20 * g FROM generate_series(1, 10) g;
INSERT INTO building (park_id, code, name, floors_above, delivered_on)
SELECT p.id, 'B' || b, b || '号楼', 20, date '2020-01-01' FROM park p, generate_series(1, 10) b WHERE p.code LIKE 'S__';
INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, created_at)
SELECT b.park_id, b.id, lpad(f::text, 2, '0') || lpad(k::text, 2, '0'), f, 100 + (b.id * 31 + f * 7 + k * 13) % 900, 'office', 40,
       timestamptz '2020-01-01'
FROM building b JOIN park p ON p.id = b.park_id, generate_series(1, 20) f, generate_series(1, 50) k WHERE p.code LIKE 'S__';

CREATE TEMP TABLE gen AS
SELECT u.id AS unit_id, u.park_id, n, body || credit_code_check_char(body) AS credit_code
FROM (SELECT u.id, u.park_id, row_number() OVER (ORDER BY u.id) AS n FROM unit u JOIN park p ON p.id = u.park_id WHERE p.code LIKE 'S__') u,
     LATERAL (SELECT '914307' || lpad(u.n::text, 11, '0') AS body) b;
INSERT INTO tenant (name, credit_code, industry, contact, phone)
SELECT '统计企业' || n, credit_code,
       (ARRAY['software', 'internet', 'ai', 'electronics', 'ecommerce', 'manufacturing', 'new_materials', 'biomedicine', 'logistics', 'finance'])[1 + n % 10],
       '联系人', '0734-' || lpad(n::text, 7, '0')
FROM gen;
ALTER TABLE gen ADD COLUMN tenant_id bigint;
UPDATE gen SET tenant_id = t.id FROM tenant t WHERE t.credit_code = gen.credit_code;
INSERT INTO onboarding (park_id, tenant_id, stage) SELECT park_id, tenant_id, 'moved_in' FROM gen;
INSERT INTO lease (id, number, park_id, tenant_id, term, rent, property_fee, deposit, escalation_pct, cycle, status, signed_at, sys_period)
OVERRIDING SYSTEM VALUE
SELECT 40000000 + n, 'L-2023-' || lpad(n::text, 8, '0'), park_id, tenant_id, daterange('2023-01-01', '2029-01-01'), 40, 5, 0, 0,
       'quarterly', 'signed', timestamptz '2023-01-01', tstzrange(timestamptz '2023-01-01', NULL)
FROM gen;
INSERT INTO lease_unit (park_id, lease_id, unit_id, during, sys_period)
SELECT park_id, 40000000 + n, unit_id, daterange('2023-01-01', '2029-01-01'), tstzrange(timestamptz '2023-01-01', NULL) FROM gen;

INSERT INTO enterprise_stat (park_id, tenant_id, period_kind, period_start, revenue, industrial_output, tax_paid, rd_spend, employees)
SELECT g.park_id, g.tenant_id, 'quarter', (date '2023-10-01' + q * interval '3 months')::date,
       round((100 + g.n % 3000) * (1 + 0.02 * q), 4),
       CASE WHEN g.n % 10 IN (3, 5, 6) THEN round((130 + g.n % 3900) * (1 + 0.02 * q), 4) END,
       round((6 + g.n % 200) * (1 + 0.02 * q), 4),
       CASE WHEN g.n % 10 < 4 THEN round((10 + g.n % 300) * (1 + 0.01 * q), 4) END,
       (10 + g.n % 990)::int
FROM gen g, generate_series(0, 11) q;

RESET session_replication_role;
ANALYZE;
SELECT (SELECT count(*) FROM tenant) AS tenants, (SELECT count(*) FROM enterprise_stat) AS filings;
