-- 0023: receivables (应收台账): bills, payments, allocations, waivers, voids, refunds,
-- deposits, late fees and invoices, exact to the fen, in the database.
--
-- The ledger is append-only: a bill or payment once recorded is never changed; a
-- mistake is corrected by a new row (a waiver, a void, a negative adjustment, a
-- payment's reversal). What a bill still owes is never stored: it is its amount less
-- what was allocated to it and waived, as of any day.
--
-- Money that can pay a bill (a "source") is a payment, or a negative bill: an
-- adjustment that credits the tenant (the unused part of a prepaid quarter after a
-- termination) or the return of a deposit at settlement. A source's money goes to
-- bills (allocation) or back to the tenant (refund); what is left is the tenant's
-- credit (预收), applied to bills as they are issued.
--
-- Every write to one tenant's receivables takes the tenant's receivables lock
-- (receivables_lock) before it checks a sum, so that sixteen clients recording
-- payments for one tenant at once never allocate the same money twice.

-- 1. Park settings.
ALTER TABLE park
    ADD COLUMN pay_within_days int NOT NULL DEFAULT 0
        CONSTRAINT park_pay_within_days_range CHECK (pay_within_days BETWEEN 0 AND 90),
    ADD COLUMN grace_days int NOT NULL DEFAULT 0
        CONSTRAINT park_grace_days_range CHECK (grace_days BETWEEN 0 AND 90),
    -- 滞纳金 per day: 0.0005 is 万分之五.
    ADD COLUMN late_fee_rate numeric(7,6) NOT NULL DEFAULT 0.0005
        CONSTRAINT park_late_fee_rate_range CHECK (late_fee_rate BETWEEN 0 AND 0.01),
    ADD COLUMN rent_tax_rate numeric(5,4) NOT NULL DEFAULT 0.09
        CONSTRAINT park_rent_tax_rate_range CHECK (rent_tax_rate BETWEEN 0 AND 0.5),
    ADD COLUMN property_fee_tax_rate numeric(5,4) NOT NULL DEFAULT 0.06
        CONSTRAINT park_property_fee_tax_rate_range CHECK (property_fee_tax_rate BETWEEN 0 AND 0.5),
    ADD COLUMN utility_tax_rate numeric(5,4) NOT NULL DEFAULT 0.13
        CONSTRAINT park_utility_tax_rate_range CHECK (utility_tax_rate BETWEEN 0 AND 0.5);

-- A lease's own late-fee rate per day; NULL: the park's. The history table keeps the
-- same columns in the same order.
ALTER TABLE lease ADD COLUMN late_fee_rate numeric(7,6)
    CONSTRAINT lease_late_fee_rate_range CHECK (late_fee_rate IS NULL OR late_fee_rate BETWEEN 0 AND 0.01);
ALTER TABLE lease_history ADD COLUMN late_fee_rate numeric(7,6);
-- Set when the lease is signed (a later change would re-price its past late fees).
GRANT INSERT (late_fee_rate) ON lease TO parkctl_leasing, parkctl_admin;

-- 2. The days a lease is charged for, and what it owes for them.

CREATE FUNCTION lease_cycle_months(p_cycle text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_cycle WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3 WHEN 'semiannual' THEN 6 WHEN 'annual' THEN 12 END
$$;

-- Calendar months from one day's month to another's (2026-01-31 → 2026-02-28: 1).
CREATE FUNCTION parkctl_months_between(p_from date, p_to date) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((extract(year FROM p_to) - extract(year FROM p_from)) * 12 + extract(month FROM p_to) - extract(month FROM p_from))::int
$$;

-- Rent and property fee owed by leases for ranges of days: for range i, lease
-- p_lease[i] over [p_from[i], p_to[i]] (clipped to the days it holds its units):
-- Σ over those days of (rate per m² per month in force that day × area held that day
-- ÷ days in that day's month); no rent on the rent-free days, the property fee on
-- every day. Each figure is rounded once, half up, to the fen.
--
-- The days are taken in runs over which nothing changes (cut at each month's first
-- day, each anniversary, the rent-free window's ends, each amendment's day and each
-- unit's first and last day), so a quarter costs a handful of rows, not ninety; a
-- run's share is days × rate × area ÷ days in the month: the sum of its days, exact.
-- A lease without amendments, whose units stay the same over the range, reads no
-- amendment and no unit per run: a bill run over 800,000 leases is a few joins.
CREATE FUNCTION lease_range_charges(p_lease bigint[], p_from date[], p_to date[])
RETURNS TABLE (i int, rent numeric, property_fee numeric)
-- Many rows: the planner hashes a run's periods against them instead of looping.
LANGUAGE sql STABLE ROWS 100000 SET search_path = pg_catalog, public, pg_temp AS $$
    -- Each range with its lease's terms and the area it holds over the whole range (and
    -- whether some unit comes or goes within it). Every later step reads its own row's
    -- columns: a join of two of these sets on i would be planned as a loop (the planner
    -- cannot know how long the arrays are) and take hours at 800,000 leases.
    WITH l AS MATERIALIZED (
        SELECT r.i::int AS i, l.id, l.rent, l.property_fee, l.escalation_pct, l.free_window, lower(l.term) AS start,
               greatest(r.f, lower(o.occ)) AS f, least(r.t, upper(o.occ) - 1) AS t,
               EXISTS (SELECT 1 FROM public.lease_amendment a WHERE a.lease_id = l.id AND a.effective_on IS NOT NULL
                                                                AND (a.rent IS NOT NULL OR a.property_fee IS NOT NULL)) AS amended,
               h.area, h.changes
        FROM unnest(p_lease, p_from, p_to) WITH ORDINALITY AS r(lease_id, f, t, i)
        JOIN public.lease l ON l.id = r.lease_id
        CROSS JOIN LATERAL (SELECT public.lease_occupancy(l.term, l.terminated_on) AS occ) o
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(u.area_m2) FILTER (WHERE lu.during @> greatest(r.f, lower(o.occ)) AND lu.during @> least(r.t, upper(o.occ) - 1)), 0) AS area,
                   coalesce(bool_or(NOT (lu.during @> greatest(r.f, lower(o.occ)) AND lu.during @> least(r.t, upper(o.occ) - 1))
                                    AND lu.during && daterange(greatest(r.f, lower(o.occ)), least(r.t, upper(o.occ) - 1), '[]')), false) AS changes
            FROM public.lease_unit lu JOIN public.unit u ON u.id = lu.unit_id
            WHERE lu.lease_id = l.id AND NOT lu.cancelled) h
        WHERE l.status IN ('signed', 'terminated') AND greatest(r.f, lower(o.occ)) <= least(r.t, upper(o.occ) - 1)
    ), runs AS (
        SELECT c.*, coalesce(lead(c.d) OVER w, c.t + 1) - c.d AS days, date_trunc('month', c.d) AS month,
               extract(day FROM date_trunc('month', c.d) + interval '1 month' - interval '1 day')::int AS dim
        FROM (
            SELECT l.*, x.d FROM l CROSS JOIN LATERAL (
                SELECT l.f AS d
                UNION SELECT m::date FROM generate_series(date_trunc('month', l.f) + interval '1 month', l.t, interval '1 month') m
                -- An anniversary within the range, and the day after it (a lease from 29 February rises on 1 March).
                UNION SELECT a.d FROM generate_series(greatest(extract(year FROM age(l.f, l.start))::int, 1),
                                                      extract(year FROM age(l.t, l.start))::int + 1) y,
                                      LATERAL (VALUES ((l.start + make_interval(years => y))::date),
                                                      ((l.start + make_interval(years => y))::date + 1)) a(d)
                      WHERE l.escalation_pct > 0 AND a.d > l.f AND a.d <= l.t
                UNION SELECT w.d FROM (VALUES (lower(l.free_window)), (upper(l.free_window))) w(d) WHERE w.d > l.f AND w.d <= l.t
                UNION SELECT a.effective_on FROM public.lease_amendment a
                      WHERE l.amended AND a.lease_id = l.id AND a.effective_on > l.f AND a.effective_on <= l.t
                UNION SELECT u.d FROM public.lease_unit lu, LATERAL (VALUES (lower(lu.during)), (upper(lu.during))) u(d)
                      WHERE l.changes AND lu.lease_id = l.id AND NOT lu.cancelled AND u.d > l.f AND u.d <= l.t) x
        ) c
        WINDOW w AS (PARTITION BY c.i ORDER BY c.d)
    ), priced AS (
        SELECT runs.i, runs.days, runs.month, runs.dim, coalesce(runs.free_window @> runs.d, false) AS free,
               CASE WHEN NOT runs.amended THEN public.lease_rate_from(runs.rent, runs.escalation_pct, runs.start, runs.start, runs.d)
                    ELSE (SELECT public.lease_rate_from(coalesce(a.rent, runs.rent), runs.escalation_pct, runs.start,
                                                        coalesce(a.effective_on, runs.start), runs.d)
                          FROM (SELECT NULL) one LEFT JOIN LATERAL (
                              SELECT x.rent, x.effective_on FROM public.lease_amendment x
                              WHERE x.lease_id = runs.id AND x.rent IS NOT NULL AND x.effective_on <= runs.d
                              ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1) a ON true) END AS rate,
               CASE WHEN NOT runs.amended THEN runs.property_fee
                    ELSE coalesce((SELECT x.property_fee FROM public.lease_amendment x
                                   WHERE x.lease_id = runs.id AND x.property_fee IS NOT NULL AND x.effective_on <= runs.d
                                   ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1), runs.property_fee) END AS fee,
               CASE WHEN NOT runs.changes THEN runs.area
                    ELSE (SELECT coalesce(sum(u.area_m2), 0) FROM public.lease_unit lu JOIN public.unit u ON u.id = lu.unit_id
                          WHERE lu.lease_id = runs.id AND NOT lu.cancelled AND lu.during @> runs.d) END AS area
        FROM runs
    )
    -- Each month's days × rate × area summed exactly, divided by its days once. A range
    -- with no day held owes nothing and has no row.
    SELECT m.i, round(sum(m.rent / m.dim), 2), round(sum(m.fee / m.dim), 2)
    FROM (SELECT priced.i, priced.month, priced.dim, sum(CASE WHEN free THEN 0 ELSE days * rate * area END) AS rent,
                 sum(days * fee * area) AS fee
          FROM priced GROUP BY priced.i, priced.month, priced.dim) m
    GROUP BY m.i
$$;

-- The same for one lease and one range.
CREATE FUNCTION lease_charges(p_lease bigint, p_from date, p_to date)
RETURNS TABLE (rent numeric, property_fee numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(sum(c.rent), 0), coalesce(sum(c.property_fee), 0)
    FROM public.lease_range_charges(ARRAY[p_lease], ARRAY[p_from], ARRAY[p_to]) c
$$;

-- 3. The ledger.
-- A bill's tenant is its lease's (a foreign key on both).
ALTER TABLE lease ADD CONSTRAINT lease_id_tenant_key UNIQUE (id, tenant_id);

CREATE SEQUENCE bill_number_seq;
CREATE SEQUENCE payment_number_seq;
CREATE SEQUENCE refund_number_seq;

CREATE TABLE bill (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number       text NOT NULL CONSTRAINT bill_number_key UNIQUE
                 CONSTRAINT bill_number_format CHECK (number ~ '^B-[0-9]{4}-[0-9]{6,}$'),
    park_id      bigint NOT NULL,
    lease_id     bigint NOT NULL,
    tenant_id    bigint NOT NULL REFERENCES tenant,
    fee          text NOT NULL CONSTRAINT bill_fee_valid
                 CHECK (fee IN ('rent', 'property_fee', 'deposit', 'late_fee', 'utility', 'adjustment')),
    -- The days it charges for, [first, last + 1).
    period       daterange NOT NULL CONSTRAINT bill_period_bounded
                 CHECK (NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)),
    due_on       date NOT NULL,
    -- Negative only for a credit: an adjustment, a deposit's return at settlement, or
    -- a late fee's correction.
    amount       numeric(14,2) NOT NULL CONSTRAINT bill_amount_sign
                 CHECK (amount > 0 OR (amount < 0 AND fee IN ('adjustment', 'deposit', 'late_fee'))),
    -- The bill a late fee is for, or a re-pricing (after a termination or an amendment) corrects.
    source_bill_id bigint,
    reason       text CONSTRAINT bill_reason_length CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500)
                 CONSTRAINT bill_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    issued_on    date NOT NULL,
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bill_park_id_key UNIQUE (park_id, id),
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id),
    CONSTRAINT bill_tenant_of_lease FOREIGN KEY (lease_id, tenant_id) REFERENCES lease (id, tenant_id),
    FOREIGN KEY (park_id, source_bill_id) REFERENCES bill (park_id, id),
    CONSTRAINT bill_source_kind CHECK (source_bill_id IS NULL OR fee IN ('late_fee', 'adjustment')),
    CONSTRAINT bill_reason_given CHECK (reason IS NOT NULL OR fee NOT IN ('adjustment'))
);
-- One bill per fee and period of a lease: a second bill run, or two at once, issue nothing twice.
CREATE UNIQUE INDEX bill_once ON bill (lease_id, fee, period) WHERE fee IN ('rent', 'property_fee', 'deposit');
-- One late fee per bill and run.
CREATE UNIQUE INDEX bill_late_fee_once ON bill (source_bill_id, period) WHERE fee = 'late_fee';
CREATE INDEX bill_source_idx ON bill (source_bill_id) WHERE source_bill_id IS NOT NULL;
CREATE INDEX bill_lease_idx ON bill (lease_id, fee);
CREATE INDEX bill_tenant_idx ON bill (tenant_id, park_id, due_on);
CREATE INDEX bill_park_due_idx ON bill (park_id, due_on);

