-- A door check's lookups are planned once a session (issue 23).
--
-- The server's one-check transaction spent 1.28 ms of its 3 ms in the database on three lookups,
-- most of it planning them (pgbench of its exact statements, one client, demo county): the checks
-- already stored under the items' ids, the people and the households the items name, with what
-- decides who may check them. Sent as unnamed statements, each was planned at every call: 0.38,
-- 0.72 (the person policies' subplans) and 0.18 ms, the last for the empty list of households of
-- almost every upload. `door_checks_lookup` answers all three in one statement, under the caller's
-- policies (security invoker: it sees what the caller sees), with queries PL/pgSQL plans once a
-- session; the households' query runs only when an item names a household: 0.38 ms in all.
-- (0045 does the same for the read of stored checks in `visit_obligations_satisfy_many`.)

create function door_checks_lookup(
    p_ids uuid[], p_at timestamptz[], p_people uuid[], p_households uuid[], p_account uuid)
    returns table (target text, id uuid, hash text, unit_id uuid, path text, school_path text, assigned boolean)
    language plpgsql stable
    -- The lookups' plans do not depend on the values: one generic plan a session.
    set plan_cache_mode = force_generic_plan
    as $$
    #variable_conflict use_column
    declare
        v_first timestamptz := (select min(a) from unnest(p_at) a) - interval '1 second';
        v_last timestamptz := (select max(a) from unnest(p_at) a) + interval '1 second';
    begin
        -- Checks stored under the items' ids within a second of their times; the bounds prune the
        -- months. Without the limit (an id is stored once) the planner flattens the lookup into a
        -- join that reads every check of the bounds' range.
        return query
            select 'check', c.id, encode(c.content_hash, 'hex'), null::uuid, null::text, null::text, null::boolean
            from unnest(p_ids, p_at) as n (id, at)
            cross join lateral (
                select c.id, c.content_hash from door_check c
                where c.id = n.id and c.occurred_at between n.at - interval '1 second' and n.at + interval '1 second'
                    and c.occurred_at between v_first and v_last
                limit 1
            ) c;
        -- The active people named, with their unit, school and whether they are paired with the caller.
        if cardinality(p_people) > 0 then
            return query
                select 'person', p.id, null::text, p.unit_id, (select b.path from liushou_unit_brief(p.unit_id) b),
                    (select b.path from liushou_unit_brief(p.school_id) b),
                    exists (select from person_assignment a where a.person_id = p.id and a.account_id = p_account
                               and a.started_at <= now() and (a.ended_at is null or a.ended_at > now()))
                from person p where p.id = any (p_people) and p.status = 'active';
        end if;
        if cardinality(p_households) > 0 then
            return query
                select 'household', h.id, null::text, h.unit_id, (select b.path from liushou_unit_brief(h.unit_id) b), null::text, false
                from household h where h.id = any (p_households);
        end if;
    end
    $$;
revoke all on function door_checks_lookup(uuid[], timestamptz[], uuid[], uuid[], uuid) from public;
grant execute on function door_checks_lookup(uuid[], timestamptz[], uuid[], uuid[], uuid) to liushou_app;
