-- A factory park of 100,000 metered units for bench/utility.sh, generated inside
-- PostgreSQL: park UB, 100 buildings × 20 floors × 50 units, one lease on every unit
-- (20,000 tenants), and per building a master electricity meter behind an 80×
-- transformer, a public meter and a sub-meter per unit (100,200 meters); each read when
-- installed on 2026-10-31 and on 2026-11-30. The public meters are shared by leased
-- area, the masters' loss by tenant; a tiered tariff. Loaded as a bulk import would be:
-- triggers off for the session (session_replication_role = replica, superuser only).
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET client_min_messages = warning;

INSERT INTO park (code, name, kind, industries) VALUES ('UB', '计量园区', 'factory', '{}');
INSERT INTO building (park_id, code, name, floors_above, delivered_on)
SELECT p.id, 'B' || b, b || '号楼', 20, date '2020-01-01' FROM park p, generate_series(1, 100) b WHERE p.code = 'UB';
INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, created_at)
SELECT b.park_id, b.id, lpad(f::text, 2, '0') || lpad(k::text, 2, '0'), f, 100 + (b.id * 31 + f * 7 + k * 13) % 900, 'factory', 18,
       timestamptz '2020-01-01'
FROM building b JOIN park p ON p.id = b.park_id, generate_series(1, 20) f, generate_series(1, 50) k WHERE p.code = 'UB';

INSERT INTO tenant (name, credit_code, industry, contact, phone)
SELECT '计量企业' || g, body || credit_code_check_char(body), 'manufacturing', '联系人', '0734-' || lpad(g::text, 7, '0')
FROM (SELECT g, '914306' || lpad(g::text, 11, '0') AS body FROM generate_series(1, 20000) g) t;

CREATE TEMP TABLE gen_lease AS
SELECT u.id AS unit_id, u.park_id, 30000000 + u.id AS lease_id,
       (SELECT min(id) FROM tenant WHERE credit_code LIKE '914306%') + u.id % 20000 AS tenant_id
FROM unit u JOIN park p ON p.id = u.park_id WHERE p.code = 'UB';
INSERT INTO lease (id, number, park_id, tenant_id, term, rent, property_fee, deposit, escalation_pct, cycle, status, signed_at, sys_period)
OVERRIDING SYSTEM VALUE
SELECT lease_id, 'L-2026-' || lpad(lease_id::text, 8, '0'), park_id, tenant_id, daterange('2026-01-01', '2029-01-01'), 18, 4.5, 0, 0,
       'quarterly', 'signed', timestamptz '2026-01-01', tstzrange(timestamptz '2026-01-01', NULL)
FROM gen_lease;
INSERT INTO lease_unit (park_id, lease_id, unit_id, during, sys_period)
SELECT park_id, lease_id, unit_id, daterange('2026-01-01', '2029-01-01'), tstzrange(timestamptz '2026-01-01', NULL) FROM gen_lease;

INSERT INTO meter (park_id, code, kind, multiplier, installed_on)
SELECT b.park_id, 'E-' || b.code, 'electricity', 80, date '2026-10-31' FROM building b JOIN park p ON p.id = b.park_id WHERE p.code = 'UB';
INSERT INTO meter (park_id, code, kind, parent_id, installed_on)
SELECT m.park_id, m.code || '-PUB', 'electricity', m.id, date '2026-10-31' FROM meter m JOIN park p ON p.id = m.park_id WHERE p.code = 'UB';
INSERT INTO meter (park_id, code, kind, unit_id, parent_id, installed_on)
SELECT u.park_id, 'E-' || b.code || '-' || u.code, 'electricity', u.id, m.id, date '2026-10-31'
FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
JOIN meter m ON m.park_id = p.id AND m.code = 'E-' || b.code WHERE p.code = 'UB';

-- Sub-meters 0 → 500..2,499; public meters 0 → 20,000; masters 1,000 → 1,000 + 1.04 × their children's ÷ 80.
INSERT INTO meter_reading (park_id, meter_id, read_on, value, multiplier)
SELECT m.park_id, m.id, date '2026-10-31', CASE WHEN m.parent_id IS NULL THEN 1000 ELSE 0 END, m.multiplier
FROM meter m JOIN park p ON p.id = m.park_id WHERE p.code = 'UB';
INSERT INTO meter_reading (park_id, meter_id, read_on, value, multiplier)
SELECT m.park_id, m.id, date '2026-11-30', CASE WHEN m.code LIKE '%-PUB' THEN 20000 ELSE 500 + m.id % 2000 END, m.multiplier
FROM meter m JOIN park p ON p.id = m.park_id WHERE p.code = 'UB' AND m.parent_id IS NOT NULL;
INSERT INTO meter_reading (park_id, meter_id, read_on, value, multiplier)
SELECT m.park_id, m.id, date '2026-11-30', 1000 + round((SELECT sum(r.value) FROM meter c JOIN meter_reading r ON r.meter_id = c.id
                                                         WHERE c.parent_id = m.id AND r.read_on = '2026-11-30') * 1.04 / 80, 2), m.multiplier
FROM meter m JOIN park p ON p.id = m.park_id WHERE p.code = 'UB' AND m.parent_id IS NULL;

INSERT INTO utility_share_rule (meter_id, park_id, basis)
SELECT m.id, m.park_id, CASE WHEN m.parent_id IS NULL THEN 'tenants' ELSE 'area' END
FROM meter m JOIN park p ON p.id = m.park_id WHERE p.code = 'UB' AND m.unit_id IS NULL;
INSERT INTO utility_tariff (park_id, kind, from_day, tier_limits, tier_prices)
SELECT id, 'electricity', date '2026-01-01', '{2000,5000}', '{0.60,0.80,1.00}' FROM park WHERE code = 'UB';

RESET session_replication_role;
ANALYZE;
SELECT (SELECT count(*) FROM meter) AS meters, (SELECT count(*) FROM meter_reading) AS readings, (SELECT count(*) FROM lease) AS leases;