CREATE TABLE payment (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number       text NOT NULL CONSTRAINT payment_number_key UNIQUE
                 CONSTRAINT payment_number_format CHECK (number ~ '^P-[0-9]{4}-[0-9]{6,}$'),
    park_id      bigint NOT NULL REFERENCES park,
    tenant_id    bigint NOT NULL REFERENCES tenant,
    amount       numeric(14,2) NOT NULL CONSTRAINT payment_amount_positive CHECK (amount > 0),
    received_on  date NOT NULL,
    method       text NOT NULL DEFAULT 'bank' CONSTRAINT payment_method_valid
                 CHECK (method IN ('bank', 'wechat', 'alipay', 'cash', 'other')),
    reference    text CONSTRAINT payment_reference_length CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 200)
                 CONSTRAINT payment_reference_plain_text CHECK (public.parkctl_is_plain_text(reference)),
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_park_id_key UNIQUE (park_id, id)
);
CREATE INDEX payment_tenant_idx ON payment (tenant_id, park_id, received_on);

-- A bounced transfer: its allocations are undone (negative allocations) first.
CREATE TABLE payment_reversal (
    payment_id   bigint PRIMARY KEY,
    park_id      bigint NOT NULL,
    tenant_id    bigint NOT NULL REFERENCES tenant,
    reversed_on  date NOT NULL,
    reason       text NOT NULL CONSTRAINT payment_reversal_reason_length CHECK (length(reason) BETWEEN 1 AND 500)
                 CONSTRAINT payment_reversal_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (park_id, payment_id) REFERENCES payment (park_id, id)
);

-- Money of one source put towards one bill; negative when a reversal takes it back.
CREATE TABLE allocation (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id        bigint NOT NULL,
    tenant_id      bigint NOT NULL REFERENCES tenant,
    bill_id        bigint NOT NULL,
    payment_id     bigint,
    credit_bill_id bigint,
    amount         numeric(14,2) NOT NULL CONSTRAINT allocation_amount_not_zero CHECK (amount <> 0),
    -- The day the money counts as paid to the bill: the later of the source's day and
    -- the bill's (a prepayment pays a bill the day it is issued).
    applied_on     date NOT NULL,
    actor          text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT allocation_one_source CHECK (num_nonnulls(payment_id, credit_bill_id) = 1),
    FOREIGN KEY (park_id, bill_id) REFERENCES bill (park_id, id),
    FOREIGN KEY (park_id, payment_id) REFERENCES payment (park_id, id),
    FOREIGN KEY (park_id, credit_bill_id) REFERENCES bill (park_id, id)
);
CREATE INDEX allocation_bill_idx ON allocation (bill_id, applied_on);
CREATE INDEX allocation_payment_idx ON allocation (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX allocation_credit_idx ON allocation (credit_bill_id) WHERE credit_bill_id IS NOT NULL;

-- 减免: part of a bill forgiven (admin only).
CREATE TABLE bill_waiver (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL,
    bill_id      bigint NOT NULL,
    amount       numeric(14,2) NOT NULL CONSTRAINT bill_waiver_amount_positive CHECK (amount > 0),
    waived_on    date NOT NULL,
    reason       text NOT NULL CONSTRAINT bill_waiver_reason_length CHECK (length(reason) BETWEEN 1 AND 500)
                 CONSTRAINT bill_waiver_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (park_id, bill_id) REFERENCES bill (park_id, id)
);
CREATE INDEX bill_waiver_bill_idx ON bill_waiver (bill_id, waived_on);

-- A bill issued in error, with nothing paid or waived: it no longer counts.
CREATE TABLE bill_void (
    bill_id      bigint PRIMARY KEY,
    park_id      bigint NOT NULL,
    voided_on    date NOT NULL,
    reason       text NOT NULL CONSTRAINT bill_void_reason_length CHECK (length(reason) BETWEEN 1 AND 500)
                 CONSTRAINT bill_void_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (park_id, bill_id) REFERENCES bill (park_id, id)
);

-- Money paid back to the tenant from a source: the rest of a deposit at settlement,
-- or credit the tenant asked back.
CREATE TABLE refund (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number         text NOT NULL CONSTRAINT refund_number_key UNIQUE
                   CONSTRAINT refund_number_format CHECK (number ~ '^R-[0-9]{4}-[0-9]{6,}$'),
    park_id        bigint NOT NULL,
    tenant_id      bigint NOT NULL REFERENCES tenant,
    lease_id       bigint,
    payment_id     bigint,
    credit_bill_id bigint,
    amount         numeric(14,2) NOT NULL CONSTRAINT refund_amount_positive CHECK (amount > 0),
    refunded_on    date NOT NULL,
    reason         text NOT NULL CONSTRAINT refund_reason_length CHECK (length(reason) BETWEEN 1 AND 500)
                   CONSTRAINT refund_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    actor          text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT refund_one_source CHECK (num_nonnulls(payment_id, credit_bill_id) = 1),
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id),
    FOREIGN KEY (park_id, payment_id) REFERENCES payment (park_id, id),
    FOREIGN KEY (park_id, credit_bill_id) REFERENCES bill (park_id, id)
);
CREATE INDEX refund_payment_idx ON refund (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX refund_credit_idx ON refund (credit_bill_id) WHERE credit_bill_id IS NOT NULL;

-- 发票, registered (issued by the tax system, not here): one invoice may cover several
-- bills, one bill be split over several invoices, never beyond its amount.
CREATE TABLE invoice (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL REFERENCES park,
    tenant_id    bigint NOT NULL REFERENCES tenant,
    number       text NOT NULL CONSTRAINT invoice_number_format CHECK (number ~ '^[A-Za-z0-9-]{1,40}$'),
    issued_on    date NOT NULL,
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invoice_number_key UNIQUE (park_id, number),
    CONSTRAINT invoice_park_id_key UNIQUE (park_id, id)
);

CREATE TABLE invoice_line (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL,
    invoice_id   bigint NOT NULL,
    bill_id      bigint NOT NULL,
    -- The amount invoiced, tax included (含税), the rate in force and the tax in it.
    amount       numeric(14,2) NOT NULL CONSTRAINT invoice_line_amount_positive CHECK (amount > 0),
    tax_rate     numeric(5,4) NOT NULL,
    tax          numeric(14,2) NOT NULL,
    CONSTRAINT invoice_line_once UNIQUE (invoice_id, bill_id),
    FOREIGN KEY (park_id, invoice_id) REFERENCES invoice (park_id, id),
    FOREIGN KEY (park_id, bill_id) REFERENCES bill (park_id, id)
);
CREATE INDEX invoice_line_bill_idx ON invoice_line (bill_id);

-- A lease settled (退租结算), once: the last lease of a renewal chain.
CREATE TABLE lease_settlement (
    lease_id     bigint PRIMARY KEY,
    park_id      bigint NOT NULL,
    settled_on   date NOT NULL,
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id)
);

