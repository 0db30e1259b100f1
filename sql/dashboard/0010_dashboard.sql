-- Joint-meeting dashboard (联席会议): counts per leaf unit that the indicators are built from, read
-- live (a write shows in the next read), and weekly snapshots of the same counts for trends.
--
-- `dashboard_leaf_counts` aggregates once per unit that holds people (grids and villages), never
-- per person per displayed unit: the server sums the leaf rows into the unit and its children.
-- It runs as definer (row-by-row policies would cost one visibility call per person) and
-- therefore checks the caller's scope itself: the unit must lie inside the caller's person area.

-- A week's counts, as they were: leaf rows with the unit's path at the time, so past weeks do not
-- change when people or units move.
create table dashboard_snapshot (
    week_start date not null,
    unit_id uuid not null references org_unit (id),
    unit_path ltree not null,
    metric text not null,
    value bigint not null,
    taken_at timestamptz not null default now(),
    primary key (week_start, unit_id, metric)
);
create index dashboard_snapshot_path on dashboard_snapshot using gist (unit_path);
-- Relief cases by unit for the dashboard's counts.
create index relief_case_unit on relief_case (unit_id);

alter table dashboard_snapshot enable row level security;
-- Read only through `dashboard_trend` (definer); nothing for the application role directly.
revoke all on dashboard_snapshot from liushou_app;

