-- Obligations of newly filed people without looking for checks of the people themselves (issue 23).
--
-- 0028 builds a new person's obligations for the whole inserting statement, starting each from the
-- latest check of the person or of the household that saw them. Since door checks are partitioned
-- by month (0031), "the latest check of the person" probes the person index of every month for
-- every person and rule: a ledger import of 1,000 people with two or three rules each made 2,500
-- lookups across all months, 87 ms a statement and a fifth of the import's time.
--
-- Those lookups can find nothing. `door_check.person_id` references `person (id)` through
-- `door_check_person_fkey`, checked when a check is inserted, and no file is ever deleted: a check
-- naming a person can only be written after that person's row exists, and the people of an insert
-- statement did not exist before it. Only the household's checks can start a new person's
-- obligations (a child filed into a household the grid worker has knocked on), so only those are
-- looked up, and only for people with a household. The answers are those of 0028.

create or replace function visit_obligations_people_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        with units as (
            select distinct p.unit_id from new_rows p where p.status = 'active'
        ), effective as (
            -- For each unit and rule key, the definition set deepest among the unit's ancestors.
            select n.unit_id as for_unit, u.path as unit_path, e.id, e.rule_key, e.categories, e.risk_levels, e.check_kinds, e.cadence
            from units n
            join org_unit u on u.id = n.unit_id
            cross join lateral (
                select distinct on (vr.rule_key) vr.*
                from visit_rule vr left join org_unit ru on ru.id = vr.unit_id
                where vr.unit_id is null or ru.path @> u.path
                order by vr.rule_key, coalesce(nlevel(ru.path), 0) desc
            ) e
            where e.active
        )
        insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
            last_check_at, next_due_at)
        select p.id, r.rule_key, r.id, p.unit_id, r.unit_path, r.check_kinds, r.cadence, c.id, c.occurred_at,
            coalesce(c.occurred_at, greatest(p.created_at, now())) + r.cadence
        from new_rows p
        join effective r on r.for_unit = p.unit_id and r.categories && p.categories
            and (r.risk_levels is null or p.risk_level = any (r.risk_levels))
        left join lateral (
            select c.id, c.occurred_at from door_check c
            where p.household_id is not null and c.household_id = p.household_id and c.kind = any (r.check_kinds)
              and door_check_outcome_sees_person(c.outcome)
            order by c.occurred_at desc limit 1
        ) c on true
        where p.status = 'active'
        on conflict (person_id, rule_key) do update
            set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                cadence = excluded.cadence,
                next_due_at = coalesce(o.last_check_at, excluded.last_check_at, excluded.next_due_at - excluded.cadence) + excluded.cadence,
                last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                last_check_at = coalesce(o.last_check_at, excluded.last_check_at);
        return null;
    end
    $$;
revoke all on function visit_obligations_people_inserted() from public;