SELECT parkctl_register_park_table(t, writers => ARRAY['parkctl_admin', 'parkctl_leasing'], append_only => true)
FROM unnest(ARRAY['bill', 'payment', 'payment_reversal', 'allocation', 'bill_void', 'refund', 'invoice', 'invoice_line',
                  'lease_settlement']) t;
SELECT parkctl_register_park_table('bill_waiver', writers => ARRAY['parkctl_admin'], append_only => true);

-- Who wrote a ledger row and when is the database's: writers insert every other column.
DO $$
DECLARE
    t text;
    writable text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bill', 'payment', 'payment_reversal', 'allocation', 'bill_void', 'refund', 'invoice',
                             'invoice_line', 'lease_settlement', 'bill_waiver'] LOOP
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO writable
        FROM pg_attribute a WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
                              AND a.attidentity = '' AND a.attname NOT IN ('actor', 'recorded_at');
        EXECUTE format('REVOKE INSERT ON public.%I FROM parkctl_admin, parkctl_leasing', t);
        EXECUTE format('GRANT INSERT (%s) ON public.%I TO parkctl_admin', writable, t);
        IF t <> 'bill_waiver' THEN
            EXECUTE format('GRANT INSERT (%s) ON public.%I TO parkctl_leasing', writable, t);
        END IF;
    END LOOP;
END $$;
GRANT USAGE ON SEQUENCE bill_number_seq, payment_number_seq, refund_number_seq TO parkctl_admin, parkctl_leasing;

-- 4. The rules the ledger keeps.

-- The order bills are paid in on one due day.
CREATE FUNCTION bill_fee_rank(p_fee text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_fee WHEN 'deposit' THEN 1 WHEN 'rent' THEN 2 WHEN 'property_fee' THEN 3 WHEN 'utility' THEN 4
                      WHEN 'adjustment' THEN 5 WHEN 'late_fee' THEN 6 END
$$;

-- One tenant's receivables are written by one transaction at a time: each write
-- locks the tenant's row first.
CREATE FUNCTION receivables_lock(p_tenant bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- Under REPEATABLE READ a sum read after the lock would miss what the holder
    -- committed: the checks below need READ COMMITTED (or SERIALIZABLE, which
    -- detects it).
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'receivables are written under READ COMMITTED or SERIALIZABLE isolation, not REPEATABLE READ'
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    -- A row lock, not an advisory one: a run that pays the bills of 20,000 tenants from
    -- their credit holds 20,000 of them, more than the shared lock table has room for.
    PERFORM 1 FROM public.tenant t WHERE t.id = p_tenant FOR NO KEY UPDATE;
END $$;

-- What a bill still owes now: amount − allocated − waived; nothing once void.
-- A credit (negative bill) "owes" nothing; what is left of it is credit.
-- These three have no settings of their own (a SET clause costs a configuration
-- change per call); each is a few index lookups.
CREATE FUNCTION bill_balance(p_bill bigint) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (SELECT b.amount FROM public.bill b WHERE b.id = p_bill) < 0
                  OR EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = p_bill) THEN 0
                ELSE (SELECT b.amount FROM public.bill b WHERE b.id = p_bill)
                     - coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.bill_id = p_bill), 0)
                     - coalesce((SELECT sum(w.amount) FROM public.bill_waiver w WHERE w.bill_id = p_bill), 0) END
$$;

-- What is left of a source: a payment (unless reversed) or a credit (unless void),
-- less what went to bills and back to the tenant.
CREATE FUNCTION payment_left(p_payment bigint) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM public.payment_reversal r WHERE r.payment_id = p_payment) THEN 0
                ELSE (SELECT p.amount FROM public.payment p WHERE p.id = p_payment)
                     - coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.payment_id = p_payment), 0)
                     - coalesce((SELECT sum(r.amount) FROM public.refund r WHERE r.payment_id = p_payment), 0) END
$$;

CREATE FUNCTION credit_left(p_bill bigint) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (SELECT b.amount FROM public.bill b WHERE b.id = p_bill) >= 0
                  OR EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = p_bill) THEN 0
                ELSE -(SELECT b.amount FROM public.bill b WHERE b.id = p_bill)
                     - coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.credit_bill_id = p_bill), 0)
                     - coalesce((SELECT sum(r.amount) FROM public.refund r WHERE r.credit_bill_id = p_bill), 0) END
$$;

-- A lease and its renewals (续租), back to the first and on to the last not cancelled:
-- a deposit carries over from a lease to its renewal.
CREATE FUNCTION lease_renewal_chain(p_lease bigint) RETURNS TABLE (lease_id bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH RECURSIVE earlier AS (
        SELECT l.id, l.renews_lease_id FROM public.lease l WHERE l.id = p_lease
        UNION SELECT l.id, l.renews_lease_id FROM public.lease l JOIN earlier e ON l.id = e.renews_lease_id
    ), chain AS (
        SELECT e.id FROM earlier e
        UNION SELECT l.id FROM public.lease l JOIN chain c ON l.renews_lease_id = c.id AND l.status <> 'cancelled'
    )
    SELECT c.id FROM chain c
$$;

-- The deposit a lease holds (with its renewals): paid to their deposit bills, less
-- their returns (negative deposit bills, not void).
CREATE FUNCTION lease_deposit_held(p_lease bigint) RETURNS numeric
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((SELECT sum(a.amount) FROM public.allocation a JOIN public.bill b ON b.id = a.bill_id
                     WHERE b.lease_id IN (SELECT c.lease_id FROM public.lease_renewal_chain(p_lease) c) AND b.fee = 'deposit'), 0)
         + coalesce((SELECT sum(b.amount) FROM public.bill b
                     WHERE b.lease_id IN (SELECT c.lease_id FROM public.lease_renewal_chain(p_lease) c) AND b.fee = 'deposit' AND b.amount < 0
                       AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id)), 0)
$$;

