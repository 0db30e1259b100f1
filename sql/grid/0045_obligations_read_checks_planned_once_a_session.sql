-- The read of stored checks that moves obligations is planned once a session (issue 23).
--
-- `visit_obligations_satisfy_many` runs for every stored door check, single or batched. It read the
-- checks it had just been given through EXECUTE, so that their months were pruned when planning
-- and no plan made without statistics could stay for a pooled connection's life (0035): about
-- 0.35 ms of planning a call, more than a third of `door_checks_record` for one check (pgbench of
-- the server's one-check transaction, one client, demo county: 1.3 ms before, 0.95 ms after).
-- The read is now a static statement: the months are pruned when the cached plan starts, and the
-- checks and a household's members are read by index probes (lateral subqueries), so the plan
-- cannot turn into a scan of either table whatever the statistics. A cached plan locks every month
-- of `door_check` (PostgreSQL 15) but opens the indexes of the pruned ones only: with 68 months
-- attached, the one-check transaction at 64 clients ran as fast as with EXECUTE (747-804 against
-- 787-800 a second), one client 17 % faster.

create or replace function visit_obligations_satisfy_many(p_checks uuid[], p_at timestamptz[]) returns void
    language plpgsql security definer set search_path = public, pg_temp
    -- Planned once a session: a custom plan for every call costs more than the write of one check.
    set plan_cache_mode = force_generic_plan
    as $$
    declare
        v_targets visit_check_target[];
        v_members uuid[];
        v_first timestamptz;
        v_last timestamptz;
    begin
        -- The checks' first and last times prune the months when the cached plan starts (every
        -- month is still locked, as for any cached plan of a partitioned table; only theirs are read).
        v_first := (select min(a) from unnest(p_at) a);
        v_last := (select max(a) from unnest(p_at) a);
        select array_agg(row(c.id, n.ord, coalesce(c.person_id, m.id), c.kind, c.occurred_at)::visit_check_target)
        into v_targets
        from unnest(p_checks, p_at) with ordinality as n (id, at, ord)
        cross join lateral (
            select c.id, c.person_id, c.household_id, c.kind, c.occurred_at, c.outcome
            from door_check c
            where c.id = n.id and c.occurred_at = n.at and c.occurred_at between v_first and v_last
            -- An id is stored once (door_check_key); the limit also keeps the planner from
            -- flattening the lookup into a join that reads the bounds' range.
            limit 1
        ) c
        -- A household's active members, through their index whatever the statistics were when the
        -- plan was made (a plan made before the first analyze stays for the pooled connection's life).
        left join lateral (
            select m.id from person m
            where c.household_id is not null and m.household_id = c.household_id and m.status = 'active'
            offset 0
        ) m on true
        where door_check_outcome_sees_person(c.outcome) and (c.person_id is not null or m.id is not null);
        if v_targets is null then
            return;
        end if;
        v_members := array(select distinct t.member from unnest(v_targets) t);
        perform from visit_obligation o where o.person_id = any (v_members)
            order by o.person_id, o.rule_key for update;
        update visit_obligation o
            set last_check_id = b.check_id, last_check_at = b.occurred_at, next_due_at = b.occurred_at + o.cadence
            from (
                select distinct on (v.person_id, v.rule_key) v.person_id, v.rule_key, t.check_id, t.occurred_at
                from unnest(v_targets) t
                cross join lateral (
                    select v.person_id, v.rule_key, v.check_kinds from visit_obligation v where v.person_id = t.member offset 0
                ) v
                where t.kind = any (v.check_kinds)
                order by v.person_id, v.rule_key, t.occurred_at desc, t.ord
            ) b
            where o.person_id = b.person_id and o.rule_key = b.rule_key
              and (o.last_check_at is null or o.last_check_at < b.occurred_at);
    end
    $$;
