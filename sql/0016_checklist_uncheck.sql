-- 0016: undoing a tick of the onboarding checklist (`tenant uncheck`, issue 14).
--
-- The checklist stays a record: staff still cannot update or delete a tick. Undoing
-- one moves it, through parkctl_uncheck, into onboarding_check_undone with who undid
-- it, when and why; the item can then be ticked again. Only before the move-in: a
-- tenant that moved in did so with the whole checklist, and that stays true.
CREATE TABLE onboarding_check_undone (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id        bigint NOT NULL,
    onboarding_id  bigint NOT NULL,
    item           text NOT NULL,
    done_at        timestamptz NOT NULL,
    done_by        text NOT NULL,
    note           text,
    undone_at      timestamptz NOT NULL DEFAULT now(),
    undone_by      text NOT NULL,
    reason         text NOT NULL CONSTRAINT onboarding_check_undone_reason_length CHECK (length(btrim(reason)) BETWEEN 1 AND 500)
                   CONSTRAINT onboarding_check_undone_reason_plain_text CHECK (public.parkctl_is_plain_text(reason)),
    FOREIGN KEY (park_id, onboarding_id) REFERENCES onboarding (park_id, id)
);
CREATE INDEX onboarding_check_undone_onboarding_idx ON onboarding_check_undone (onboarding_id);

-- Registered like the other park tables: park scope forced, read by staff, written
-- only by parkctl_uncheck, audited.
ALTER TABLE onboarding_check_undone ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY park_scope ON onboarding_check_undone
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL
           OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]))
    WITH CHECK ((SELECT public.parkctl_parks_of(current_user)) IS NULL
                OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]));
REVOKE ALL ON onboarding_check_undone FROM PUBLIC;
GRANT SELECT ON onboarding_check_undone TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
CREATE TRIGGER onboarding_check_undone_audit AFTER INSERT OR UPDATE OR DELETE ON onboarding_check_undone
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

-- Undoes the tick of `p_item` on application `p_onboarding`; false when it was not ticked.
CREATE FUNCTION parkctl_uncheck(p_onboarding bigint, p_item text, p_reason text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    o public.onboarding;
    c public.onboarding_check;
BEGIN
    IF NOT (public.parkctl_is_owner(session_user) OR pg_catalog.pg_has_role(session_user, 'parkctl_leasing', 'MEMBER')
            OR pg_catalog.pg_has_role(session_user, 'parkctl_admin', 'MEMBER')) THEN
        RAISE EXCEPTION 'only leasing staff and admins change the onboarding checklist' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Only the caller's parks: another park's application is neither locked nor told apart.
    SELECT * INTO o FROM public.onboarding WHERE id = p_onboarding
      AND (public.parkctl_parks_of(session_user) IS NULL OR park_id = ANY (public.parkctl_parks_of(session_user)))
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no application %', p_onboarding USING ERRCODE = 'no_data_found';
    END IF;
    IF o.stage IN ('moved_in', 'exiting', 'exited') THEN
        RAISE EXCEPTION 'the tenant moved in with the whole checklist ticked: a tick cannot be undone after the move-in'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'onboarding_check_undone_before_move_in';
    END IF;
    DELETE FROM public.onboarding_check WHERE onboarding_id = p_onboarding AND item = p_item RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO public.onboarding_check_undone (park_id, onboarding_id, item, done_at, done_by, note, undone_by, reason)
    VALUES (c.park_id, c.onboarding_id, c.item, c.done_at, c.actor, c.note, public.parkctl_actor(), p_reason);
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION parkctl_uncheck(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_uncheck(bigint, text, text) TO parkctl_admin, parkctl_leasing;