CREATE FUNCTION receivables_refuse(p_message text, p_constraint text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '%', p_message USING ERRCODE = 'check_violation', CONSTRAINT = p_constraint;
END $$;

-- What was received, reversed, waived, voided, refunded or invoiced happened by
-- today (in the park's time zone): a ledger records the past. TG_ARGV[0] names the day.
CREATE FUNCTION receivables_day_not_in_future() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    day date := (to_jsonb(NEW) ->> TG_ARGV[0])::date;
BEGIN
    IF day > public.park_today(NEW.park_id) THEN
        PERFORM public.receivables_refuse(format('%s %s is after today (%s): the ledger records what has happened',
                                                 replace(TG_ARGV[0], '_', ' '), day, public.park_today(NEW.park_id)),
                                          'receivables_day_not_in_future');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_day_not_in_future AFTER INSERT ON payment
    FOR EACH ROW EXECUTE FUNCTION receivables_day_not_in_future('received_on');
CREATE TRIGGER payment_reversal_day_not_in_future AFTER INSERT ON payment_reversal
    FOR EACH ROW EXECUTE FUNCTION receivables_day_not_in_future('reversed_on');
CREATE TRIGGER bill_waiver_day_not_in_future AFTER INSERT ON bill_waiver
    FOR EACH ROW EXECUTE FUNCTION receivables_day_not_in_future('waived_on');
CREATE TRIGGER bill_void_day_not_in_future AFTER INSERT ON bill_void
    FOR EACH ROW EXECUTE FUNCTION receivables_day_not_in_future('voided_on');
CREATE TRIGGER refund_day_not_in_future AFTER INSERT ON refund
    FOR EACH ROW EXECUTE FUNCTION receivables_day_not_in_future('refunded_on');
CREATE TRIGGER invoice_day_not_in_future AFTER INSERT ON invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_day_not_in_future('issued_on');

-- An allocation: same tenant and park on both sides; the bill not void (unless the
-- money is being taken back); the bill's allocated + waived within [0, amount]; the
-- source's allocated + refunded within [0, its amount]; a deposit held never below 0.
CREATE FUNCTION allocation_keeps_sums() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    b public.bill;
    src_tenant bigint;
    src_amount numeric;
    used numeric;
BEGIN
    PERFORM public.receivables_lock(NEW.tenant_id);
    SELECT * INTO b FROM public.bill WHERE id = NEW.bill_id;
    IF NOT FOUND OR b.tenant_id <> NEW.tenant_id OR b.amount < 0 THEN
        PERFORM public.receivables_refuse(format('bill %s is not a bill of this tenant in this park', coalesce(b.number, NEW.bill_id::text)),
                                          'allocation_same_tenant');
    END IF;
    IF NEW.amount > 0 AND EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id) THEN
        PERFORM public.receivables_refuse(format('bill %s is void: nothing is paid to it', b.number), 'allocation_bill_open');
    END IF;
    -- Money counts as paid to a bill on the later of the source's day and the bill's
    -- (issued or due, whichever first); taken back, on a day no earlier than it was given.
    IF NEW.amount > 0 AND NEW.applied_on <> greatest(
            coalesce((SELECT p.received_on FROM public.payment p WHERE p.id = NEW.payment_id),
                     (SELECT c.due_on FROM public.bill c WHERE c.id = NEW.credit_bill_id)),
            least(b.issued_on, b.due_on)) THEN
        PERFORM public.receivables_refuse('an allocation counts from the later of the money''s day and the bill''s', 'allocation_day');
    END IF;
    IF NEW.amount < 0 AND (
            NEW.applied_on > public.park_today(NEW.park_id)
            OR NEW.applied_on < (SELECT max(a.applied_on) FROM public.allocation a
                              WHERE a.bill_id = b.id AND a.amount > 0
                                AND (a.payment_id = NEW.payment_id OR a.credit_bill_id = NEW.credit_bill_id))
            OR (SELECT sum(a.amount) FROM public.allocation a
                WHERE a.bill_id = b.id AND (a.payment_id = NEW.payment_id OR a.credit_bill_id = NEW.credit_bill_id)) < 0) THEN
        PERFORM public.receivables_refuse('money is taken back from a bill only as much as it paid, on or after the day it did',
                                          'allocation_undone');
    END IF;
    used := coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.bill_id = b.id), 0);
    IF used < 0 OR used + coalesce((SELECT sum(w.amount) FROM public.bill_waiver w WHERE w.bill_id = b.id), 0) > b.amount THEN
        PERFORM public.receivables_refuse(format('bill %s would be paid %s and waived beyond its amount %s', b.number, used, b.amount),
                                          'allocation_within_bill');
    END IF;
    IF NEW.payment_id IS NOT NULL THEN
        SELECT p.tenant_id, p.amount INTO src_tenant, src_amount FROM public.payment p WHERE p.id = NEW.payment_id;
        IF NEW.amount > 0 AND EXISTS (SELECT 1 FROM public.payment_reversal r WHERE r.payment_id = NEW.payment_id) THEN
            PERFORM public.receivables_refuse('a reversed payment pays nothing', 'allocation_source_open');
        END IF;
        used := coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.payment_id = NEW.payment_id), 0)
              + coalesce((SELECT sum(r.amount) FROM public.refund r WHERE r.payment_id = NEW.payment_id), 0);
    ELSE
        SELECT c.tenant_id, -c.amount INTO src_tenant, src_amount FROM public.bill c WHERE c.id = NEW.credit_bill_id AND c.amount < 0;
        IF NEW.amount > 0 AND EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = NEW.credit_bill_id) THEN
            PERFORM public.receivables_refuse('a void credit pays nothing', 'allocation_source_open');
        END IF;
        used := coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.credit_bill_id = NEW.credit_bill_id), 0)
              + coalesce((SELECT sum(r.amount) FROM public.refund r WHERE r.credit_bill_id = NEW.credit_bill_id), 0);
    END IF;
    IF src_tenant IS DISTINCT FROM NEW.tenant_id THEN
        PERFORM public.receivables_refuse('the money paid is not this tenant''s in this park', 'allocation_same_tenant');
    END IF;
    IF used < 0 OR used > src_amount THEN
        PERFORM public.receivables_refuse(format('allocations of %s would exceed the money paid, %s', used, src_amount),
                                          'allocation_within_payment');
    END IF;
    IF b.fee = 'deposit' AND public.lease_deposit_held(b.lease_id) < 0 THEN
        PERFORM public.receivables_refuse('the deposit held would fall below zero', 'deposit_held_not_negative');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER allocation_keeps_sums AFTER INSERT ON allocation FOR EACH ROW EXECUTE FUNCTION allocation_keeps_sums();

CREATE FUNCTION bill_waiver_keeps_sums() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    b public.bill;
BEGIN
    SELECT * INTO b FROM public.bill WHERE id = NEW.bill_id;
    PERFORM public.receivables_lock(b.tenant_id);
    -- A deposit is waived too: what a tenant never paid of it, forgiven when it leaves.
    IF b.amount < 0 THEN
        PERFORM public.receivables_refuse(format('bill %s is a credit: only a charge is waived', b.number), 'bill_waiver_charge');
    END IF;
    IF EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id) THEN
        PERFORM public.receivables_refuse(format('bill %s is void', b.number), 'allocation_bill_open');
    END IF;
    IF NEW.waived_on < least(b.issued_on, b.due_on) THEN
        PERFORM public.receivables_refuse(format('bill %s is waived on or after it was issued or due (%s)', b.number, least(b.issued_on, b.due_on)),
                                          'bill_waiver_after_bill');
    END IF;
    IF public.bill_balance(b.id) < 0 THEN
        PERFORM public.receivables_refuse(format('waiving %s would take bill %s below zero: it owes %s', NEW.amount, b.number,
                                                 public.bill_balance(b.id) + NEW.amount), 'allocation_within_bill');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bill_waiver_keeps_sums AFTER INSERT ON bill_waiver FOR EACH ROW EXECUTE FUNCTION bill_waiver_keeps_sums();

CREATE FUNCTION bill_void_allowed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    b public.bill;
BEGIN
    SELECT * INTO b FROM public.bill WHERE id = NEW.bill_id;
    PERFORM public.receivables_lock(b.tenant_id);
    IF coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.bill_id = b.id OR a.credit_bill_id = b.id), 0) <> 0
       OR EXISTS (SELECT 1 FROM public.refund r WHERE r.credit_bill_id = b.id)
       OR EXISTS (SELECT 1 FROM public.bill_waiver w WHERE w.bill_id = b.id) THEN
        PERFORM public.receivables_refuse(format('bill %s has money paid, used or waived: it is not voided (give a credit: bill adjust with a negative amount)', b.number),
                                          'bill_void_untouched');
    END IF;
    -- A bill made by a rule (a late fee, a correction) is corrected by the rule, and a bill
    -- corrected so is not voided under its corrections.
    IF b.source_bill_id IS NOT NULL OR EXISTS (SELECT 1 FROM public.bill c WHERE c.source_bill_id = b.id
                                                   AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = c.id)) THEN
        PERFORM public.receivables_refuse(format('bill %s is made or corrected by a rule (a late fee, a correction): it is not voided', b.number),
                                          'bill_void_untouched');
    END IF;
    -- Rent, property fee and deposit are the lease's: voiding one forgives it for good
    -- (no run bills the period again), like a waiver: admin only.
    IF b.fee IN ('rent', 'property_fee', 'deposit') AND NOT (pg_has_role(current_user, 'parkctl_admin', 'MEMBER')
            OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.bill'::regclass), 'MEMBER')) THEN
        RAISE EXCEPTION 'voiding a % bill forgives it for good, like a waiver (减免): admin only', b.fee
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM public.invoice_line l WHERE l.bill_id = b.id) THEN
        PERFORM public.receivables_refuse(format('bill %s is invoiced: it is not voided (a red invoice (红冲) comes first)', b.number),
                                          'bill_void_untouched');
    END IF;
    IF NEW.voided_on < least(b.issued_on, b.due_on) THEN
        PERFORM public.receivables_refuse(format('bill %s is voided on or after it was issued or due (%s)', b.number, least(b.issued_on, b.due_on)),
                                          'bill_void_untouched');
    END IF;
    IF b.fee = 'deposit' AND public.lease_deposit_held(b.lease_id) < 0 THEN
        PERFORM public.receivables_refuse('the deposit held would fall below zero', 'deposit_held_not_negative');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bill_void_allowed AFTER INSERT ON bill_void FOR EACH ROW EXECUTE FUNCTION bill_void_allowed();

