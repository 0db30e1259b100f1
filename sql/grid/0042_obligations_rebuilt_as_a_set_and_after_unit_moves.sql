-- Obligations rebuilt by one set-based function, also after a unit moves (issue 23).
--
-- Three things rebuild people's obligations: a change to a person (0041's statement trigger), a
-- change of visit rules (visit_obligations_refresh_under, one person at a time, about 1.7 ms each:
-- nine minutes for a county of 300,000 in one transaction), and nothing at all when a unit moves.
-- A moved village kept its obligations at the old path: row-level security filters obligations by
-- that copied path, so the old town kept seeing them and the new town did not, and the rules of
-- the new ancestors were never applied. Any edit of a file used to heal that row by row; since 0041
-- only a change of status, categories, risk level or unit does.
--
-- Now visit_obligations_rebuild(people) does for a set of people what visit_obligations_refresh
-- does for one: the rules in force at the person's unit choose the obligations, a new one starts
-- from the latest check of the person or their household that saw them (else from now), an
-- existing one keeps its last check, and obligations no rule gives any more (all of them for a
-- closed file) are deleted. It looks for a latest check only where the obligation has none, and it
-- finds its people by joining the given ids, not by testing each row against the array.
--
-- It is called by the person trigger (now also when only the household changed: a child filed
-- into a household the grid worker has knocked on starts from that knock, as when filed into it),
-- by visit_obligations_refresh_under, and by a new statement trigger on org_unit for the active
-- people of every unit whose path changed. visit_obligations_refresh stays as the one-person
-- reference the tests compare against; visit_obligations_person_changed has no trigger since 0041
-- and is dropped.

create function visit_obligations_rebuild(p_people uuid[]) returns void
    language sql security definer set search_path = public, pg_temp
    as $$
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
            select c.id, c.occurred_at from (
                select c.id, c.occurred_at from door_check c
                    where c.person_id = w.person_id and c.kind = any (w.check_kinds) and door_check_outcome_sees_person(c.outcome)
                union all
                select c.id, c.occurred_at from door_check c
                    where w.household_id is not null and c.household_id = w.household_id and c.kind = any (w.check_kinds)
                      and door_check_outcome_sees_person(c.outcome)
            ) c
            where kept.last_check_id is null
            order by c.occurred_at desc limit 1
        ) c on true
        on conflict (person_id, rule_key) do update
            set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                cadence = excluded.cadence,
                next_due_at = coalesce(o.last_check_at, excluded.last_check_at, excluded.next_due_at - excluded.cadence) + excluded.cadence,
                last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                last_check_at = coalesce(o.last_check_at, excluded.last_check_at)
    $$;
revoke all on function visit_obligations_rebuild(uuid[]) from public;

create or replace function visit_obligations_people_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_changed uuid[];
    begin
        select array_agg(n.id) into v_changed
        from new_rows n
        join old_rows b on b.id = n.id
        where (n.status, n.categories, n.risk_level, n.unit_id, n.household_id)
            is distinct from (b.status, b.categories, b.risk_level, b.unit_id, b.household_id);
        if v_changed is not null then
            perform visit_obligations_rebuild(v_changed);
        end if;
        return null;
    end
    $$;

create function visit_obligations_units_moved() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_people uuid[];
    begin
        select array_agg(p.id) into v_people
        from new_units n
        join old_units b on b.id = n.id
        join person p on p.unit_id = n.id
        where n.path is distinct from b.path and p.status = 'active';
        if v_people is not null then
            perform visit_obligations_rebuild(v_people);
        end if;
        return null;
    end
    $$;
revoke all on function visit_obligations_units_moved() from public;

create trigger org_unit_visit_obligations_moved after update on org_unit
    referencing old table as old_units new table as new_units
    for each statement execute function visit_obligations_units_moved();

create or replace function visit_obligations_refresh_under(p_unit uuid) returns integer
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_people uuid[];
    begin
        -- A caller's transaction (it names an account) may refresh only under a unit where the caller
        -- sets visit rules; the migration (no caller) refreshes everything.
        if coalesce(current_setting('liushou.account_id', true), '') <> ''
            and (p_unit is null or not liushou_unit_in_scope(p_unit, 'visit_rules')) then
            raise exception 'visit obligations can be refreshed only under a unit whose rules the caller sets' using errcode = '42501';
        end if;
        select array_agg(p.id) into v_people
        from person p join org_unit u on u.id = p.unit_id
        where p.status = 'active'
          and (p_unit is null or u.path <@ (select path from org_unit where id = p_unit));
        if v_people is null then
            return 0;
        end if;
        perform visit_obligations_rebuild(v_people);
        return cardinality(v_people);
    end
    $$;

drop function visit_obligations_person_changed();
