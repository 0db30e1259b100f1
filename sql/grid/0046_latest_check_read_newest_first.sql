-- The latest check that starts an obligation is read newest first, month by month (issue 23).
--
-- When an obligation is rebuilt without a last check (a person moved to another village or grid,
-- a new rule, a rule refresh), it starts from the latest check of the person or of their household
-- that satisfies the rule. Since 0042 that lookup was one `order by occurred_at desc limit 1` over a
-- `union all` of the person's and the household's checks. PostgreSQL cannot push the limit into
-- the branches of that union, so it read every check of the person and of the household, in every
-- month, and sorted them: a year of daily knocks is 365 rows a rule, and an import that moved
-- 10,000 such people to another village spent 1.27 s a chunk of 1,000 in the rebuild, about 1.3 ms
-- a person, growing with every month of history kept.
--
-- Each branch now carries its own `order by occurred_at desc limit 1`: PostgreSQL reads each
-- month's index (person or household, occurred_at desc) from its newest entry and stops at the
-- first check that matches, so a lookup costs one index probe a month, whatever the history. The
-- answer is the same check (the newest of the two branches' newest), ties as before in no
-- particular order.
--
-- visit_obligations_refresh, the one-person reference the tests compare the rebuild with, reads
-- the same way.

create or replace function visit_obligations_rebuild(p_people uuid[]) returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        -- Each statement of this (volatile) function reads what committed before it began: people
        -- changed by a transaction this lock waited for are read newest below.
        select from visit_obligation o where o.person_id = any (p_people) order by o.person_id, o.rule_key for update;
        with people as materialized (
            select p.id, p.unit_id, p.household_id, p.status, p.categories, p.risk_level, p.created_at
            from (select distinct x.id from unnest(p_people) as x (id)) x
            join person p on p.id = x.id
        ), wanted as materialized (
            select p.id as person_id, p.unit_id, p.household_id, p.created_at, r.unit_path, r.rule_id, r.rule_key, r.check_kinds, r.cadence
            from people p
            join visit_rules_in_force((select array_agg(distinct a.unit_id) from people a where a.status = 'active')) r
                on r.unit_id = p.unit_id and r.categories && p.categories
                and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
            where p.status = 'active'
        ), gone as (
            -- Obligations no rule gives any more. Disjoint from the rows the insert below touches.
            delete from visit_obligation o
            using people p
            where o.person_id = p.id
              and not exists (select from wanted w where w.person_id = o.person_id and w.rule_key = o.rule_key)
        )
        insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
            last_check_at, next_due_at)
        select w.person_id, w.rule_key, w.rule_id, w.unit_id, w.unit_path, w.check_kinds, w.cadence, c.id, c.occurred_at,
            coalesce(c.occurred_at, greatest(w.created_at, now())) + w.cadence
        from wanted w
        left join visit_obligation kept on kept.person_id = w.person_id and kept.rule_key = w.rule_key
        left join lateral (
            -- The latest check of the person or their household, of a kind that satisfies the rule and
            -- that saw the person; not looked for when the obligation already has a last check.
            -- Each side is read newest first through its index and stops at its first match.
            select c.id, c.occurred_at from (
                (select c.id, c.occurred_at from door_check c
                    where c.person_id = w.person_id and c.kind = any (w.check_kinds) and door_check_outcome_sees_person(c.outcome)
                    order by c.occurred_at desc limit 1)
                union all
                (select c.id, c.occurred_at from door_check c
                    where w.household_id is not null and c.household_id = w.household_id and c.kind = any (w.check_kinds)
                      and door_check_outcome_sees_person(c.outcome)
                    order by c.occurred_at desc limit 1)
            ) c
            where kept.last_check_id is null
            order by c.occurred_at desc limit 1
        ) c on true
        on conflict (person_id, rule_key) do update
            set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                cadence = excluded.cadence,
                next_due_at = coalesce(o.last_check_at, excluded.last_check_at, o.next_due_at - o.cadence) + excluded.cadence,
                last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                last_check_at = coalesce(o.last_check_at, excluded.last_check_at)
            where (o.rule_id, o.unit_id, o.unit_path, o.check_kinds, o.cadence, o.last_check_id, o.next_due_at)
                is distinct from (excluded.rule_id, excluded.unit_id, excluded.unit_path, excluded.check_kinds, excluded.cadence,
                    coalesce(o.last_check_id, excluded.last_check_id),
                    coalesce(o.last_check_at, excluded.last_check_at, o.next_due_at - o.cadence) + excluded.cadence)
    $$;

create or replace function visit_obligations_refresh(p_person uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
        v_path ltree;
        r record;
        v_keys text[] := '{}';
        v_last_id uuid;
        v_last_at timestamptz;
    begin
        select * into p from person where id = p_person;
        if not found then
            return;
        end if;
        if p.status <> 'active' then
            delete from visit_obligation where person_id = p_person;
            return;
        end if;
        select path into v_path from org_unit where id = p.unit_id;
        for r in
            select e.* from (
                select distinct on (vr.rule_key) vr.*
                from visit_rule vr left join org_unit u on u.id = vr.unit_id
                where vr.unit_id is null or u.path @> v_path
                order by vr.rule_key, coalesce(nlevel(u.path), 0) desc
            ) e
            where e.active and e.categories && p.categories and (e.risk_levels is null or p.risk_level = any (e.risk_levels))
        loop
            v_keys := v_keys || r.rule_key;
            -- A new obligation starts from the latest check of the person or their household, of a
            -- kind that satisfies it and that saw the person, else from now.
            select c.id, c.occurred_at into v_last_id, v_last_at from (
                (select c.id, c.occurred_at from door_check c
                    where c.person_id = p.id and c.kind = any (r.check_kinds) and door_check_outcome_sees_person(c.outcome)
                    order by c.occurred_at desc limit 1)
                union all
                (select c.id, c.occurred_at from door_check c
                    where p.household_id is not null and c.household_id = p.household_id and c.kind = any (r.check_kinds)
                      and door_check_outcome_sees_person(c.outcome)
                    order by c.occurred_at desc limit 1)
            ) c order by c.occurred_at desc limit 1;
            -- An existing one keeps its last check, or else its start.
            insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
                last_check_at, next_due_at)
            values (p.id, r.rule_key, r.id, p.unit_id, v_path, r.check_kinds, r.cadence, v_last_id, v_last_at,
                coalesce(v_last_at, greatest(p.created_at, now())) + r.cadence)
            on conflict (person_id, rule_key) do update
                set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                    cadence = excluded.cadence,
                    next_due_at = coalesce(o.last_check_at, excluded.last_check_at, o.next_due_at - o.cadence) + excluded.cadence,
                    last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                    last_check_at = coalesce(o.last_check_at, excluded.last_check_at);
        end loop;
        delete from visit_obligation where person_id = p_person and rule_key <> all (v_keys);
    end
    $$;