-- A credit is money the park gives up, and a bill made by a rule (a late fee, a
-- correction after a lease changed) is what its rule says, so each is checked: a
-- correction (source_bill_id, either sign) is of a bill of its lease that is not
-- void, and makes it exactly what its days owe now; a late fee makes the bill's late
-- fees what the rule gives through its day, due that day, not after today; a deposit
-- is returned between its lease's last day and today and never beyond what is held.
-- Any other credit forgives money, like a waiver: admin only (or the schema's owner).
CREATE FUNCTION bill_credit_allowed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    src public.bill;
    now_owed numeric;
    last_day date;
BEGIN
    PERFORM public.receivables_lock(NEW.tenant_id);
    IF NEW.source_bill_id IS NOT NULL THEN
        SELECT * INTO src FROM public.bill WHERE id = NEW.source_bill_id;
        IF src.lease_id IS DISTINCT FROM NEW.lease_id OR EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = src.id) THEN
            PERFORM public.receivables_refuse('a correction is of a bill of its lease that is not void', 'bill_correction_by_rule');
        END IF;
    END IF;
    IF NEW.fee = 'deposit' THEN
        SELECT upper(public.lease_occupancy(l.term, l.terminated_on)) - 1 INTO last_day FROM public.lease l WHERE l.id = NEW.lease_id;
        IF last_day > public.park_today(NEW.park_id) OR NEW.due_on < last_day OR NEW.due_on > public.park_today(NEW.park_id) THEN
            PERFORM public.receivables_refuse('a deposit is returned between its lease''s last day and today', 'deposit_returned_after_end');
        END IF;
        IF public.lease_deposit_held(NEW.lease_id) < 0 THEN
            PERFORM public.receivables_refuse(format('the deposit held, %s, is less than the %s returned',
                                                     public.lease_deposit_held(NEW.lease_id) - NEW.amount, -NEW.amount), 'deposit_held_not_negative');
        END IF;
    ELSIF NEW.fee = 'adjustment' AND src.id IS NOT NULL THEN
        SELECT CASE src.fee WHEN 'rent' THEN c.rent ELSE c.property_fee END INTO now_owed
        FROM public.lease_charges(src.lease_id, lower(src.period), upper(src.period) - 1) c;
        IF src.fee NOT IN ('rent', 'property_fee') OR NEW.due_on < src.due_on
           OR src.amount + (SELECT sum(c.amount) FROM public.bill c WHERE c.source_bill_id = src.id AND c.fee = 'adjustment'
                                AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = c.id)) IS DISTINCT FROM now_owed THEN
            PERFORM public.receivables_refuse(format('a correction of bill %s makes it what its days owe now, %s', src.number, now_owed),
                                              'bill_correction_by_rule');
        END IF;
    ELSIF NEW.fee = 'late_fee' THEN
        IF src.id IS NULL OR NEW.due_on IS DISTINCT FROM upper(NEW.period) - 1 OR NEW.due_on > public.park_today(NEW.park_id)
           OR (SELECT sum(f.amount) FROM public.bill f WHERE f.source_bill_id = src.id AND f.fee = 'late_fee'
                   AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = f.id))
              IS DISTINCT FROM public.bill_late_fees_through(src.id, upper(NEW.period) - 1) THEN
            PERFORM public.receivables_refuse('a late fee is what the rule gives through its day, less what was charged before',
                                              'bill_correction_by_rule');
        END IF;
    ELSIF NEW.amount < 0 AND NOT (pg_has_role(current_user, 'parkctl_admin', 'MEMBER')
               OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.bill'::regclass), 'MEMBER')) THEN
        RAISE EXCEPTION 'a credit (a negative adjustment) forgives money like a waiver (减免): admin only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bill_credit_allowed AFTER INSERT ON bill FOR EACH ROW
    WHEN (NEW.amount < 0 OR NEW.source_bill_id IS NOT NULL) EXECUTE FUNCTION bill_credit_allowed();

CREATE FUNCTION refund_keeps_sums() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    src_tenant bigint;
    money numeric;
    used numeric;
BEGIN
    PERFORM public.receivables_lock(NEW.tenant_id);
    IF NEW.payment_id IS NOT NULL THEN
        SELECT p.tenant_id, p.amount INTO src_tenant, money FROM public.payment p WHERE p.id = NEW.payment_id;
        IF EXISTS (SELECT 1 FROM public.payment_reversal r WHERE r.payment_id = NEW.payment_id) THEN
            PERFORM public.receivables_refuse('a reversed payment has nothing to refund', 'refund_within_source');
        END IF;
        used := coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.payment_id = NEW.payment_id), 0)
              + (SELECT sum(r.amount) FROM public.refund r WHERE r.payment_id = NEW.payment_id);
    ELSE
        -- Only a credit (a negative bill, not void) is refunded.
        SELECT c.tenant_id, -c.amount INTO src_tenant, money FROM public.bill c
        WHERE c.id = NEW.credit_bill_id AND c.amount < 0 AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = c.id);
        used := coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.credit_bill_id = NEW.credit_bill_id), 0)
              + (SELECT sum(r.amount) FROM public.refund r WHERE r.credit_bill_id = NEW.credit_bill_id);
    END IF;
    IF src_tenant IS DISTINCT FROM NEW.tenant_id THEN
        PERFORM public.receivables_refuse('the money refunded is not this tenant''s credit in this park', 'allocation_same_tenant');
    END IF;
    IF used > money THEN
        PERFORM public.receivables_refuse(format('refunding %s is more than the %s left', NEW.amount, money - used + NEW.amount),
                                          'refund_within_source');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER refund_keeps_sums AFTER INSERT ON refund FOR EACH ROW EXECUTE FUNCTION refund_keeps_sums();

CREATE FUNCTION payment_reversal_allowed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.receivables_lock(NEW.tenant_id);
    IF NOT EXISTS (SELECT 1 FROM public.payment p WHERE p.id = NEW.payment_id AND p.tenant_id = NEW.tenant_id) THEN
        PERFORM public.receivables_refuse('the payment reversed is not this tenant''s in this park', 'allocation_same_tenant');
    END IF;
    IF NEW.reversed_on < (SELECT p.received_on FROM public.payment p WHERE p.id = NEW.payment_id) THEN
        PERFORM public.receivables_refuse(format('a payment is reversed on or after the day it was received (%s), not on %s',
                                                 (SELECT p.received_on FROM public.payment p WHERE p.id = NEW.payment_id), NEW.reversed_on),
                                          'payment_reversal_after_receipt');
    END IF;
    IF coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.payment_id = NEW.payment_id), 0) <> 0 THEN
        PERFORM public.receivables_refuse('a payment is reversed after its allocations are undone', 'payment_reversal_undone');
    END IF;
    IF EXISTS (SELECT 1 FROM public.refund r WHERE r.payment_id = NEW.payment_id) THEN
        PERFORM public.receivables_refuse('part of this payment was refunded: it is not reversed', 'payment_reversal_undone');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_reversal_allowed AFTER INSERT ON payment_reversal FOR EACH ROW EXECUTE FUNCTION payment_reversal_allowed();

-- An invoice covers bills of its tenant, charges (not a deposit, not a credit), not
-- void, never beyond a bill's amount; the tax is the rate's part of the amount.
CREATE FUNCTION invoice_line_allowed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    b public.bill;
    i public.invoice;
    invoiced numeric;
BEGIN
    SELECT * INTO b FROM public.bill WHERE id = NEW.bill_id;
    SELECT * INTO i FROM public.invoice WHERE id = NEW.invoice_id;
    PERFORM public.receivables_lock(b.tenant_id);
    IF b.tenant_id <> i.tenant_id THEN
        PERFORM public.receivables_refuse(format('bill %s is not a bill of the invoice''s tenant', b.number), 'invoice_line_same_tenant');
    END IF;
    IF b.amount < 0 OR b.fee = 'deposit' OR EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id) THEN
        PERFORM public.receivables_refuse(format('bill %s is a %s: it is not invoiced', b.number,
            CASE WHEN b.amount < 0 THEN 'credit' WHEN b.fee = 'deposit' THEN 'deposit' ELSE 'void bill' END), 'invoice_line_charge');
    END IF;
    invoiced := (SELECT sum(l.amount) FROM public.invoice_line l WHERE l.bill_id = b.id);
    IF invoiced > b.amount THEN
        PERFORM public.receivables_refuse(format('bill %s of %s would be invoiced %s', b.number, b.amount, invoiced), 'invoice_line_within_bill');
    END IF;
    IF NEW.tax_rate IS DISTINCT FROM public.bill_tax_rate(b.id) THEN
        PERFORM public.receivables_refuse(format('bill %s is invoiced at its park''s tax rate for %s', b.number, b.fee), 'invoice_line_tax');
    END IF;
    IF NEW.tax <> round(NEW.amount * NEW.tax_rate / (1 + NEW.tax_rate), 2) THEN
        PERFORM public.receivables_refuse('an invoice line''s tax is its amount × rate ÷ (1 + rate), to the fen', 'invoice_line_tax');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER invoice_line_allowed AFTER INSERT ON invoice_line FOR EACH ROW EXECUTE FUNCTION invoice_line_allowed();

