-- 0013: an application follows its lease, and its steps follow the calendar (issue 14).
--
-- A lease cancelled after signing left the application at lease_signed (or
-- fitting_out), and fit-out and move-in then went ahead with no lease: the
-- application goes back to approved when no other lease holds it (parkctl does
-- that when it cancels; these transitions allow it).
INSERT INTO onboarding_transition (from_stage, to_stage) VALUES ('lease_signed', 'approved'), ('fitting_out', 'approved')
ON CONFLICT DO NOTHING;

-- A step takes effect no later than today, in the park's time zone, and no earlier
-- than the application's previous step: an approval dated next month, or a move-out
-- dated before the move-in, was accepted.
CREATE FUNCTION onboarding_step_in_order() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    today date;
    previous date;
BEGIN
    SELECT (now() AT TIME ZONE p.time_zone)::date INTO today FROM public.park p WHERE p.id = NEW.park_id;
    IF NEW.effective_on > today THEN
        RAISE EXCEPTION 'a step cannot take effect in the future (%; today is %)', NEW.effective_on, today
            USING ERRCODE = 'check_violation', CONSTRAINT = 'onboarding_step_not_in_future', TABLE = 'onboarding_step';
    END IF;
    SELECT max(s.effective_on) INTO previous FROM public.onboarding_step s WHERE s.onboarding_id = NEW.onboarding_id;
    IF NEW.effective_on < previous THEN
        RAISE EXCEPTION 'a step cannot take effect on %, before the application''s previous step (%)', NEW.effective_on, previous
            USING ERRCODE = 'check_violation', CONSTRAINT = 'onboarding_step_in_order', TABLE = 'onboarding_step';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER onboarding_step_in_order BEFORE INSERT ON onboarding_step
    FOR EACH ROW EXECUTE FUNCTION onboarding_step_in_order();
