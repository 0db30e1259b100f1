-- Obligations of changed people, rebuilt for a whole updating statement at once (issue 23).
--
-- Until now a row trigger called visit_obligations_refresh for every updated person whose update
-- named status, categories, risk_level or unit_id, about 1.7 ms a person. A ledger re-import that
-- moves a thousand people between villages writes them with one statement and spent 1.7 s of its
-- 1.8 s in that trigger. Every file write names those columns, so the trigger also ran when none of
-- them changed, and then re-based a never-checked obligation's due date on the time of the edit:
-- editing a file postponed its overdue visits.
--
-- Now one statement-level trigger rebuilds the obligations of the people of the statement whose
-- status, categories, risk level or unit actually changed, as visit_obligations_refresh does for
-- one person: the rules in force at the person's unit choose the obligations, a new one starts from
-- the latest check of the person or their household that saw them (else from now), an existing one
-- keeps its last check, and obligations no rule gives any more (all of them for a closed file) are
-- deleted. People whose four columns did not change keep their obligations as they are.
--
-- PostgreSQL does not allow transition tables on a trigger with a column list, so the trigger
-- fires on every update of person and finds the changed people by comparing its old and new rows.

-- The rules in force at each of some units: for each rule key, the definition set deepest among
-- the unit's ancestors (or the platform default), if it is switched on. visit_obligations_refresh
-- and the insert trigger choose rules the same way, each written out.
create function visit_rules_in_force(p_units uuid[])
    returns table (
        unit_id uuid,
        unit_path ltree,
        rule_id uuid,
        rule_key text,
        categories text[],
        risk_levels text[],
        check_kinds text[],
        cadence interval
    )
    language sql stable set search_path = public, pg_temp
    as $$
        select u.id, u.path, e.id, e.rule_key, e.categories, e.risk_levels, e.check_kinds, e.cadence
        from org_unit u
        cross join lateral (
            select distinct on (vr.rule_key) vr.*
            from visit_rule vr left join org_unit ru on ru.id = vr.unit_id
            where vr.unit_id is null or ru.path @> u.path
            order by vr.rule_key, coalesce(nlevel(ru.path), 0) desc
        ) e
        where u.id = any (p_units) and e.active
    $$;
revoke all on function visit_rules_in_force(uuid[]) from public;

create function visit_obligations_people_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_changed uuid[];
        v_units uuid[];
    begin
        select array_agg(n.id), array_agg(distinct n.unit_id) into v_changed, v_units
        from new_rows n
        join old_rows b on b.id = n.id
        where (n.status, n.categories, n.risk_level, n.unit_id) is distinct from (b.status, b.categories, b.risk_level, b.unit_id);
        if v_changed is null then
            return null;
        end if;

        -- Obligations no rule gives any more (all of them for a closed file).
        delete from visit_obligation o
        using new_rows p
        where p.id = any (v_changed) and o.person_id = p.id
          and not exists (
              select 1 from visit_rules_in_force(v_units) r
              where p.status = 'active' and r.unit_id = p.unit_id and r.rule_key = o.rule_key and r.categories && p.categories
                and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
          );

        -- Obligations the rules give, made or moved to the person's unit and current rule.
        insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
            last_check_at, next_due_at)
        select p.id, r.rule_key, r.rule_id, p.unit_id, r.unit_path, r.check_kinds, r.cadence, c.id, c.occurred_at,
            coalesce(c.occurred_at, greatest(p.created_at, now())) + r.cadence
        from new_rows p
        join visit_rules_in_force(v_units) r on r.unit_id = p.unit_id and r.categories && p.categories
            and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
        left join lateral (
            -- The latest check of the person or their household, of a kind that satisfies the rule
            -- and that saw the person.
            select c.id, c.occurred_at from (
                select c.id, c.occurred_at from door_check c
                    where c.person_id = p.id and c.kind = any (r.check_kinds) and door_check_outcome_sees_person(c.outcome)
                union all
                select c.id, c.occurred_at from door_check c
                    where p.household_id is not null and c.household_id = p.household_id and c.kind = any (r.check_kinds)
                      and door_check_outcome_sees_person(c.outcome)
            ) c order by c.occurred_at desc limit 1
        ) c on true
        where p.id = any (v_changed) and p.status = 'active'
        on conflict (person_id, rule_key) do update
            set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                cadence = excluded.cadence,
                next_due_at = coalesce(o.last_check_at, excluded.last_check_at, excluded.next_due_at - excluded.cadence) + excluded.cadence,
                last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                last_check_at = coalesce(o.last_check_at, excluded.last_check_at);
        return null;
    end
    $$;
revoke all on function visit_obligations_people_changed() from public;

drop trigger person_visit_obligations_update on person;
create trigger person_visit_obligations_update after update on person
    referencing old table as old_rows new table as new_rows
    for each statement execute function visit_obligations_people_changed();
