-- Demo seed only: a county at work has cases that have waited. The API starts a relief case's
-- decision clock and a legal case's first-contact clock with the server's clock, and the seed runs in
-- one sitting, so these owner-only functions move one case's clock back by whole days after the API
-- created it, the way the tests age a case. They change no state and no filing (the relief guard
-- keeps `submitted_at`), only the clock. The application role cannot call them.
create function demo_backdate_relief_case(p_case uuid, p_days integer) returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        update relief_case set decision_clock_from = decision_clock_from - make_interval(days => p_days),
            decision_due_at = decision_due_at - make_interval(days => p_days)
        where id = p_case;
    $$;
revoke all on function demo_backdate_relief_case(uuid, integer) from public;

create function demo_backdate_legal_assignment(p_case uuid, p_days integer) returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        update legal_case_detail set assigned_at = assigned_at - make_interval(days => p_days),
            first_contact_due = first_contact_due - make_interval(days => p_days)
        where case_id = p_case;
    $$;
revoke all on function demo_backdate_legal_assignment(uuid, integer) from public;
