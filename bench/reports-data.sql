-- A large portfolio for bench/reports.sh, generated inside PostgreSQL:
-- :parks parks × 10 buildings × 20 floors × 25 units (1,000,000 units for 200),
-- a single-unit lease on 5 units of 6 that are on the market (816,000 leases for
-- 200 parks, some terminated), 10,000 tickets a park.
-- Loaded as a bulk import would be: triggers and foreign-key checks off for the
-- session (session_replication_role = replica, superuser only); CHECK, UNIQUE and
-- the exclusion constraint still hold.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET client_min_messages = warning;

INSERT INTO park (code, name, kind, industries)
SELECT 'P' || lpad(g::text, 3, '0'), '测试园区' || g, (ARRAY['software', 'ecommerce', 'factory', 'mixed'])[1 + g % 4],
       ARRAY['software', 'ai', 'ecommerce', 'manufacturing']
FROM generate_series(1, :parks) g;

INSERT INTO building (park_id, code, name, floors_above, delivered_on)
SELECT p.id, 'B' || b, b || '号楼', 20, date '2020-01-01' + (p.id % 700)::int
FROM park p, generate_series(1, 10) b WHERE p.code ~ '^P[0-9]{3}$';

INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, off_market_reason, created_at)
SELECT b.park_id, b.id, lpad(f::text, 2, '0') || lpad(k::text, 2, '0'), f, 50 + ((b.id * 31 + f * 7 + k * 13) % 950),
       (ARRAY['office', 'factory', 'live_room', 'warehouse'])[1 + k % 4], 20 + k % 30,
       CASE WHEN (b.id + f + k) % 50 = 0 THEN '维修' END, timestamptz '2020-01-01'
FROM building b JOIN park p ON p.id = b.park_id, generate_series(1, 20) f, generate_series(1, 25) k
WHERE p.code ~ '^P[0-9]{3}$';

INSERT INTO tenant (name, credit_code, industry, contact, phone)
SELECT '企业' || g, body || credit_code_check_char(body), 'software', '联系人', '0734-' || lpad(g::text, 7, '0')
FROM (SELECT g, '914304' || lpad(g::text, 11, '0') AS body FROM generate_series(1, 20000) g) t;

CREATE TEMP TABLE gen_lease AS
SELECT u.id AS unit_id, u.park_id, 10000000 + u.id AS lease_id,
       date '2020-01-01' + (u.id * 37 % 2400)::int AS start_day,
       (365 * (1 + u.id % 5))::int AS days,
       (u.id % 20 = 0) AS terminated,
       (SELECT min(id) FROM tenant) + u.id % 20000 AS tenant_id
FROM unit u JOIN park p ON p.id = u.park_id
WHERE p.code ~ '^P[0-9]{3}$' AND u.id % 6 <> 0 AND u.off_market_reason IS NULL;

INSERT INTO lease (id, number, park_id, tenant_id, term, terminated_on, rent, property_fee, deposit, escalation_pct, cycle, status,
                   signed_at, sys_period)
OVERRIDING SYSTEM VALUE
SELECT lease_id, 'L-' || extract(year FROM start_day) || '-' || lpad(lease_id::text, 8, '0'), park_id, tenant_id,
       daterange(start_day, start_day + days), CASE WHEN terminated THEN start_day + 200 END,
       30 + lease_id % 20, 4.5, 10000, lease_id % 4, 'quarterly', CASE WHEN terminated THEN 'terminated' ELSE 'signed' END,
       timestamptz '2020-01-01', tstzrange(timestamptz '2020-01-01', NULL)
FROM gen_lease;

INSERT INTO lease_unit (park_id, lease_id, unit_id, during, sys_period)
SELECT park_id, lease_id, unit_id,
       CASE WHEN terminated THEN daterange(start_day, start_day + 201) ELSE daterange(start_day, start_day + days) END,
       tstzrange(timestamptz '2020-01-01', NULL)
FROM gen_lease;

INSERT INTO ticket (number, park_id, tenant_id, category, priority, title, status, clock, opened_at, first_response_at,
                    resolved_at, closed_at, response_due_at, resolution_due_at)
SELECT 'T-B-' || lpad(n::text, 8, '0'), park_id, tenant_id,
       (ARRAY['repair', 'property', 'network', 'security', 'cleaning', 'policy', 'financing', 'other'])[1 + n % 8],
       (ARRAY['urgent', 'high', 'normal', 'low'])[1 + n % 4], '报修 ' || n,
       CASE WHEN n % 10 = 0 THEN 'open' WHEN n % 10 = 1 THEN 'in_progress' ELSE 'closed' END, 'working',
       opened, CASE WHEN n % 10 <> 0 THEN opened + (n % 300) * interval '1 minute' END,
       CASE WHEN n % 10 > 1 THEN opened + (n % 5000) * interval '1 minute' END,
       CASE WHEN n % 10 > 1 THEN opened + (n % 5000 + 60) * interval '1 minute' END,
       opened + interval '4 hours', opened + interval '3 days'
FROM (SELECT n, p.id AS park_id, (SELECT min(id) FROM tenant) + n % 20000 AS tenant_id,
             now() - (n * 7 % (730 * 24 * 60)) * interval '1 minute' AS opened
      FROM park p, generate_series(1, 10000) k, LATERAL (SELECT (p.id * 10000 + k) AS n) x
      WHERE p.code ~ '^P[0-9]{3}$') g;

RESET session_replication_role;
ANALYZE;
SELECT (SELECT count(*) FROM park) AS parks, (SELECT count(*) FROM unit) AS units,
       (SELECT count(*) FROM lease) AS leases, (SELECT count(*) FROM ticket) AS tickets;
