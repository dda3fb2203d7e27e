-- 0032: time-of-use electricity (分时电价: 尖/峰/平/谷), issue 18.
--
-- A time-of-use meter keeps a register per time band: peak (峰), flat (平) and valley
-- (谷), and on some meters sharp (尖, the critical peak). Each band's register is read,
-- rolls over and is replaced on its own, so a reading is of one register: `total` for
-- an ordinary meter, a band for a time-of-use one. Everything 0026 said of a meter's
-- readings holds register by register.
--
-- A time-of-use tariff prices the peak, valley and sharp bands on their own; the flat
-- band, and every quantity that is not a band's (an ordinary meter's, a public share, a
-- loss), is priced at the tariff's base price. Such a tariff has no tiers (阶梯 is a
-- residential tariff; a park's supply is time-of-use or flat). A sharp band priced by
-- no sharp price is priced as peak; bands under a tariff with no band prices are flat.
-- A tenant's own lines keep their band, so a bill's 峰/平/谷 quantities are on it.
--
-- With it, what issue 18's second review found: a number column of the utility tables
-- refuses NaN (numeric's NaN is above every number, so `>= 0` let it through into a
-- bill); a tariff that a confirmed or posted period priced is kept; the stored lines
-- are compared with a fresh calculation row for row (EXCEPT ALL: a duplicated line is
-- a difference); a unit metered by two meters under one master counts once in a share;
-- and admins may set tariffs (0027's check called a function they could not execute).

ALTER TABLE meter ADD COLUMN registers text[] NOT NULL DEFAULT '{total}'
    CONSTRAINT meter_registers_valid CHECK (registers IN ('{total}', '{peak,flat,valley}', '{sharp,peak,flat,valley}'))
    CONSTRAINT meter_registers_electricity CHECK (registers = '{total}' OR kind = 'electricity');
-- Chosen when the meter is added: a meter's bands do not change under its readings.
GRANT INSERT (registers) ON meter TO parkctl_admin;

ALTER TABLE meter_reading ADD COLUMN register text NOT NULL DEFAULT 'total'
    CONSTRAINT meter_reading_register_valid CHECK (register IN ('total', 'sharp', 'peak', 'flat', 'valley'));
GRANT INSERT (register) ON meter_reading TO parkctl_admin, parkctl_service;
ALTER TABLE meter_reading DROP CONSTRAINT meter_reading_once_a_day;
ALTER TABLE meter_reading ADD CONSTRAINT meter_reading_once_a_day UNIQUE (meter_id, register, read_on);

-- 0030's check, register by register, and a reading of a register its meter has.
CREATE OR REPLACE FUNCTION meter_reading_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    m public.meter;
    prev public.meter_reading;
    next public.meter_reading;
    billed text;
    -- The meter as a message names it: E-101, or E-101 (peak) for a band.
    named text;
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'readings are written under READ COMMITTED or SERIALIZABLE isolation, not REPEATABLE READ'
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    SELECT * INTO m FROM public.meter WHERE id = NEW.meter_id;
    named := m.code || CASE WHEN NEW.register = 'total' THEN '' ELSE ' (' || NEW.register || ')' END;
    IF TG_OP = 'INSERT' THEN
        NEW.multiplier := m.multiplier;
    ELSE
        IF NEW.meter_id <> OLD.meter_id OR NEW.park_id <> OLD.park_id OR NEW.read_on <> OLD.read_on OR NEW.register <> OLD.register THEN
            RAISE EXCEPTION 'a reading keeps its meter, register and day (record another reading instead)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_kept', TABLE = 'meter_reading';
        END IF;
        NEW.multiplier := OLD.multiplier;
    END IF;
    NEW.read_by := public.parkctl_actor();
    NEW.recorded_at := now();
    IF NOT NEW.register = ANY (m.registers) THEN
        RAISE EXCEPTION 'meter % has the registers %: a reading of % is none of them', m.code, array_to_string(m.registers, ', '), NEW.register
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_register_of_meter', TABLE = 'meter_reading';
    END IF;
    billed := public.meter_reading_billed_by(NEW.meter_id, NEW.read_on);
    IF billed IS NOT NULL THEN
        RAISE EXCEPTION 'meter % on % is billed by utility period %: its readings of those days are kept (reverse the period first: parkctl utility period reverse)',
                        m.code, NEW.read_on, billed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_kept', TABLE = 'meter_reading';
    END IF;
    IF NEW.read_on > public.park_today(m.park_id) THEN
        RAISE EXCEPTION 'meter % cannot be read on %, after today (%)', m.code, NEW.read_on, public.park_today(m.park_id)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_in_service', TABLE = 'meter_reading';
    END IF;
    IF NEW.read_on < m.installed_on OR NEW.read_on > m.removed_on THEN
        RAISE EXCEPTION 'meter % is in service from %: a reading on % is outside its days', m.code,
                        m.installed_on || coalesce(' to ' || m.removed_on, ''), NEW.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_in_service', TABLE = 'meter_reading';
    END IF;
    IF NEW.value >= m.rolls_over_at OR NEW.replaced_final >= m.rolls_over_at THEN
        RAISE EXCEPTION 'meter % shows 0 again at %: % is no register of it', m.code, m.rolls_over_at, greatest(NEW.value, NEW.replaced_final)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    SELECT * INTO prev FROM public.meter_reading r
    WHERE r.meter_id = NEW.meter_id AND r.register = NEW.register AND r.read_on < NEW.read_on AND r.id IS DISTINCT FROM NEW.id
    ORDER BY r.read_on DESC LIMIT 1;
    SELECT * INTO next FROM public.meter_reading r
    WHERE r.meter_id = NEW.meter_id AND r.register = NEW.register AND r.read_on > NEW.read_on AND r.id IS DISTINCT FROM NEW.id
    ORDER BY r.read_on LIMIT 1;
    IF NEW.kind = 'replacement' AND next.id IS NOT NULL THEN
        RAISE EXCEPTION 'meter % was read on % after %: a replacement is recorded after the meter''s last reading', m.code, next.read_on, NEW.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF prev.id IS NULL AND NEW.kind <> 'regular' THEN
        RAISE EXCEPTION 'the first reading of meter % is its register when installed, not a %', m.code, NEW.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'regular' AND NEW.value < prev.value THEN
        RAISE EXCEPTION 'meter % read % on %, below its % of %: a register never goes back (if it rolled over, or the meter was replaced, record it so: parkctl meter read --rollover, parkctl meter replace)',
                        named, NEW.value, NEW.read_on, prev.value, prev.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'rollover' AND (m.rolls_over_at IS NULL OR NEW.value >= prev.value) THEN
        RAISE EXCEPTION 'meter % read % on % is no rollover: a rollover reads below the reading before (%), on a meter that rolls over (%)',
                        m.code, NEW.value, NEW.read_on, prev.value, coalesce('at ' || m.rolls_over_at, 'this one does not')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'replacement' AND NEW.replaced_final < prev.value THEN
        RAISE EXCEPTION 'the old meter % ended at %, below its % of %: a register never goes back',
                        named, NEW.replaced_final, prev.value, prev.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF (next.kind = 'regular' AND next.value < NEW.value) OR (next.kind = 'rollover' AND next.value >= NEW.value)
       OR (next.kind = 'replacement' AND next.replaced_final < NEW.value) THEN
        RAISE EXCEPTION 'meter % read % on %, above its later % of % (%): a register never goes back',
                        named, NEW.value, NEW.read_on,
                        coalesce(next.replaced_final, next.value), next.read_on, next.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    RETURN NEW;
END $$;

-- A reading's usage is since the reading before of its register; the register is the
-- view's last column (a view keeps the columns it had).
CREATE OR REPLACE VIEW meter_usage WITH (security_barrier, security_invoker) AS
SELECT r.park_id, r.meter_id, r.id AS reading_id, p.read_on AS from_day, r.read_on AS to_day,
       (CASE r.kind WHEN 'regular' THEN r.value - p.value
                    WHEN 'rollover' THEN r.value + m.rolls_over_at - p.value
                    WHEN 'replacement' THEN r.replaced_final - p.value END) * r.multiplier AS used,
       r.register
FROM public.meter_reading r
JOIN public.meter m ON m.id = r.meter_id
JOIN LATERAL (SELECT x.read_on, x.value FROM public.meter_reading x
              WHERE x.meter_id = r.meter_id AND x.register = r.register AND x.read_on < r.read_on
              ORDER BY x.read_on DESC LIMIT 1) p ON true;

-- NaN is no register, multiplier, weight or price.
ALTER TABLE meter ADD CONSTRAINT meter_numbers_not_nan CHECK (multiplier <> 'NaN' AND rolls_over_at <> 'NaN');
ALTER TABLE meter_reading ADD CONSTRAINT meter_reading_numbers_not_nan CHECK (value <> 'NaN' AND replaced_final <> 'NaN');
ALTER TABLE utility_share_weight ADD CONSTRAINT utility_share_weight_not_nan CHECK (weight <> 'NaN');
ALTER TABLE utility_tariff ADD CONSTRAINT utility_tariff_tiers_not_nan CHECK ('NaN' <> ALL (tier_prices) AND 'NaN' <> ALL (tier_limits));
GRANT EXECUTE ON FUNCTION utility_limits_ascending(numeric[]) TO parkctl_admin;

-- The band prices of a time-of-use tariff; the base price (tier_prices[1]) is flat's.
ALTER TABLE utility_tariff
    ADD COLUMN peak_price numeric(10,4) CONSTRAINT utility_tariff_peak_not_negative CHECK (peak_price >= 0),
    ADD COLUMN valley_price numeric(10,4) CONSTRAINT utility_tariff_valley_not_negative CHECK (valley_price >= 0),
    ADD COLUMN sharp_price numeric(10,4) CONSTRAINT utility_tariff_sharp_not_negative CHECK (sharp_price >= 0),
    ADD CONSTRAINT utility_tariff_time_of_use_valid CHECK (
        (peak_price IS NULL) = (valley_price IS NULL) AND (sharp_price IS NULL OR peak_price IS NOT NULL)
        AND (peak_price IS NULL OR (kind = 'electricity' AND cardinality(tier_limits) = 0))
        AND peak_price <> 'NaN' AND valley_price <> 'NaN' AND sharp_price <> 'NaN'),
    -- Sharp ≥ peak ≥ flat ≥ valley: a band price the other way round is a slip of the hand.
    ADD CONSTRAINT utility_tariff_bands_ordered CHECK (
        peak_price >= tier_prices[1] AND tier_prices[1] >= valley_price AND (sharp_price IS NULL OR sharp_price >= peak_price));
GRANT INSERT (peak_price, valley_price, sharp_price), UPDATE (peak_price, valley_price, sharp_price) ON utility_tariff TO parkctl_admin;

-- A tariff that a confirmed, posted or reversed period priced is what its bills say:
-- it is kept (a new price is set from a later day).
CREATE FUNCTION utility_tariff_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    used text;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.park_id, NEW.kind, NEW.from_day, NEW.tier_limits, NEW.tier_prices, NEW.peak_price, NEW.valley_price, NEW.sharp_price)
                            IS NOT DISTINCT FROM (OLD.park_id, OLD.kind, OLD.from_day, OLD.tier_limits, OLD.tier_prices, OLD.peak_price,
                                                  OLD.valley_price, OLD.sharp_price) THEN
        RETURN NEW;   -- the same prices set again
    END IF;
    SELECT p.number INTO used FROM public.utility_period_lease l JOIN public.utility_period p ON p.id = l.period_id
    WHERE l.tariff_id = OLD.id AND p.status IN ('confirmed', 'posted', 'reversed') ORDER BY p.number LIMIT 1;
    IF used IS NOT NULL THEN
        RAISE EXCEPTION 'the % tariff from % priced utility period %: it is kept (set a new price from a later day)', OLD.kind, OLD.from_day, used
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_tariff_kept', TABLE = 'utility_tariff';
    END IF;
    RETURN coalesce(NEW, OLD);
