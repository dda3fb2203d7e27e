-- 0030: the utility tables hold against their own writers (issue 18's hostile review).
--
-- 1. A reading's multiplier is the meter's when it is read (a correction keeps it), and
--    who recorded it and when are the database's: a meter reader cannot bill a tenant
--    50,000 times its usage, nor sign as someone else. Likewise the actor and time of
--    meters, tariffs, rules and periods: the writers insert every other column.
-- 2. A register never goes back, whatever comes after: a reading at or above the
--    meter's rollover value is refused, one written before a rollover must leave it
--    one, and a replacement comes after the meter's last reading. No reading is of a
--    day after the park's today. Readings are written under READ COMMITTED (or
--    SERIALIZABLE): under REPEATABLE READ the check would not see what the table lock
--    waited for.
-- 3. A reading that a confirmed or posted period bills is kept (corrected only after the
--    period is reversed), and so is its deletion refused.
-- 4. A period's figures are the readings', not anyone's hand: confirming checks the
--    stored lines and totals against a fresh calculation (utility_period_lines, the one
--    definition both use), so lines written by hand while the period was calculated do
--    not get confirmed; a confirmed period may go back to calculated while it has no
--    bill; a bill recorded against a lease's total is the period's utility bill of that
--    lease and amount.
-- 5. Only a draft is inserted, or a reversal whose period's bills are all voided or
--    credited back; a period is reversed only by its reversal.

-- 1 and 2: the reading's check.
CREATE OR REPLACE FUNCTION meter_reading_billed_by(p_meter bigint, p_day date) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT p.number FROM public.utility_period p JOIN public.meter m ON m.park_id = p.park_id AND m.kind = p.kind
    WHERE m.id = p_meter AND p.status IN ('confirmed', 'posted') AND p.reverses_id IS NULL AND p.during @> p_day
    LIMIT 1
$$;

CREATE OR REPLACE FUNCTION meter_reading_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    m public.meter;
    prev public.meter_reading;
    next public.meter_reading;
    billed text;
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'readings are written under READ COMMITTED or SERIALIZABLE isolation, not REPEATABLE READ'
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    SELECT * INTO m FROM public.meter WHERE id = NEW.meter_id;
    IF TG_OP = 'INSERT' THEN
        NEW.multiplier := m.multiplier;
    ELSE
        IF NEW.meter_id <> OLD.meter_id OR NEW.park_id <> OLD.park_id OR NEW.read_on <> OLD.read_on THEN
            RAISE EXCEPTION 'a reading keeps its meter and day (record another reading instead)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_kept', TABLE = 'meter_reading';
        END IF;
        NEW.multiplier := OLD.multiplier;
    END IF;
    NEW.read_by := public.parkctl_actor();
    NEW.recorded_at := now();
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
    WHERE r.meter_id = NEW.meter_id AND r.read_on < NEW.read_on AND r.id IS DISTINCT FROM NEW.id ORDER BY r.read_on DESC LIMIT 1;
    SELECT * INTO next FROM public.meter_reading r
    WHERE r.meter_id = NEW.meter_id AND r.read_on > NEW.read_on AND r.id IS DISTINCT FROM NEW.id ORDER BY r.read_on LIMIT 1;
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
                        m.code, NEW.value, NEW.read_on, prev.value, prev.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'rollover' AND (m.rolls_over_at IS NULL OR NEW.value >= prev.value) THEN
        RAISE EXCEPTION 'meter % read % on % is no rollover: a rollover reads below the reading before (%), on a meter that rolls over (%)',
                        m.code, NEW.value, NEW.read_on, prev.value, coalesce('at ' || m.rolls_over_at, 'this one does not')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF NEW.kind = 'replacement' AND NEW.replaced_final < prev.value THEN
        RAISE EXCEPTION 'the old meter % ended at %, below its % of %: a register never goes back', m.code, NEW.replaced_final,
                        prev.value, prev.read_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    IF (next.kind = 'regular' AND next.value < NEW.value) OR (next.kind = 'rollover' AND next.value >= NEW.value)
       OR (next.kind = 'replacement' AND next.replaced_final < NEW.value) THEN
        RAISE EXCEPTION 'meter % read % on %, above its later % of % (%): a register never goes back', m.code, NEW.value, NEW.read_on,
                        coalesce(next.replaced_final, next.value), next.read_on, next.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_not_backwards', TABLE = 'meter_reading';
    END IF;
    RETURN NEW;
END $$;