-- 5. Paying bills: each source's money, oldest first, to the open bills, oldest
-- first (by due day; on one day deposit, rent, property fee, utility, adjustment,
-- late fee; then by number). The two queues are laid end to end as running sums and
-- every overlap of a source's stretch with a bill's is one allocation: one statement.
-- p_payment / p_credit: only that source; p_bills: only those bills.
CREATE FUNCTION receivables_allocate(p_park bigint, p_tenant bigint, p_payment bigint DEFAULT NULL,
                                     p_credit bigint DEFAULT NULL, p_bills bigint[] DEFAULT NULL)
RETURNS SETOF allocation
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.receivables_lock(p_tenant);
    RETURN QUERY
    WITH sources AS (
        SELECT p.id AS payment_id, NULL::bigint AS credit_bill_id, p.received_on AS day, p.number,
               public.payment_left(p.id) AS money
        FROM public.payment p
        WHERE p.park_id = p_park AND p.tenant_id = p_tenant AND p_credit IS NULL AND (p_payment IS NULL OR p.id = p_payment)
        UNION ALL
        SELECT NULL, c.id, c.due_on, c.number, public.credit_left(c.id)
        FROM public.bill c
        WHERE c.park_id = p_park AND c.tenant_id = p_tenant AND c.amount < 0 AND p_payment IS NULL AND (p_credit IS NULL OR c.id = p_credit)
    ), s AS (
        -- A unique order (ids of payments and of credits may be equal), row by row.
        SELECT x.*, sum(x.money) OVER (ORDER BY x.day, x.payment_id NULLS LAST, x.credit_bill_id ROWS UNBOUNDED PRECEDING) AS upto
        FROM sources x WHERE x.money > 0
    ), bills AS (
        SELECT b.id, b.due_on, b.number, b.fee, least(b.issued_on, b.due_on) AS day, public.bill_balance(b.id) AS owed
        FROM public.bill b
        WHERE b.park_id = p_park AND b.tenant_id = p_tenant AND b.amount > 0 AND (p_bills IS NULL OR b.id = ANY (p_bills))
    ), o AS (
        SELECT x.*, sum(x.owed) OVER (ORDER BY x.due_on, public.bill_fee_rank(x.fee), x.id ROWS UNBOUNDED PRECEDING) AS upto
        FROM bills x WHERE x.owed > 0
    )
    INSERT INTO public.allocation AS a (park_id, tenant_id, bill_id, payment_id, credit_bill_id, amount, applied_on)
    SELECT p_park, p_tenant, o.id, s.payment_id, s.credit_bill_id,
           least(s.upto, o.upto) - greatest(s.upto - s.money, o.upto - o.owed), greatest(s.day, o.day)
    FROM s JOIN o ON s.upto - s.money < o.upto AND o.upto - o.owed < s.upto
    ORDER BY o.upto, s.upto
    RETURNING a.*;
END $$;