END $$;
REVOKE ALL ON FUNCTION utility_tariff_kept() FROM PUBLIC;
CREATE TRIGGER utility_tariff_kept BEFORE UPDATE OR DELETE ON utility_tariff FOR EACH ROW EXECUTE FUNCTION utility_tariff_kept();

ALTER TABLE utility_charge ADD COLUMN register text NOT NULL DEFAULT 'total'
    CONSTRAINT utility_charge_register_valid CHECK (register IN ('total', 'sharp', 'peak', 'flat', 'valley'));

-- A band's price under a tariff; NULL: the band is priced as the base (flat) price.
CREATE FUNCTION utility_band_price(p_register text, p_tariff public.utility_tariff) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE p_register WHEN 'peak' THEN p_tariff.peak_price WHEN 'valley' THEN p_tariff.valley_price
                           WHEN 'sharp' THEN coalesce(p_tariff.sharp_price, p_tariff.peak_price) END
$$;
REVOKE ALL ON FUNCTION utility_band_price(text, public.utility_tariff) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION utility_band_price(text, public.utility_tariff) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- 0030's lines with their register: a tenant's own lines band by band; shares and
-- losses, of the meters' totals, as 'total'.
DROP FUNCTION utility_period_lines(bigint);
CREATE FUNCTION utility_period_lines(p_period bigint)
RETURNS TABLE (park_id bigint, period_id bigint, lease_id bigint, tenant_id bigint, meter_id bigint, source text, basis text,
               meter_used numeric, weight numeric, total_weight numeric, quantity numeric, register text)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH per AS MATERIALIZED (SELECT * FROM public.utility_period WHERE id = p_period),
    bands AS MATERIALIZED (
        -- What each meter's register used in the period (the readings read in it).
        SELECT x.meter_id, x.register, sum(x.used) AS used FROM per, public.meter_usage x
        WHERE x.park_id = per.park_id AND per.during @> x.to_day GROUP BY x.meter_id, x.register
    ), meters AS MATERIALIZED (
        -- Each meter of the park and kind, with what it used in the period.
        SELECT m.id, m.unit_id, m.parent_id, coalesce(u.used, 0) AS used
        FROM per JOIN public.meter m ON m.park_id = per.park_id AND m.kind = per.kind
        LEFT JOIN (SELECT b.meter_id, sum(b.used) AS used FROM bands b GROUP BY b.meter_id) u ON u.meter_id = m.id
    ), holders AS MATERIALIZED (
        -- Who held each metered unit in the period, and for how many days.
        SELECT s.id AS meter_id, s.parent_id, s.unit_id, s.used, l.id AS lease_id, l.tenant_id, un.area_m2,
               upper(lu.during * per.during) - lower(lu.during * per.during) AS days
        FROM per CROSS JOIN meters s
        JOIN public.lease_unit lu ON lu.unit_id = s.unit_id AND NOT lu.cancelled AND lu.during && per.during
        JOIN public.lease l ON l.id = lu.lease_id AND l.status IN ('signed', 'terminated')
        JOIN public.unit un ON un.id = s.unit_id
        WHERE s.unit_id IS NOT NULL
    ), shared AS (
        -- What each rule shares: a public meter's usage among the units under its master,
        -- a master's loss among the units under it.
        SELECT r.meter_id, r.basis, m.used AS quantity, 'public' AS source, m.parent_id AS master
        FROM public.utility_share_rule r JOIN meters m ON m.id = r.meter_id
        WHERE m.unit_id IS NULL AND m.parent_id IS NOT NULL
        UNION ALL
        SELECT r.meter_id, r.basis, m.used - (SELECT coalesce(sum(c.used), 0) FROM meters c WHERE c.parent_id = m.id), 'loss', m.id
        FROM public.utility_share_rule r JOIN meters m ON m.id = r.meter_id
        WHERE m.parent_id IS NULL AND EXISTS (SELECT 1 FROM meters c WHERE c.parent_id = m.id)
    ), stays AS (
        -- Each lease's stay in a unit metered under a master (one per lease and unit), once however many meters the unit has.
        SELECT DISTINCT h.parent_id, h.unit_id, h.lease_id, h.tenant_id, h.area_m2, h.days FROM holders h
    ), weights AS (
        SELECT s.meter_id AS rule_meter, s.source, s.basis, s.quantity, h.lease_id, h.tenant_id,
               CASE s.basis WHEN 'area' THEN sum(h.area_m2 * h.days)
                            WHEN 'tenants' THEN max(h.days)
                            ELSE sum(coalesce(w.weight, 0) * h.days) END AS weight
        FROM shared s
        JOIN stays h ON h.parent_id = s.master
        LEFT JOIN public.utility_share_weight w ON w.meter_id = s.meter_id AND w.unit_id = h.unit_id
        WHERE s.quantity > 0
        GROUP BY s.meter_id, s.source, s.basis, s.quantity, h.lease_id, h.tenant_id
    )
    SELECT per.park_id, per.id, h.lease_id, h.tenant_id, h.meter_id, 'own', 'days', b.used, h.days, upper(per.during) - lower(per.during),
           b.used * h.days / (upper(per.during) - lower(per.during)), b.register
    FROM per, holders h JOIN bands b ON b.meter_id = h.meter_id WHERE b.used > 0
    UNION ALL
    SELECT per.park_id, per.id, w.lease_id, w.tenant_id, w.rule_meter, w.source, w.basis, w.quantity, w.weight,
           sum(w.weight) OVER (PARTITION BY w.rule_meter), w.quantity * w.weight / sum(w.weight) OVER (PARTITION BY w.rule_meter), 'total'
    FROM per, weights w WHERE w.weight > 0
