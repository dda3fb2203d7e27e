-- 0031: a utility bill that was paid is credited back whole when its period is reversed.
--
-- 0023's rule for a credit that names its source bill knows rent and property fee only
-- (a re-pricing makes the bill what its days owe now), so the reversal of a period
-- whose bill a tenant had already paid was refused. A utility bill has its own rule:
-- credited back in full, once, by an admin: the whole of it, as the reversal (红冲) of
-- its period, which 0030 requires before a period counts as reversed.

CREATE OR REPLACE FUNCTION bill_credit_allowed() RETURNS trigger
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
    ELSIF NEW.fee = 'adjustment' AND src.fee = 'utility' THEN
        -- A utility bill is corrected by reversing its period (红冲): credited back whole, once, by an admin.
        IF NEW.amount <> -src.amount
           OR (SELECT count(*) FROM public.bill c WHERE c.source_bill_id = src.id AND c.fee = 'adjustment'
                   AND NOT EXISTS (SELECT 1 FROM public.bill_void v WHERE v.bill_id = c.id)) > 1
           OR NOT (pg_has_role(current_user, 'parkctl_admin', 'MEMBER')
                   OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.bill'::regclass), 'MEMBER')) THEN
            PERFORM public.receivables_refuse(format('utility bill %s is credited back whole, once, when its period is reversed (parkctl utility period reverse)',
                                                     src.number), 'bill_correction_by_rule');
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