-- 3: a billed reading is not deleted either.
CREATE FUNCTION meter_reading_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    billed text := public.meter_reading_billed_by(OLD.meter_id, OLD.read_on);
BEGIN
    IF billed IS NOT NULL THEN
        RAISE EXCEPTION 'the reading of % is billed by utility period %: it is kept (reverse the period first: parkctl utility period reverse)',
                        OLD.read_on, billed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_kept', TABLE = 'meter_reading';
    END IF;
    RETURN OLD;
END $$;
REVOKE ALL ON FUNCTION meter_reading_kept() FROM PUBLIC;
REVOKE ALL ON FUNCTION meter_reading_billed_by(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION meter_reading_billed_by(bigint, date) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
CREATE TRIGGER meter_reading_kept BEFORE DELETE ON meter_reading FOR EACH ROW EXECUTE FUNCTION meter_reading_kept();

-- 1: who and when are the database's; the multiplier is the meter's.
DO $$
DECLARE
    t text;
    writable text;
    writers text[];
BEGIN
    FOREACH t IN ARRAY ARRAY['meter', 'meter_reading', 'utility_tariff', 'utility_share_rule', 'utility_period'] LOOP
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO writable
        FROM pg_attribute a WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
                              AND a.attidentity = '' AND a.attname NOT IN ('actor', 'recorded_at', 'read_by', 'multiplier')
                              AND NOT (t = 'meter' AND a.attname = 'multiplier');
        IF t = 'meter' THEN
            writable := writable || ', multiplier';
        END IF;
        writers := CASE WHEN t = 'meter_reading' THEN ARRAY['parkctl_admin', 'parkctl_service'] ELSE ARRAY['parkctl_admin'] END;
        EXECUTE format('REVOKE INSERT, UPDATE ON public.%I FROM %s', t, array_to_string(writers, ', '));
        EXECUTE format('GRANT INSERT (%s), UPDATE (%s) ON public.%I TO %s', writable, writable, t, array_to_string(writers, ', '));
    END LOOP;
END $$;

-- 4: the lines of a period as the readings, rules, tariffs and leases make them.
CREATE FUNCTION utility_period_lines(p_period bigint)
RETURNS TABLE (park_id bigint, period_id bigint, lease_id bigint, tenant_id bigint, meter_id bigint, source text, basis text,
               meter_used numeric, weight numeric, total_weight numeric, quantity numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH per AS MATERIALIZED (SELECT * FROM public.utility_period WHERE id = p_period),
    meters AS MATERIALIZED (
        -- Each meter of the park and kind, with what it used in the period (the readings read in it).
        SELECT m.id, m.unit_id, m.parent_id, coalesce(u.used, 0) AS used
        FROM per JOIN public.meter m ON m.park_id = per.park_id AND m.kind = per.kind
        LEFT JOIN (SELECT x.meter_id, sum(x.used) AS used FROM per, public.meter_usage x
                   WHERE x.park_id = per.park_id AND per.during @> x.to_day GROUP BY x.meter_id) u ON u.meter_id = m.id
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
    ), weights AS (
        SELECT s.meter_id AS rule_meter, s.source, s.basis, s.quantity, h.lease_id, h.tenant_id,
               CASE s.basis WHEN 'area' THEN sum(h.area_m2 * h.days)
                            WHEN 'tenants' THEN max(h.days)
                            ELSE sum(coalesce(w.weight, 0) * h.days) END AS weight
        FROM shared s
        JOIN holders h ON h.parent_id = s.master
        LEFT JOIN public.utility_share_weight w ON w.meter_id = s.meter_id AND w.unit_id = h.unit_id
        WHERE s.quantity > 0
        GROUP BY s.meter_id, s.source, s.basis, s.quantity, h.lease_id, h.tenant_id
    )
    SELECT per.park_id, per.id, h.lease_id, h.tenant_id, h.meter_id, 'own', 'days', h.used, h.days, upper(per.during) - lower(per.during),
           h.used * h.days / (upper(per.during) - lower(per.during))
    FROM per, holders h WHERE h.used > 0
    UNION ALL
    SELECT per.park_id, per.id, w.lease_id, w.tenant_id, w.rule_meter, w.source, w.basis, w.quantity, w.weight,
           sum(w.weight) OVER (PARTITION BY w.rule_meter), w.quantity * w.weight / sum(w.weight) OVER (PARTITION BY w.rule_meter)
    FROM per, weights w WHERE w.weight > 0

$$;

-- Each lease's total of lines, priced by the tariff in force on the period's first day.
CREATE FUNCTION utility_period_totals(p_period bigint)
RETURNS TABLE (lease_id bigint, tenant_id bigint, quantity numeric, tariff_id bigint, amount numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH per AS (SELECT * FROM public.utility_period WHERE id = p_period),
    t AS (SELECT x.* FROM per JOIN public.utility_tariff x ON x.park_id = per.park_id AND x.kind = per.kind AND x.from_day <= lower(per.during)
          ORDER BY x.from_day DESC LIMIT 1)
    SELECT c.lease_id, c.tenant_id, sum(c.quantity), t.id, round(public.utility_tiered_amount(sum(c.quantity), t.tier_limits, t.tier_prices), 2)
    FROM public.utility_charge c, t WHERE c.period_id = p_period
    GROUP BY c.lease_id, c.tenant_id, t.id, t.tier_limits, t.tier_prices
$$;

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
    INSERT INTO public.utility_charge (park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity)
    SELECT * FROM public.utility_period_lines(p_period);
    INSERT INTO public.utility_period_lease (period_id, lease_id, park_id, tenant_id, quantity, tariff_id, amount)
    SELECT p_period, t.lease_id, period.park_id, t.tenant_id, t.quantity, t.tariff_id, t.amount FROM public.utility_period_totals(p_period) t;
    UPDATE public.utility_period SET status = 'calculated', calculated_at = now() WHERE id = p_period;
END $$;

-- 4 and 5: the transitions, and what each needs.
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
    IF OLD.status = 'calculated' AND NEW.status = 'confirmed' AND (
           EXISTS (SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used::numeric(18,4), weight::numeric(18,4),
                          total_weight::numeric(18,4), quantity::numeric(18,4) FROM public.utility_period_lines(OLD.id)
                   EXCEPT SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity
                   FROM public.utility_charge WHERE period_id = OLD.id)
           OR EXISTS (SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity
                      FROM public.utility_charge WHERE period_id = OLD.id
                      EXCEPT SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used::numeric(18,4),
                                    weight::numeric(18,4), total_weight::numeric(18,4), quantity::numeric(18,4) FROM public.utility_period_lines(OLD.id))
           OR EXISTS (SELECT lease_id, tenant_id, quantity::numeric(18,4), tariff_id, amount FROM public.utility_period_totals(OLD.id)
                      EXCEPT SELECT lease_id, tenant_id, quantity, tariff_id, amount FROM public.utility_period_lease WHERE period_id = OLD.id)
           OR EXISTS (SELECT lease_id, tenant_id, quantity, tariff_id, amount FROM public.utility_period_lease WHERE period_id = OLD.id
                      EXCEPT SELECT lease_id, tenant_id, quantity::numeric(18,4), tariff_id, amount FROM public.utility_period_totals(OLD.id))) THEN
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
DROP TRIGGER utility_period_transition ON utility_period;
CREATE TRIGGER utility_period_transition BEFORE INSERT OR UPDATE OR DELETE ON utility_period
    FOR EACH ROW EXECUTE FUNCTION utility_period_transition();

-- 4: a bill recorded against a lease's total is that lease's utility bill of the period, for its amount.
CREATE OR REPLACE FUNCTION utility_lines_frozen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    period public.utility_period;
BEGIN
    SELECT * INTO period FROM public.utility_period p WHERE p.id = coalesce(NEW.period_id, OLD.period_id);
    IF period.status IN ('draft', 'calculated') OR period.id IS NULL THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    IF TG_TABLE_NAME = 'utility_period_lease' AND TG_OP = 'UPDATE' AND period.status = 'confirmed' AND OLD.bill_id IS NULL
       AND (NEW.period_id, NEW.lease_id, NEW.park_id, NEW.tenant_id, NEW.quantity, NEW.amount, NEW.tariff_id)
           = (OLD.period_id, OLD.lease_id, OLD.park_id, OLD.tenant_id, OLD.quantity, OLD.amount, OLD.tariff_id)
       AND EXISTS (SELECT 1 FROM public.bill b WHERE b.id = NEW.bill_id AND b.lease_id = NEW.lease_id AND b.fee = 'utility'
                                                 AND b.period = period.during AND b.amount = NEW.amount) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'utility period % is %: its figures are frozen', period.number, period.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_frozen', TABLE = TG_TABLE_NAME;
END $$;

REVOKE ALL ON FUNCTION utility_period_lines(bigint), utility_period_totals(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION utility_period_lines(bigint), utility_period_totals(bigint) TO parkctl_admin;