-- A bounced payment: every allocation of it is taken back (a negative allocation on
-- the day of the reversal), then the reversal is recorded; its bills reopen.
CREATE FUNCTION payment_reverse(p_payment bigint, p_on date, p_reason text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    p public.payment;
BEGIN
    SELECT * INTO p FROM public.payment WHERE id = p_payment;
    PERFORM public.receivables_lock(p.tenant_id);
    INSERT INTO public.allocation (park_id, tenant_id, bill_id, payment_id, amount, applied_on)
    SELECT p.park_id, p.tenant_id, a.bill_id, p.id, -sum(a.amount), p_on
    FROM public.allocation a WHERE a.payment_id = p.id GROUP BY a.bill_id HAVING sum(a.amount) <> 0;
    INSERT INTO public.payment_reversal (payment_id, park_id, tenant_id, reversed_on, reason)
    VALUES (p.id, p.park_id, p.tenant_id, p_on, p_reason);
END $$;

-- 6. Issuing bills.

-- The billing periods not billed yet that start on or before p_through, of every
-- signed or terminated lease (of park p_park, or lease p_lease, when given): those
-- after the lease's latest rent or property fee bill. Rent and property fee are due
-- on the period's first day plus the park's pay_within_days.
CREATE FUNCTION bill_periods_due(p_through date, p_park bigint DEFAULT NULL, p_lease bigint DEFAULT NULL)
RETURNS TABLE (lease_id bigint, park_id bigint, tenant_id bigint, period_start date, period_end date, due_on date)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH l AS (
        SELECT l.id, l.park_id, l.tenant_id, lower(l.term) AS start, o.occ, o.n, p.pay_within_days, done.k, done.billed_to
        FROM public.lease l
        JOIN public.park p ON p.id = l.park_id
        CROSS JOIN LATERAL (SELECT public.lease_occupancy(l.term, l.terminated_on) AS occ, public.lease_cycle_months(l.cycle) AS n) o
        CROSS JOIN LATERAL (
            SELECT coalesce(max(public.parkctl_months_between(lower(l.term), lower(b.period))) / o.n + 1, 0) AS k,
                   max(upper(b.period)) AS billed_to
            FROM public.bill b WHERE b.lease_id = l.id AND b.fee IN ('rent', 'property_fee')) done
        WHERE l.status IN ('signed', 'terminated') AND lower(l.term) <= p_through
          AND (p_park IS NULL OR l.park_id = p_park) AND (p_lease IS NULL OR l.id = p_lease)
    )
    SELECT l.id, l.park_id, l.tenant_id, per.s, least(per.e, upper(l.occ) - 1), per.s + l.pay_within_days
    FROM l
    CROSS JOIN LATERAL generate_series(l.k, public.parkctl_months_between(l.start, least(p_through, upper(l.occ) - 1)) / l.n) g(k)
    CROSS JOIN LATERAL (SELECT (l.start + make_interval(months => g.k * l.n))::date AS s,
                               (l.start + make_interval(months => (g.k + 1) * l.n))::date - 1 AS e) per
    WHERE per.s < upper(l.occ) AND per.s <= p_through
    UNION ALL
    -- The rest of the last period billed, when it was cut short by the lease's end
    -- and an amendment has since moved the end later.
    SELECT l.id, l.park_id, l.tenant_id, l.billed_to, least(r.e, upper(l.occ) - 1), l.billed_to + l.pay_within_days
    FROM l
    CROSS JOIN LATERAL (SELECT (l.start + make_interval(months => l.k * l.n))::date - 1 AS e) r
    WHERE l.k > 0 AND l.billed_to <= least(r.e, upper(l.occ) - 1) AND l.billed_to <= p_through
$$;

-- Bills priced again after their lease changed: a rent or property fee bill issued
-- before its lease was terminated or amended owes what lease_range_charges says of
-- its days now (none after the lease's last day; the amended rent, fee or units from
-- the amendment's day). The difference from what it and its earlier re-pricings came
-- to is a new adjustment (negative: a credit, the unused part of a prepaid quarter),
-- due on the day of the change (the day after the last day, or the amendment's), or
-- the bill's due day if later. Only the bills of leases that changed since the bill
-- (or its last re-pricing) was issued are priced again.
CREATE FUNCTION bill_repricing(p_park bigint DEFAULT NULL, p_lease bigint DEFAULT NULL)
RETURNS TABLE (source_bill_id bigint, park_id bigint, lease_id bigint, tenant_id bigint, period daterange, due_on date,
               amount numeric, reason text)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH changed AS (
        SELECT DISTINCT a.lease_id AS id FROM public.lease_amendment a
        UNION SELECT l.id FROM public.lease l WHERE l.terminated_on IS NOT NULL
    ), cand AS MATERIALIZED (
        SELECT b.id, b.park_id, b.lease_id, b.tenant_id, b.fee, b.period, b.due_on, b.number, o.occ,
               b.amount + coalesce(adj.amount, 0) AS priced,
               (SELECT max(a.effective_on) FROM public.lease_amendment a
                WHERE a.lease_id = l.id AND a.effective_on >= lower(b.period) AND a.effective_on < upper(b.period)) AS amended_on
        FROM changed JOIN public.lease l ON l.id = changed.id
        JOIN public.bill b ON b.lease_id = l.id AND b.fee IN ('rent', 'property_fee')
        CROSS JOIN LATERAL (SELECT public.lease_occupancy(l.term, l.terminated_on) AS occ) o
        CROSS JOIN LATERAL (
            SELECT sum(c.amount) AS amount, max(c.recorded_at) AS at FROM public.bill c
            WHERE c.source_bill_id = b.id AND c.fee = 'adjustment' AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = c.id)) adj
        WHERE (p_park IS NULL OR b.park_id = p_park) AND (p_lease IS NULL OR b.lease_id = p_lease)
          AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id)
          AND greatest(lower(l.sys_period), (SELECT max(a.recorded_at) FROM public.lease_amendment a WHERE a.lease_id = l.id))
              > greatest(b.recorded_at, adj.at)
    ), numbered AS (
        SELECT row_number() OVER () AS i, cand.* FROM cand
    ), priced AS (
        SELECT c.* FROM public.lease_range_charges(
            (SELECT array_agg(n.lease_id ORDER BY n.i) FROM numbered n), (SELECT array_agg(lower(n.period) ORDER BY n.i) FROM numbered n),
            (SELECT array_agg(upper(n.period) - 1 ORDER BY n.i) FROM numbered n)) c
    )
    SELECT n.id, n.park_id, n.lease_id, n.tenant_id, n.period,
           greatest(n.due_on, CASE WHEN upper(n.occ) < upper(n.period) THEN upper(n.occ) ELSE n.amended_on END),
           x.now_owed - n.priced,
           CASE WHEN upper(n.occ) < upper(n.period) THEN 'days after the lease''s last day (' || (upper(n.occ) - 1) || ') in ' || n.number
                ELSE 'priced again after an amendment from ' || coalesce(n.amended_on::text, '?') || ' in ' || n.number END
    FROM numbered n LEFT JOIN priced c ON c.i = n.i
    CROSS JOIN LATERAL (SELECT coalesce(CASE n.fee WHEN 'rent' THEN c.rent ELSE c.property_fee END, 0) AS now_owed) x
    WHERE x.now_owed <> n.priced
$$;

-- A document's number: its letter, the year, and a serial of six digits or more
-- (L-2026-000123; the millionth is L-2026-1000000: lpad alone would cut it to six
-- and repeat an earlier number).
CREATE FUNCTION parkctl_number(p_letter text, p_day date, p_serial bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_letter || '-' || to_char(p_day, 'YYYY') || '-' || lpad(p_serial::text, greatest(6, length(p_serial::text)), '0')
$$;

-- The number of a bill issued on p_issued, its park's today: B-2026-000123; of a
-- payment received on a day, P-2026-000045; of a refund, R-2026-000007 (inlined into
-- the statement that writes the row).
CREATE FUNCTION bill_next_number(p_issued date) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT public.parkctl_number('B', p_issued, nextval('public.bill_number_seq'))
$$;
CREATE FUNCTION payment_next_number(p_received date) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT public.parkctl_number('P', p_received, nextval('public.payment_number_seq'))
$$;
CREATE FUNCTION refund_next_number(p_refunded date) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT public.parkctl_number('R', p_refunded, nextval('public.refund_number_seq'))
$$;

-- The tax rate of a park for a fee: rent, late fees and adjustments at the rent's
-- (a late fee or a correction of a bill is taxed as that bill: bill_tax_rate).
CREATE FUNCTION park_tax_rate(p_park bigint, p_fee text) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE p_fee WHEN 'property_fee' THEN p.property_fee_tax_rate WHEN 'utility' THEN p.utility_tax_rate
                      ELSE p.rent_tax_rate END
    FROM public.park p WHERE p.id = p_park
$$;

CREATE FUNCTION bill_tax_rate(p_bill bigint) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT public.park_tax_rate(b.park_id, coalesce((SELECT s.fee FROM public.bill s WHERE s.id = b.source_bill_id), b.fee))
    FROM public.bill b WHERE b.id = p_bill
$$;

-- Each tenant's credit to its open bills, after a run (of park p_park, or of lease
-- p_lease's tenant): every tenant with money left, a payment or a credit (what a run
-- just issued, a payment that raced a run, what --apply-to left). Driven from the
-- credit, not from the bills: a run that bills 200,000 tenants reads only those who
-- have money to put to them. Returns the allocations made.
CREATE FUNCTION receivables_apply_credit(p_park bigint DEFAULT NULL, p_lease bigint DEFAULT NULL) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    t record;
    n int;
    made int := 0;
BEGIN
    FOR t IN
        SELECT DISTINCT x.park_id, x.tenant_id FROM (
            SELECT p.park_id, p.tenant_id FROM public.payment p WHERE public.payment_left(p.id) > 0
            UNION
            SELECT c.park_id, c.tenant_id FROM public.bill c WHERE c.amount < 0 AND public.credit_left(c.id) > 0) x
        WHERE (p_park IS NULL OR x.park_id = p_park)
          AND (p_lease IS NULL OR x.tenant_id = (SELECT l.tenant_id FROM public.lease l WHERE l.id = p_lease))
        -- In one order, so that two runs at once take the tenants' locks in the same order.
        ORDER BY x.tenant_id, x.park_id
    LOOP
        SELECT count(*) INTO n FROM public.receivables_allocate(t.park_id, t.tenant_id);
        made := made + n;
    END LOOP;
    RETURN made;
END $$;

-- `bill run`: issues every bill due through p_through (NULL p_park: every park the
-- caller sees; p_lease: that lease's only) and prices again the bills whose lease
-- changed (termination credits), then applies each tenant's credit to
-- its open bills. Returns how many bills, credits and allocations were made.
CREATE FUNCTION bill_run(p_through date, p_park bigint DEFAULT NULL, p_lease bigint DEFAULT NULL,
                         OUT bills int, OUT credits int, OUT allocations int)
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- Each period's rent and property fee (when more than zero), and each deposit, in one
    -- statement: the periods are priced together by lease_range_charges.
    WITH due AS MATERIALIZED (
        SELECT row_number() OVER () AS i, d.* FROM public.bill_periods_due(p_through, p_park, p_lease) d
    ), priced AS (
        SELECT c.* FROM public.lease_range_charges(
            (SELECT array_agg(due.lease_id ORDER BY due.i) FROM due), (SELECT array_agg(due.period_start ORDER BY due.i) FROM due),
            (SELECT array_agg(due.period_end ORDER BY due.i) FROM due)) c
    ), issued AS (
        SELECT due.lease_id, due.park_id, due.tenant_id, f.fee, daterange(due.period_start, due.period_end, '[]') AS period,
               due.due_on, f.amount
        FROM due JOIN priced c ON c.i = due.i
        CROSS JOIN LATERAL (VALUES ('rent', c.rent), ('property_fee', c.property_fee)) f(fee, amount)
        WHERE f.amount > 0
        UNION ALL
        -- The deposit's period is the lease's first day: an amendment that moves the end
        -- does not make it another bill. A renewal's deposit carries over: it is billed
        -- only what it asks beyond the renewed lease's.
        SELECT l.id, l.park_id, l.tenant_id, 'deposit', daterange(lower(l.term), lower(l.term), '[]'), lower(l.term),
               l.deposit - coalesce((SELECT o.deposit FROM public.lease o WHERE o.id = l.renews_lease_id), 0)
        FROM public.lease l
        WHERE l.status IN ('signed', 'terminated') AND lower(l.term) <= p_through
          AND l.deposit - coalesce((SELECT o.deposit FROM public.lease o WHERE o.id = l.renews_lease_id), 0) > 0
          AND (p_park IS NULL OR l.park_id = p_park) AND (p_lease IS NULL OR l.id = p_lease)
          AND NOT EXISTS (SELECT 1 FROM public.bill b WHERE b.lease_id = l.id AND b.fee = 'deposit')
    )
    INSERT INTO public.bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, issued_on)
    SELECT public.bill_next_number(public.park_local_date(p.time_zone)), x.park_id, x.lease_id, x.tenant_id, x.fee, x.period, x.due_on, x.amount,
           public.park_local_date(p.time_zone)
    FROM issued x JOIN public.park p ON p.id = x.park_id
    -- Numbered in this order (a volatile expression is computed after the sort).
    ORDER BY x.park_id, x.lease_id, lower(x.period), public.bill_fee_rank(x.fee)
    -- Only a bill another run issued at the same time is skipped; any other clash is an error.
    ON CONFLICT (lease_id, fee, period) WHERE fee IN ('rent', 'property_fee', 'deposit') DO NOTHING;
    GET DIAGNOSTICS bills = ROW_COUNT;

    -- Bills priced again after their lease changed: one run at a time.
    PERFORM pg_advisory_xact_lock(20233, 0);
    INSERT INTO public.bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, source_bill_id, reason, issued_on)
    SELECT public.bill_next_number(public.park_today(r.park_id)), r.park_id, r.lease_id, r.tenant_id, 'adjustment', r.period, r.due_on,
           r.amount, r.source_bill_id, r.reason, public.park_today(r.park_id)
    FROM public.bill_repricing(p_park, p_lease) r
    ORDER BY r.tenant_id, r.park_id, r.lease_id, r.source_bill_id;
    GET DIAGNOSTICS credits = ROW_COUNT;

    -- Credit goes to the bills just issued, and to any left beside open bills.
    allocations := public.receivables_apply_credit(p_park, p_lease);
END $$;

-- 7. Late fees (滞纳金): for each day d after the due day plus the park's grace days,
-- up to p_through, the daily rate (the lease's, else the park's) × what the bill still
-- owed at the end of d; on rent, property fee and utility bills only, never more than
-- the bill's amount. A run issues, per bill, what its late fees come to through
-- p_through (rounded once) less what earlier runs charged: a late-fee bill for the
-- days since the previous run, due on p_through; negative (a credit) when a payment
-- recorded since, dated back, or a waiver made the earlier days owe less.
CREATE FUNCTION bill_late_fees_through(p_bill bigint, p_through date) RETURNS numeric
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE WHEN b.fee NOT IN ('rent', 'property_fee', 'utility') OR b.amount <= 0 THEN 0 ELSE
           least(round(coalesce(l.late_fee_rate, p.late_fee_rate) * coalesce((
               -- Σ over the days of what was still owed at the end of each; after the day it
               -- was last paid or waived, what it owes stays put.
               SELECT sum(b.amount
                          - coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.bill_id = b.id AND a.applied_on <= d::date), 0)
                          - coalesce((SELECT sum(x.amount) FROM public.bill_waiver x WHERE x.bill_id = b.id AND x.waived_on <= d::date), 0))
               FROM generate_series(b.due_on + p.grace_days + 1,
                                    CASE WHEN public.bill_balance(b.id) > 0 THEN p_through
                                         ELSE least(p_through, greatest((SELECT max(a.applied_on) FROM public.allocation a WHERE a.bill_id = b.id),
                                                                        (SELECT max(x.waived_on) FROM public.bill_waiver x WHERE x.bill_id = b.id))) END,
                                    interval '1 day') d), 0), 2), b.amount) END
    FROM public.bill b JOIN public.lease l ON l.id = b.lease_id JOIN public.park p ON p.id = b.park_id
    WHERE b.id = p_bill AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id)
