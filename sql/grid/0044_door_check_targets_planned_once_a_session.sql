-- A door check's targets are looked up by a function planned once a session (issue 23).
--
-- The server's one-check transaction spent 1.28 ms of its 3 ms in the database on three lookups,
-- most of it planning them (pgbench of its exact statements, one client, demo county): the checks
-- already stored under the items' ids, the people and the households the items name, with what
-- decides who may check them. Sent as unnamed statements, each was planned at every call: 0.38,
-- 0.72 (the person policies' subplans) and 0.18 ms, the last for the empty list of households of
-- almost every upload.
-- * `door_check_targets` answers the people and households in one statement, under the caller's
--   policies (security invoker: it sees what the caller sees), with queries PL/pgSQL plans once a
--   session; each query runs only when the items name someone of its kind.
-- * The stored checks are no longer read before every upload: `door_checks_record` answers an item
--   whose id is stored (duplicate or conflict) itself, and the server reads stored checks only for
--   items it refuses (a retry of a check that has since grown old or whose person has moved away).
--   A cached plan would lock every month of `door_check` at each call (PostgreSQL 15), so that
--   read stays an unnamed statement planned with the items' times.

create function door_check_targets(p_people uuid[], p_households uuid[], p_account uuid)
    returns table (id uuid, unit_id uuid, path text, school_path text, assigned boolean)
    language plpgsql stable
    -- The plans do not depend on the values: one generic plan a session.
    set plan_cache_mode = force_generic_plan
    as $$
    #variable_conflict use_column
    begin
        -- The active people named, with their unit, their school and whether they are paired with
        -- the caller.
        if cardinality(p_people) > 0 then
            return query
                select p.id, p.unit_id, (select b.path from liushou_unit_brief(p.unit_id) b),
                    (select b.path from liushou_unit_brief(p.school_id) b),
                    exists (select from person_assignment a where a.person_id = p.id and a.account_id = p_account
                               and a.started_at <= now() and (a.ended_at is null or a.ended_at > now()))
                from person p where p.id = any (p_people) and p.status = 'active';
        end if;
        if cardinality(p_households) > 0 then
            return query
                select h.id, h.unit_id, (select b.path from liushou_unit_brief(h.unit_id) b), null::text, false
                from household h where h.id = any (p_households);
        end if;
    end
    $$;
revoke all on function door_check_targets(uuid[], uuid[], uuid) from public;
grant execute on function door_check_targets(uuid[], uuid[], uuid) to liushou_app;
