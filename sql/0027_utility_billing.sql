-- 0027: utility billing (水电费): tariffs, the sharing of public meters (公摊), billing
-- periods calculated from the readings, confirmed, posted as `utility` bills of the
-- receivables ledger, and reversed (红冲), never edited once posted. Issue 18, part 2.
--
-- A period of a park and a kind (electricity, say, for November) is calculated into
-- lines, one per lease and meter whose usage the lease pays for:
--   own     a tenant's sub-meter: what it used in the period (the readings read in it),
--           split by days when the unit changed hands (a tenant moving in on the 11th of
--           a 30-day month pays 20/30 of it);
--   public  a public meter's usage, shared among the leases of the units metered under
--           the same master meter, by the meter's rule: leased area × days, tenants ×
--           days, or a weight per unit × days;
--   loss    a master meter's usage less what the meters under it used (损耗), shared so.
-- Each line keeps the figures it was computed from (the meter's usage, the lease's
-- weight and everyone's, its days), so a tenant's "why do I pay 1,234 kWh of 公摊?" has
-- its answer on the line. A lease's lines add up to its quantity, priced by the tariff
-- in force on the period's first day (its tiers (阶梯) over the period's quantity), the
-- amount rounded once, half up, to the fen.

-- Limits that rise strictly: {200, 400}, not {400, 200} or {200, 200}.
CREATE FUNCTION utility_limits_ascending(p_limits numeric[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(bool_and(p_limits[i] < p_limits[i + 1]), true) FROM generate_series(1, cardinality(p_limits) - 1) i
$$;

CREATE TABLE utility_tariff (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id     bigint NOT NULL REFERENCES park,
    kind        text NOT NULL CONSTRAINT utility_tariff_kind_valid CHECK (kind IN ('water', 'electricity', 'gas', 'heat')),
    from_day    date NOT NULL,
    -- The price of a unit (元/kWh, 元/m³) up to the first limit, then each next price
    -- above each limit: limits {200, 400} and prices {0.60, 0.65, 0.90}. A flat price has
    -- no limit.
    tier_limits numeric(14,2)[] NOT NULL DEFAULT '{}',
    tier_prices numeric(10,4)[] NOT NULL,
    actor       text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT utility_tariff_once_a_day UNIQUE (park_id, kind, from_day),
    CONSTRAINT utility_tariff_park_id_key UNIQUE (park_id, id),
    CONSTRAINT utility_tariff_tiers_valid CHECK (
        cardinality(tier_prices) = cardinality(tier_limits) + 1
        AND array_position(tier_prices, NULL) IS NULL AND array_position(tier_limits, NULL) IS NULL
        AND 0 <= ALL (tier_prices) AND 0 < ALL (tier_limits)
        AND public.utility_limits_ascending(tier_limits))
);

-- The price of `quantity` by tiers, unrounded.
CREATE FUNCTION utility_tiered_amount(p_quantity numeric, p_limits numeric[], p_prices numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(sum(greatest(0, least(p_quantity, coalesce(p_limits[i], p_quantity)) - coalesce(p_limits[i - 1], 0)) * p_prices[i]), 0)
    FROM generate_subscripts(p_prices, 1) i
$$;

-- How a public meter's usage, or a master meter's loss, is shared.
CREATE TABLE utility_share_rule (
    meter_id    bigint PRIMARY KEY,
    park_id     bigint NOT NULL,
    basis       text NOT NULL CONSTRAINT utility_share_rule_basis_valid CHECK (basis IN ('area', 'tenants', 'weights')),
    actor       text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT utility_share_rule_of_meter FOREIGN KEY (park_id, meter_id) REFERENCES meter (park_id, id)
);
CREATE TABLE utility_share_weight (
    meter_id    bigint NOT NULL,
    unit_id     bigint NOT NULL,
    park_id     bigint NOT NULL,
    weight      numeric(10,4) NOT NULL CONSTRAINT utility_share_weight_positive CHECK (weight > 0),
    PRIMARY KEY (meter_id, unit_id),
    FOREIGN KEY (park_id, meter_id) REFERENCES meter (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES unit (park_id, id)
);

CREATE SEQUENCE utility_period_number_seq;

CREATE TABLE utility_period (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number        text NOT NULL CONSTRAINT utility_period_number_key UNIQUE,
    park_id       bigint NOT NULL REFERENCES park,
    kind          text NOT NULL CONSTRAINT utility_period_kind_valid CHECK (kind IN ('water', 'electricity', 'gas', 'heat')),
    during        daterange NOT NULL CONSTRAINT utility_period_bounded
                  CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),
    status        text NOT NULL DEFAULT 'draft'
                  CONSTRAINT utility_period_status_valid CHECK (status IN ('draft', 'calculated', 'confirmed', 'posted', 'reversed')),
    -- A reversal (红冲) of a posted period: posted when made, over the same days.
    reverses_id   bigint,
    reason        text CONSTRAINT utility_period_reason_length CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500)
                  CONSTRAINT utility_period_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    calculated_at timestamptz,
    posted_on     date,
    actor         text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT utility_period_park_id_key UNIQUE (park_id, id),
    CONSTRAINT utility_period_reverses_in_park FOREIGN KEY (park_id, reverses_id) REFERENCES utility_period (park_id, id),
    CONSTRAINT utility_period_reversal_reasoned CHECK (reverses_id IS NULL OR (reason IS NOT NULL AND status = 'posted')),
    -- Periods of a park and kind never overlap, a reversed one and its reversal aside.
    -- Written on expressions no query spells, as lease_unit's (0012): no plain index
    -- scan of an ordinary read reaches this GiST index.
    CONSTRAINT utility_period_no_overlap EXCLUDE USING gist (
        (CASE WHEN status <> 'reversed' AND reverses_id IS NULL THEN park_id + 0 END) WITH =,
        (kind || '') WITH =, (during + 'empty'::daterange) WITH &&)
);

-- draft → calculated (again, as often as wanted) → confirmed → posted → reversed.
CREATE FUNCTION utility_period_transition() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status NOT IN ('draft', 'calculated') THEN
            RAISE EXCEPTION 'utility period % is %: it is kept (a posted period is reversed: parkctl utility period reverse)', OLD.number, OLD.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_kept', TABLE = 'utility_period';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.park_id <> OLD.park_id OR NEW.kind <> OLD.kind OR NEW.during <> OLD.during OR NEW.number <> OLD.number
       OR NEW.reverses_id IS DISTINCT FROM OLD.reverses_id THEN
        RAISE EXCEPTION 'utility period % keeps its park, kind and days (open another period instead)', OLD.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_kept', TABLE = 'utility_period';
    END IF;
    IF NOT ((OLD.status, NEW.status) IN (('draft', 'calculated'), ('calculated', 'calculated'), ('calculated', 'confirmed'),
                                          ('confirmed', 'posted'), ('posted', 'reversed'), ('calculated', 'draft'))) THEN
        RAISE EXCEPTION 'utility period % is %: it cannot become %', OLD.number, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_status_flow', TABLE = 'utility_period';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION utility_period_transition() FROM PUBLIC;
CREATE TRIGGER utility_period_transition BEFORE UPDATE OR DELETE ON utility_period
    FOR EACH ROW EXECUTE FUNCTION utility_period_transition();

-- A line: what one lease pays for of one meter's usage in a period.
CREATE TABLE utility_charge (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL,
    period_id    bigint NOT NULL,
    lease_id     bigint NOT NULL,
    tenant_id    bigint NOT NULL REFERENCES tenant,
    meter_id     bigint NOT NULL,
    source       text NOT NULL CONSTRAINT utility_charge_source_valid CHECK (source IN ('own', 'public', 'loss')),
    basis        text NOT NULL CONSTRAINT utility_charge_basis_valid CHECK (basis IN ('days', 'area', 'tenants', 'weights')),
    -- The meter's usage in the period (public, own), or the master's loss.
    meter_used   numeric(18,4) NOT NULL,
    -- This lease's weight and everyone's (area × days, days, weight × days; for its own
    -- meter the days it held the unit and the period's days).
    weight       numeric(18,4) NOT NULL,
    total_weight numeric(18,4) NOT NULL CONSTRAINT utility_charge_total_positive CHECK (total_weight > 0),
    quantity     numeric(18,4) NOT NULL,
    FOREIGN KEY (park_id, period_id) REFERENCES utility_period (park_id, id) ON DELETE CASCADE,
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id),
    FOREIGN KEY (park_id, meter_id) REFERENCES meter (park_id, id)
);
CREATE INDEX utility_charge_period_idx ON utility_charge (period_id, lease_id);

-- A lease's total for a period: its quantity, the tariff, the amount, and the bill
-- that posting issued.
CREATE TABLE utility_period_lease (
    period_id   bigint NOT NULL,
    lease_id    bigint NOT NULL,
    park_id     bigint NOT NULL,
    tenant_id   bigint NOT NULL REFERENCES tenant,
    quantity    numeric(18,4) NOT NULL,
    tariff_id   bigint NOT NULL,
    amount      numeric(14,2) NOT NULL CONSTRAINT utility_period_lease_amount_not_negative CHECK (amount >= 0),
    bill_id     bigint,
    PRIMARY KEY (period_id, lease_id),
    FOREIGN KEY (park_id, period_id) REFERENCES utility_period (park_id, id) ON DELETE CASCADE,
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id),
    FOREIGN KEY (park_id, tariff_id) REFERENCES utility_tariff (park_id, id),
    FOREIGN KEY (park_id, bill_id) REFERENCES bill (park_id, id)
);

-- A confirmed, posted or reversed period's figures are frozen (posting sets each
-- lease's bill once).
CREATE FUNCTION utility_lines_frozen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    period public.utility_period;
BEGIN
    SELECT * INTO period FROM public.utility_period p WHERE p.id = coalesce(NEW.period_id, OLD.period_id);
    IF period.status IN ('draft', 'calculated') OR period.id IS NULL THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    IF TG_TABLE_NAME = 'utility_period_lease' AND TG_OP = 'UPDATE' AND period.status = 'confirmed' AND OLD.bill_id IS NULL
       AND NEW.bill_id IS NOT NULL AND (NEW.quantity, NEW.amount, NEW.tariff_id) = (OLD.quantity, OLD.amount, OLD.tariff_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'utility period % is %: its figures are frozen', period.number, period.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_frozen', TABLE = TG_TABLE_NAME;
END $$;
REVOKE ALL ON FUNCTION utility_lines_frozen() FROM PUBLIC;
CREATE TRIGGER utility_charge_frozen BEFORE INSERT OR UPDATE OR DELETE ON utility_charge
    FOR EACH ROW EXECUTE FUNCTION utility_lines_frozen();
CREATE TRIGGER utility_period_lease_frozen BEFORE INSERT OR UPDATE OR DELETE ON utility_period_lease
    FOR EACH ROW EXECUTE FUNCTION utility_lines_frozen();

-- Calculates a draft or calculated period anew: its lines and its leases' totals, in
-- set-based statements. Refuses when no tariff is in force on the period's first day.
CREATE FUNCTION utility_period_calculate(p_period bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    period public.utility_period;
    tariff public.utility_tariff;
BEGIN
    SELECT * INTO period FROM public.utility_period WHERE id = p_period FOR UPDATE;
    IF period.status NOT IN ('draft', 'calculated') THEN
        RAISE EXCEPTION 'utility period % is %: only a draft or calculated period is calculated', period.number, period.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_period_frozen', TABLE = 'utility_period';
    END IF;
    SELECT * INTO tariff FROM public.utility_tariff t
    WHERE t.park_id = period.park_id AND t.kind = period.kind AND t.from_day <= lower(period.during)
    ORDER BY t.from_day DESC LIMIT 1;
    IF tariff.id IS NULL THEN
        RAISE EXCEPTION 'no % tariff of the park is in force on %: set one first (parkctl tariff set)', period.kind, lower(period.during)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'utility_tariff_in_force', TABLE = 'utility_period';
    END IF;
    DELETE FROM public.utility_charge c WHERE c.period_id = p_period;
    DELETE FROM public.utility_period_lease l WHERE l.period_id = p_period;

    INSERT INTO public.utility_charge (park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity)
    WITH meters AS MATERIALIZED (
        -- Each meter of the park and kind, with what it used in the period (the readings read in it).
        SELECT m.id, m.unit_id, m.parent_id, coalesce(u.used, 0) AS used
        FROM public.meter m
        LEFT JOIN (SELECT x.meter_id, sum(x.used) AS used FROM public.meter_usage x
                   WHERE x.park_id = period.park_id AND period.during @> x.to_day GROUP BY x.meter_id) u ON u.meter_id = m.id
        WHERE m.park_id = period.park_id AND m.kind = period.kind
    ), holders AS MATERIALIZED (
        -- Who held each metered unit in the period, and for how many days.
        SELECT s.id AS meter_id, s.parent_id, s.unit_id, s.used, l.id AS lease_id, l.tenant_id, un.area_m2,
               upper(lu.during * period.during) - lower(lu.during * period.during) AS days
        FROM meters s
        JOIN public.lease_unit lu ON lu.unit_id = s.unit_id AND NOT lu.cancelled AND lu.during && period.during
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
    SELECT period.park_id, p_period, h.lease_id, h.tenant_id, h.meter_id, 'own', 'days', h.used, h.days, upper(period.during) - lower(period.during),
           h.used * h.days / (upper(period.during) - lower(period.during))
    FROM holders h WHERE h.used > 0
    UNION ALL
    SELECT period.park_id, p_period, w.lease_id, w.tenant_id, w.rule_meter, w.source, w.basis, w.quantity, w.weight,
           sum(w.weight) OVER (PARTITION BY w.rule_meter), w.quantity * w.weight / sum(w.weight) OVER (PARTITION BY w.rule_meter)
    FROM weights w WHERE w.weight > 0;

    INSERT INTO public.utility_period_lease (period_id, lease_id, park_id, tenant_id, quantity, tariff_id, amount)
    SELECT p_period, c.lease_id, period.park_id, c.tenant_id, sum(c.quantity), tariff.id,
           round(public.utility_tiered_amount(sum(c.quantity), tariff.tier_limits, tariff.tier_prices), 2)
    FROM public.utility_charge c WHERE c.period_id = p_period
    GROUP BY c.lease_id, c.tenant_id;

    UPDATE public.utility_period SET status = 'calculated', calculated_at = now() WHERE id = p_period;
END $$;
REVOKE ALL ON FUNCTION utility_period_calculate(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION utility_period_calculate(bigint) TO parkctl_admin;
GRANT EXECUTE ON FUNCTION utility_tiered_amount(numeric, numeric[], numeric[]) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT USAGE ON SEQUENCE utility_period_number_seq TO parkctl_admin;

SELECT parkctl_register_park_table(t, writers => ARRAY['parkctl_admin'])
FROM unnest(ARRAY['utility_tariff', 'utility_share_rule', 'utility_share_weight', 'utility_period', 'utility_charge',
                  'utility_period_lease']) t;