$$;

CREATE FUNCTION late_fees_due(p_through date, p_park bigint DEFAULT NULL)
RETURNS TABLE (source_bill_id bigint, park_id bigint, lease_id bigint, tenant_id bigint, period daterange, amount numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT b.id, b.park_id, b.lease_id, b.tenant_id, daterange(w.first_day, p_through, '[]'),
           public.bill_late_fees_through(b.id, p_through) - w.charged
    FROM public.bill b
    JOIN public.park p ON p.id = b.park_id
    -- What the bill still owed at the end of its last day of grace: nothing, and it never accrues.
    CROSS JOIN LATERAL (
        SELECT b.amount - coalesce((SELECT sum(a.amount) FROM public.allocation a WHERE a.bill_id = b.id AND a.applied_on <= b.due_on + p.grace_days), 0)
                        - coalesce((SELECT sum(x.amount) FROM public.bill_waiver x WHERE x.bill_id = b.id AND x.waived_on <= b.due_on + p.grace_days), 0)
               AS owed_after_grace) g
    CROSS JOIN LATERAL (
        SELECT greatest(b.due_on + p.grace_days + 1, max(upper(f.period))) AS first_day, coalesce(sum(f.amount), 0) AS charged,
               max(f.recorded_at) AS last_run
        FROM public.bill f WHERE f.source_bill_id = b.id AND f.fee = 'late_fee'
          AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = f.id)) w
    WHERE b.fee IN ('rent', 'property_fee', 'utility') AND b.amount > 0 AND b.due_on + p.grace_days < p_through
      AND (p_park IS NULL OR b.park_id = p_park)
      AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = b.id)
      -- Owed after its grace days, or owed now (paid in time, then the payment bounced),
      -- or charged before; but not a bill settled, charged, and unchanged since its last run.
      AND (g.owed_after_grace > 0 OR public.bill_balance(b.id) > 0 OR w.charged <> 0)
      AND NOT (w.charged <> 0 AND public.bill_balance(b.id) = 0
               AND NOT EXISTS (SELECT 1 FROM public.allocation a WHERE a.bill_id = b.id AND a.recorded_at >= w.last_run)
               AND NOT EXISTS (SELECT 1 FROM public.bill_waiver x WHERE x.bill_id = b.id AND x.recorded_at >= w.last_run))
      AND w.first_day <= p_through
$$;

CREATE FUNCTION late_fee_run(p_through date, p_park bigint DEFAULT NULL, OUT bills int, OUT allocations int)
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    locked bigint[];
BEGIN
    -- Late fees are for days that have passed.
    IF p_through > public.park_today(p_park) THEN
        PERFORM public.receivables_refuse(format('a late-fee run counts days up to today (%s), not to %s',
                                                 public.park_today(p_park), p_through), 'late_fee_run_not_in_future');
    END IF;
    -- One run at a time: a run reads the previous run's last day.
    PERFORM pg_advisory_xact_lock(20232, 0);
    -- The tenants owing late fees, locked (in order) before their fees are worked out:
    -- a payment recorded meanwhile would change them.
    SELECT coalesce(array_agg(x.tenant_id ORDER BY x.tenant_id), '{}') INTO locked
    FROM (SELECT DISTINCT f.tenant_id FROM public.late_fees_due(p_through, p_park) f WHERE f.amount <> 0) x;
    PERFORM public.receivables_lock(t) FROM unnest(locked) t;
    INSERT INTO public.bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, source_bill_id, reason, issued_on)
    SELECT public.bill_next_number(public.park_today(f.park_id)), f.park_id, f.lease_id, f.tenant_id, 'late_fee', f.period, p_through,
           f.amount, f.source_bill_id, NULL, public.park_today(f.park_id)
    FROM public.late_fees_due(p_through, p_park) f WHERE f.amount <> 0 AND f.tenant_id = ANY (locked)
    ORDER BY f.tenant_id, f.park_id, f.source_bill_id
    ON CONFLICT (source_bill_id, period) WHERE fee = 'late_fee' DO NOTHING;
    GET DIAGNOSTICS bills = ROW_COUNT;
    allocations := public.receivables_apply_credit(p_park, NULL);
END $$;

-- 8. Positions as of a day, for lists and reports: a bill counts from the day it was
-- issued or fell due, whichever is first; what was paid and waived by the day.
CREATE FUNCTION bill_positions(p_as_of date)
RETURNS TABLE (bill_id bigint, paid numeric, waived numeric, voided boolean, balance numeric, credit_left numeric)
LANGUAGE sql STABLE AS $$
    SELECT b.id, coalesce(a.paid, 0), coalesce(w.waived, 0), v.bill_id IS NOT NULL,
           CASE WHEN v.bill_id IS NOT NULL OR b.amount < 0 THEN 0 ELSE b.amount - coalesce(a.paid, 0) - coalesce(w.waived, 0) END,
           CASE WHEN v.bill_id IS NOT NULL OR b.amount > 0 THEN 0 ELSE -b.amount - coalesce(c.used, 0) END
    FROM public.bill b
    LEFT JOIN (SELECT x.bill_id, sum(x.amount) AS paid FROM public.allocation x WHERE x.applied_on <= p_as_of GROUP BY 1) a ON a.bill_id = b.id
    LEFT JOIN (SELECT x.bill_id, sum(x.amount) AS waived FROM public.bill_waiver x WHERE x.waived_on <= p_as_of GROUP BY 1) w ON w.bill_id = b.id
    LEFT JOIN (SELECT x.bill_id FROM public.bill_void x WHERE x.voided_on <= p_as_of) v ON v.bill_id = b.id
    LEFT JOIN (SELECT u.credit_bill_id, sum(u.amount) AS used FROM (
                   SELECT x.credit_bill_id, x.amount FROM public.allocation x WHERE x.credit_bill_id IS NOT NULL AND x.applied_on <= p_as_of
                   UNION ALL
                   SELECT r.credit_bill_id, r.amount FROM public.refund r WHERE r.credit_bill_id IS NOT NULL AND r.refunded_on <= p_as_of) u
               GROUP BY 1) c ON c.credit_bill_id = b.id
    WHERE least(b.issued_on, b.due_on) <= p_as_of
$$;

REVOKE ALL ON FUNCTION lease_cycle_months(text), parkctl_months_between(date, date), lease_charges(bigint, date, date),
    lease_range_charges(bigint[], date[], date[]),
    bill_fee_rank(text), receivables_lock(bigint), bill_balance(bigint),
    payment_left(bigint), credit_left(bigint), lease_renewal_chain(bigint), lease_deposit_held(bigint), receivables_refuse(text, text),
    receivables_allocate(bigint, bigint, bigint, bigint, bigint[]), payment_reverse(bigint, date, text),
    bill_periods_due(date, bigint, bigint), bill_repricing(bigint, bigint), bill_next_number(date),
    payment_next_number(date), refund_next_number(date), park_tax_rate(bigint, text), bill_tax_rate(bigint), receivables_apply_credit(bigint, bigint),
    bill_run(date, bigint, bigint), late_fees_due(date, bigint), bill_late_fees_through(bigint, date), late_fee_run(date, bigint), bill_positions(date),
    allocation_keeps_sums(), bill_waiver_keeps_sums(), bill_void_allowed(), bill_credit_allowed(), refund_keeps_sums(),
    payment_reversal_allowed(), invoice_line_allowed(), receivables_day_not_in_future() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lease_cycle_months(text), parkctl_months_between(date, date), lease_charges(bigint, date, date),
    lease_range_charges(bigint[], date[], date[]),
    bill_fee_rank(text), bill_balance(bigint), payment_left(bigint), credit_left(bigint),
    lease_renewal_chain(bigint), lease_deposit_held(bigint), bill_positions(date), park_tax_rate(bigint, text), bill_tax_rate(bigint), bill_periods_due(date, bigint, bigint), bill_repricing(bigint, bigint),
    late_fees_due(date, bigint), bill_late_fees_through(bigint, date)
    TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT EXECUTE ON FUNCTION receivables_lock(bigint), receivables_refuse(text, text),
    receivables_allocate(bigint, bigint, bigint, bigint, bigint[]), payment_reverse(bigint, date, text),
    bill_next_number(date), payment_next_number(date), refund_next_number(date), receivables_apply_credit(bigint, bigint),
    bill_run(date, bigint, bigint), late_fee_run(date, bigint)
    TO parkctl_admin, parkctl_leasing;

-- Lease numbers are made by parkctl_number too (sign, renew, import).
REVOKE ALL ON FUNCTION parkctl_number(text, date, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_number(text, date, bigint) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