$$;
REVOKE ALL ON FUNCTION utility_period_lines(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION utility_period_lines(bigint) TO parkctl_admin;

-- Each lease's total: the bands with a price of their own at it, the rest by the base
-- price and its tiers; the sum rounded once, half up, to the fen.
CREATE OR REPLACE FUNCTION utility_period_totals(p_period bigint)
RETURNS TABLE (lease_id bigint, tenant_id bigint, quantity numeric, tariff_id bigint, amount numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH per AS (SELECT * FROM public.utility_period WHERE id = p_period),
    t AS (SELECT x FROM per JOIN public.utility_tariff x ON x.park_id = per.park_id AND x.kind = per.kind AND x.from_day <= lower(per.during)
          ORDER BY x.from_day DESC LIMIT 1)
    SELECT c.lease_id, c.tenant_id, sum(c.quantity), (t.x).id,
           round(public.utility_tiered_amount(coalesce(sum(c.quantity) FILTER (WHERE b.price IS NULL), 0), (t.x).tier_limits, (t.x).tier_prices)
                 + coalesce(sum(c.quantity * b.price), 0), 2)
    FROM public.utility_charge c CROSS JOIN t CROSS JOIN LATERAL (SELECT public.utility_band_price(c.register, t.x) AS price) b
    WHERE c.period_id = p_period
    GROUP BY c.lease_id, c.tenant_id, t.x
$$;

-- Whether a period's stored lines and totals are what its readings, rules and tariff
-- make now, row for row (confirming needs it). A function of its own, so that a later change of
-- the lines replaces it, not the whole transition.
CREATE FUNCTION utility_period_figures_current(p_period bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT NOT EXISTS (SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used::numeric(18,4), weight::numeric(18,4),
                              total_weight::numeric(18,4), quantity::numeric(18,4), register FROM public.utility_period_lines(p_period)
                       EXCEPT ALL SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity, register
                       FROM public.utility_charge WHERE period_id = p_period)
       AND NOT EXISTS (SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity, register
                       FROM public.utility_charge WHERE period_id = p_period
                       EXCEPT ALL SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used::numeric(18,4),
                                     weight::numeric(18,4), total_weight::numeric(18,4), quantity::numeric(18,4), register
                       FROM public.utility_period_lines(p_period))
       AND NOT EXISTS (SELECT lease_id, tenant_id, quantity::numeric(18,4), tariff_id, amount FROM public.utility_period_totals(p_period)
                       EXCEPT ALL SELECT lease_id, tenant_id, quantity, tariff_id, amount FROM public.utility_period_lease WHERE period_id = p_period)
       AND NOT EXISTS (SELECT lease_id, tenant_id, quantity, tariff_id, amount FROM public.utility_period_lease WHERE period_id = p_period
                       EXCEPT ALL SELECT lease_id, tenant_id, quantity::numeric(18,4), tariff_id, amount FROM public.utility_period_totals(p_period))
$$;
REVOKE ALL ON FUNCTION utility_period_figures_current(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION utility_period_figures_current(bigint) TO parkctl_admin;

CREATE OR REPLACE FUNCTION utility_period_calculate(p_period bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    period public.utility_period;
BEGIN
    SELECT * INTO period FROM public.utility_period WHERE id = p_period FOR UPDATE;
    IF period.status NOT IN ('draft', 'calculated') THEN
        RAISE EXCEPTION 'utility period % is %: only a draft or calculated period is calculated', period.number, period.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_frozen', TABLE = 'utility_period';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM public.utility_tariff t WHERE t.park_id = period.park_id AND t.kind = period.kind
                                                            AND t.from_day <= lower(period.during)) THEN
        RAISE EXCEPTION 'no % tariff of the park is in force on %: set one first (parkctl tariff set)', period.kind, lower(period.during)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_tariff_in_force', TABLE = 'utility_period';
    END IF;
    DELETE FROM public.utility_charge c WHERE c.period_id = p_period;
    DELETE FROM public.utility_period_lease l WHERE l.period_id = p_period;
    INSERT INTO public.utility_charge (park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity, register)
    SELECT * FROM public.utility_period_lines(p_period);
    INSERT INTO public.utility_period_lease (period_id, lease_id, park_id, tenant_id, quantity, tariff_id, amount)
    SELECT p_period, t.lease_id, period.park_id, t.tenant_id, t.quantity, t.tariff_id, t.amount FROM public.utility_period_totals(p_period) t;
    UPDATE public.utility_period SET status = 'calculated', calculated_at = now() WHERE id = p_period;
END $$;

-- 0030's transitions, confirming through utility_period_figures_current.
CREATE OR REPLACE FUNCTION utility_period_transition() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status NOT IN ('draft', 'calculated') THEN
            RAISE EXCEPTION 'utility period % is %: it is kept (a posted period is reversed: parkctl utility period reverse)', OLD.number, OLD.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_kept', TABLE = 'utility_period';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.reverses_id IS NULL AND NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a utility period starts as a draft (parkctl utility period open), not %', NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_status_flow', TABLE = 'utility_period';
        END IF;
        IF NEW.reverses_id IS NOT NULL AND (
               NOT EXISTS (SELECT 1 FROM public.utility_period o WHERE o.id = NEW.reverses_id AND o.status = 'posted' AND o.reverses_id IS NULL
                                                                   AND o.kind = NEW.kind AND o.during = NEW.during)
               OR EXISTS (SELECT 1 FROM public.utility_period_lease l WHERE l.period_id = NEW.reverses_id AND l.bill_id IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = l.bill_id)
                          AND NOT EXISTS (SELECT 1 FROM public.bill c WHERE c.source_bill_id = l.bill_id AND c.fee = 'adjustment'
                                                                         AND c.amount = -(SELECT b.amount FROM public.bill b WHERE b.id = l.bill_id)))) THEN
            RAISE EXCEPTION 'a reversal reverses a posted period of its kind and days whose bills are all voided or credited back (parkctl utility period reverse)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_status_flow', TABLE = 'utility_period';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.park_id <> OLD.park_id OR NEW.kind <> OLD.kind OR NEW.during <> OLD.during OR NEW.number <> OLD.number
       OR NEW.reverses_id IS DISTINCT FROM OLD.reverses_id THEN
        RAISE EXCEPTION 'utility period % keeps its park, kind and days (open another period instead)', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_kept', TABLE = 'utility_period';
    END IF;
    IF NOT ((OLD.status, NEW.status) IN (('draft', 'calculated'), ('calculated', 'calculated'), ('calculated', 'confirmed'),
                                          ('confirmed', 'calculated'), ('confirmed', 'posted'), ('posted', 'reversed'),
                                          ('calculated', 'draft'), ('confirmed', 'confirmed'), ('posted', 'posted'))) THEN
        RAISE EXCEPTION 'utility period % is %: it cannot become %', OLD.number, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_status_flow', TABLE = 'utility_period';
    END IF;
    IF OLD.status = 'calculated' AND NEW.status = 'confirmed' AND NOT public.utility_period_figures_current(OLD.id) THEN
        RAISE EXCEPTION 'utility period %''s figures are not what its readings, rules and tariff make now: calculate it again (parkctl utility period calc) and confirm',
                        OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_figures', TABLE = 'utility_period';
    END IF;
    IF OLD.status = 'confirmed' AND NEW.status = 'calculated'
       AND EXISTS (SELECT 1 FROM public.utility_period_lease l WHERE l.period_id = OLD.id AND l.bill_id IS NOT NULL) THEN
        RAISE EXCEPTION 'utility period % has bills: it is reversed, not reopened', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_status_flow', TABLE = 'utility_period';
    END IF;
    IF OLD.status = 'posted' AND NEW.status = 'reversed'
       AND NOT EXISTS (SELECT 1 FROM public.utility_period r WHERE r.reverses_id = OLD.id) THEN
        RAISE EXCEPTION 'utility period % is reversed by its reversal only (parkctl utility period reverse)', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_status_flow', TABLE = 'utility_period';
    END IF;
    RETURN NEW;
END $$;