-- The metrics of every leaf unit under `p_root` (no scope check: callers check). Each part reads only
-- the rows of the root's units (`unit_id = any(ids)`, by index), so the cost follows the size of the
-- subtree, not of the database.
create function dashboard_counts_under(p_root ltree)
    returns table (unit_id uuid, unit_path ltree, metric text, value bigint)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        today date := (now() at time zone 'Asia/Shanghai')::date;
        year_ago date := (now() at time zone 'Asia/Shanghai')::date - interval '12 months';
        year_start timestamptz := date_trunc('year', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai';
        ids uuid[] := array(select u.id from org_unit u where u.path <@ p_root);
    begin
        return query
        with people as (
            select p.unit_id,
                count(*) as persons,
                count(*) filter (where p.complete) as complete,
                count(*) filter (where p.categories && array['left_behind_child', 'child_in_difficulty']) as children,
                count(*) filter (where p.categories && array['left_behind_child', 'child_in_difficulty'] and not p.no_capable_guardian)
                    as children_guarded,
                count(*) filter (where p.categories && array['left_behind_child', 'child_in_difficulty']
                    and p.file -> 'child' ->> 'guardianshipConfirmedOn' is not null) as children_confirmed,
                count(*) filter (where 'left_behind_child' = any(p.categories)) as group_left_behind_child,
                count(*) filter (where 'child_in_difficulty' = any(p.categories)) as group_child_in_difficulty,
                count(*) filter (where 'left_behind_woman' = any(p.categories)) as group_left_behind_woman,
                count(*) filter (where 'left_behind_elder' = any(p.categories)) as group_left_behind_elder
            from person p where p.status = 'active' and p.unit_id = any(ids)
            group by p.unit_id
        ),
        paired as (
            select p.unit_id, count(distinct p.id) as paired
            from person p join pairing_person pp on pp.person_id = p.id join pairing g on g.id = pp.pairing_id
            where p.status = 'active' and p.unit_id = any(ids)
              and g.status = 'active' and g.start_on <= today and (g.end_on is null or g.end_on >= today)
            group by p.unit_id
        ),
        health as (
            select p.unit_id,
                count(distinct p.id) filter (where 'left_behind_elder' = any(p.categories)) as elders_checked,
                count(distinct p.id) filter (where 'left_behind_woman' = any(p.categories) and c.kind = 'women_screening') as women_screened
            from person p join checkup c on c.person_id = p.id
            where p.status = 'active' and p.unit_id = any(ids) and c.checked_on >= year_ago
              and p.categories && array['left_behind_elder', 'left_behind_woman']
            group by p.unit_id
        ),
        -- Obligations exist only for active people (an exit deletes them).
        visits as (
            select o.unit_id,
                count(*) filter (where o.rule_key = 'daily_knock') as knock_due,
                count(*) filter (where o.rule_key = 'daily_knock' and o.next_due_at > now()) as knock_ok,
                count(*) filter (where o.rule_key = 'cadre_weekly') as cadre_due,
                count(*) filter (where o.rule_key = 'cadre_weekly' and o.next_due_at > now()) as cadre_ok
            from visit_obligation o where o.unit_path <@ p_root and o.rule_key in ('daily_knock', 'cadre_weekly')
            group by o.unit_id
        ),
        follow_ups as (
            select f.unit_id,
                count(*) filter (where f.opened_at > now() - interval '7 days') as follow_ups_open_under_7_days,
                count(*) filter (where f.opened_at <= now() - interval '7 days' and f.opened_at > now() - interval '30 days')
                    as follow_ups_open_7_to_30_days,
                count(*) filter (where f.opened_at <= now() - interval '30 days') as follow_ups_open_over_30_days
            from follow_up f where f.status = 'open' and f.unit_id = any(ids)
            group by f.unit_id
        ),
        reports as (
            select r.unit_id,
                count(*) filter (where r.reported_at > now() - interval '1 day') as safeguarding_unacknowledged_under_1_day,
                count(*) filter (where r.reported_at <= now() - interval '1 day' and r.reported_at > now() - interval '7 days')
                    as safeguarding_unacknowledged_1_to_7_days,
                count(*) filter (where r.reported_at <= now() - interval '7 days') as safeguarding_unacknowledged_over_7_days
            from safeguarding_report r where r.acknowledged_at is null and r.unit_id = any(ids)
            group by r.unit_id
        ),
        relief as (
            select c.unit_id,
                count(*) filter (where c.state in ('submitted', 'village_reviewed')) as relief_awaiting_decision,
                count(*) filter (where c.state in ('approved')) as relief_approved_unpaid,
                count(*) filter (where c.decided_at is not null and c.decided_at >= year_start) as relief_decided_this_year,
                count(*) filter (where c.decided_at is not null and c.decided_at >= year_start and c.decided_at <= c.decision_due_at)
                    as relief_decided_in_time_this_year,
                count(*) filter (where c.state in ('submitted', 'village_reviewed') and c.decision_due_at < now()) as relief_overdue
            from relief_case c where c.unit_id = any(ids)
            group by c.unit_id
        ),
        units as (select u.id, u.path from org_unit u where u.id = any(ids))
        select u.id, u.path, m.metric, m.value
        from units u
        left join people pe on pe.unit_id = u.id
        left join paired pa on pa.unit_id = u.id
        left join visits v on v.unit_id = u.id
        left join health h on h.unit_id = u.id
        left join follow_ups f on f.unit_id = u.id
        left join reports r on r.unit_id = u.id
        left join relief rc on rc.unit_id = u.id
        cross join lateral (values
            ('persons', pe.persons), ('complete', pe.complete), ('children', pe.children), ('children_guarded', pe.children_guarded),
            ('children_confirmed', pe.children_confirmed), ('group_left_behind_child', pe.group_left_behind_child),
            ('group_child_in_difficulty', pe.group_child_in_difficulty), ('group_left_behind_woman', pe.group_left_behind_woman),
            ('group_left_behind_elder', pe.group_left_behind_elder), ('paired', pa.paired),
            ('knock_due', v.knock_due), ('knock_ok', v.knock_ok), ('cadre_due', v.cadre_due), ('cadre_ok', v.cadre_ok),
            ('elders_checked', h.elders_checked), ('women_screened', h.women_screened),
            ('follow_ups_open_under_7_days', f.follow_ups_open_under_7_days), ('follow_ups_open_7_to_30_days', f.follow_ups_open_7_to_30_days),
            ('follow_ups_open_over_30_days', f.follow_ups_open_over_30_days),
            ('safeguarding_unacknowledged_under_1_day', r.safeguarding_unacknowledged_under_1_day),
            ('safeguarding_unacknowledged_1_to_7_days', r.safeguarding_unacknowledged_1_to_7_days),
            ('safeguarding_unacknowledged_over_7_days', r.safeguarding_unacknowledged_over_7_days),
            ('relief_awaiting_decision', rc.relief_awaiting_decision), ('relief_approved_unpaid', rc.relief_approved_unpaid),
            ('relief_decided_this_year', rc.relief_decided_this_year), ('relief_decided_in_time_this_year', rc.relief_decided_in_time_this_year),
            ('relief_overdue', rc.relief_overdue)
        ) as m(metric, value)
        where m.value is not null and m.value > 0;
    end
    $$;
revoke all on function dashboard_counts_under(ltree) from public;

-- Live counts for the caller: only a unit inside the caller's person area (else nothing).
create function dashboard_leaf_counts(p_unit uuid)
    returns table (unit_id uuid, unit_path text, metric text, value bigint)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        root ltree;
    begin
        select u.path into root from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for('person_area');
        if root is null then
            return;
        end if;
        return query select c.unit_id, c.unit_path::text, c.metric, c.value from dashboard_counts_under(root) c;
    end
    $$;
revoke all on function dashboard_leaf_counts(uuid) from public;
grant execute on function dashboard_leaf_counts(uuid) to liushou_app;

-- Records this week's counts for every unit (the current week is overwritten until it ends; past
-- weeks stay as they were). Called by the server's snapshot service.
create function dashboard_snapshot_take() returns bigint
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        week date := date_trunc('week', now() at time zone 'Asia/Shanghai')::date;
        written bigint;
    begin
        -- One snapshot at a time across all servers; a concurrent caller leaves it to the one running.
        if not pg_try_advisory_xact_lock(hashtext('liushou.dashboard_snapshot')) then
            return 0;
        end if;
        delete from dashboard_snapshot s where s.week_start = week;
        insert into dashboard_snapshot (week_start, unit_id, unit_path, metric, value)
        select week, c.unit_id, c.unit_path, c.metric, c.value
        from org_unit county cross join lateral dashboard_counts_under(county.path) c
        where county.parent_id is null;
        get diagnostics written = row_count;
        return written;
    end
    $$;
revoke all on function dashboard_snapshot_take() from public;
grant execute on function dashboard_snapshot_take() to liushou_app;

-- Weekly counts under a unit in the caller's person area, summed per week and metric over the
-- leaves that lay under the unit then (by the path recorded in the snapshot).
create function dashboard_trend(p_unit uuid, p_weeks integer)
    returns table (week_start date, metric text, value bigint)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        root ltree;
    begin
        select u.path into root from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for('person_area');
        if root is null then
            return;
        end if;
        return query
            select s.week_start, s.metric, sum(s.value)::bigint from dashboard_snapshot s
            where s.unit_path <@ root and s.week_start >= date_trunc('week', now() at time zone 'Asia/Shanghai')::date - 7 * (p_weeks - 1)
            group by s.week_start, s.metric
            order by s.week_start;
    end
    $$;
revoke all on function dashboard_trend(uuid, integer) from public;
grant execute on function dashboard_trend(uuid, integer) to liushou_app;
