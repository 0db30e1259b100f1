-- Dashboard counts kept per leaf unit instead of recounted on every read, so a county of 500,000
-- people reads in milliseconds and still shows every write at once:
--
-- * `dashboard_leaf_cache` holds, per unit, the counts that change only when a row changes or the
--   (China) day turns: people by group and file state, obligations due, pairings running, checkups
--   in the last 12 months, relief decisions this year, legal aid this year, school rates. Every
--   write to a source table bumps the version of the units it touches (statement triggers, one
--   UPDATE per statement) and clears their counts; the next read recounts just those units and
--   stores the result only if the version it counted is still the current one (a reader that
--   counted an older snapshot never overwrites a newer invalidation).
-- * Counts that change with the clock alone are read live by index: overdue obligations,
--   open follow-ups and unacknowledged safeguarding reports by age, relief past its deadline.
--
-- Readers never wait for writers: they store counts only in rows they can lock at once.

-- Also this migration's new counts: school rates (issue 10) and legal aid (issue 9).

create table dashboard_leaf_cache (
    unit_id uuid primary key references org_unit (id),
    version bigint not null default 0,
    -- The China day the counts were taken on; null (or counts null) means recount.
    day date,
    counts jsonb
);
alter table dashboard_leaf_cache enable row level security;
revoke all on dashboard_leaf_cache from liushou_app;
insert into dashboard_leaf_cache (unit_id) select id from org_unit;

create function dashboard_leaf_cache_add_unit() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into dashboard_leaf_cache (unit_id) values (new.id) on conflict do nothing;
        return null;
    end
    $$;
create trigger org_unit_dashboard_leaf_cache after insert on org_unit for each row execute function dashboard_leaf_cache_add_unit();

-- Marking stale happens at commit, not during the writing statements: the triggers only collect
-- what a transaction touched — units in the transaction-local setting `liushou.dashboard_touched`
-- (stamped with the transaction id, so a stray session-level value is ignored), people in
-- `dashboard_touch_people` — and a deferred constraint trigger bumps the versions of those units
-- and of the people's units, in unit order, just before the commit. So a long import or a clinic
-- batch holds no lock on any cache row or person, and writers never deadlock on them. It stays
-- correct: a reader that counted before the commit either finds the row locked by the bump or
-- sees the new version, and stores nothing. People's units are read at commit, so a move of the
-- person committed before then is seen (only a move committing in the same instant can slip by:
-- that unit recounts at its next write or at midnight).

-- The units this transaction has touched so far (null: it has touched nothing yet).
create function dashboard_leaf_touched() returns uuid[]
    language plpgsql stable set search_path = public, pg_temp
    as $$
    declare
        setting text := current_setting('liushou.dashboard_touched', true);
    begin
        if coalesce(setting, '') = '' or split_part(setting, ':', 1) is distinct from pg_current_xact_id_if_assigned()::text then
            return null;
        end if;
        return split_part(setting, ':', 2)::uuid[];
    end
    $$;
revoke all on function dashboard_leaf_touched() from public;

-- One row per writing transaction while it runs; its insert queues the commit-time bump.
create unlogged table dashboard_touch_pending (xact xid8 primary key);
-- The people whose rows (checkups, rolls, pairings) a running transaction wrote.
create unlogged table dashboard_touch_people (xact xid8 not null, person_id uuid not null, primary key (xact, person_id));
alter table dashboard_touch_pending enable row level security;
alter table dashboard_touch_people enable row level security;
revoke all on dashboard_touch_pending, dashboard_touch_people from liushou_app;

-- Collects units (and people) whose counts this transaction changes; the first call queues the
-- bump. The setting is written before the queueing insert, so even a bump fired at once (SET
-- CONSTRAINTS … IMMEDIATE) sees them. A rolled-back savepoint rolls all of it back.
create function dashboard_leaf_touch(p_units uuid[], p_people uuid[] default '{}') returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        touched uuid[] := dashboard_leaf_touched();
        wanted uuid[] := array(select distinct u from unnest(p_units) u where u is not null and u <> all (coalesce(touched, '{}')));
    begin
        if cardinality(wanted) = 0 and cardinality(p_people) = 0 then
            return;
        end if;
        if cardinality(p_people) > 0 then
            insert into dashboard_touch_people (xact, person_id)
            select pg_current_xact_id(), x from unnest(p_people) x where x is not null on conflict do nothing;
        end if;
        if touched is null or cardinality(wanted) > 0 then
            perform set_config('liushou.dashboard_touched', pg_current_xact_id()::text || ':' || (coalesce(touched, '{}') || wanted)::text, true);
        end if;
        if touched is null then
            insert into dashboard_touch_pending (xact) values (pg_current_xact_id()) on conflict do nothing;
        end if;
    end
    $$;
revoke all on function dashboard_leaf_touch(uuid[], uuid[]) from public;

-- At commit: the touched units' counts become stale (locked in unit order, held only for the commit).
create function dashboard_leaf_bump() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        units uuid[] := coalesce(dashboard_leaf_touched(), '{}')
            || array(select p.unit_id from person p
                     where p.id in (select t.person_id from dashboard_touch_people t where t.xact = new.xact));
    begin
        perform from dashboard_leaf_cache c where c.unit_id = any (units) order by c.unit_id for update;
        update dashboard_leaf_cache c set version = c.version + 1, counts = null where c.unit_id = any (units);
        delete from dashboard_touch_people t where t.xact = new.xact;
        delete from dashboard_touch_pending d where d.xact = new.xact;
        perform set_config('liushou.dashboard_touched', '', true);
        return null;
    end
    $$;
revoke all on function dashboard_leaf_bump() from public;
create constraint trigger dashboard_leaf_bump after insert on dashboard_touch_pending
    deferrable initially deferred for each row execute function dashboard_leaf_bump();

-- Statement trigger functions, one per way a source row names its unit. Rows with a unit of their
-- own (people, obligations, relief cases, legal cases): the units before and after.
create function dashboard_touch_unit_rows() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if tg_op = 'INSERT' then
            perform dashboard_leaf_touch(array(select n.unit_id from new_rows n));
        elsif tg_op = 'UPDATE' then
            perform dashboard_leaf_touch(array(select o.unit_id from old_rows o union select n.unit_id from new_rows n));
        else
            perform dashboard_leaf_touch(array(select o.unit_id from old_rows o));
        end if;
        return null;
    end
    $$;

-- Rows that name a person (checkups, pairing members, school rolls and status changes): the
-- person's unit, read at commit.
create function dashboard_touch_person_rows() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if tg_op = 'INSERT' then
            perform dashboard_leaf_touch('{}', array(select n.person_id from new_rows n));
        elsif tg_op = 'UPDATE' then
            perform dashboard_leaf_touch('{}', array(select o.person_id from old_rows o union select n.person_id from new_rows n));
        else
            perform dashboard_leaf_touch('{}', array(select o.person_id from old_rows o));
        end if;
        return null;
    end
    $$;

-- Pairings: their people.
create function dashboard_touch_pairing() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform dashboard_leaf_touch('{}', array(select pp.person_id from new_rows n join pairing_person pp on pp.pairing_id = n.id));
        return null;
    end
    $$;

revoke all on function dashboard_touch_unit_rows(), dashboard_touch_person_rows(), dashboard_touch_pairing()
    from public;

create trigger person_dashboard_insert after insert on person referencing new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger person_dashboard_update after update on person referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger person_dashboard_delete after delete on person referencing old table as old_rows
    for each statement execute function dashboard_touch_unit_rows();

-- Obligations: only their number per unit is cached (a check moving `next_due_at` changes no
-- cached count, so door checks do not touch the cache; overdue ones are counted live).
create trigger visit_obligation_dashboard_insert after insert on visit_obligation referencing new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger visit_obligation_dashboard_delete after delete on visit_obligation referencing old table as old_rows
    for each statement execute function dashboard_touch_unit_rows();
create function dashboard_touch_obligation_moved() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform dashboard_leaf_touch(array[old.unit_id, new.unit_id]);
        return null;
    end
    $$;
revoke all on function dashboard_touch_obligation_moved() from public;
create trigger visit_obligation_dashboard_moved after update on visit_obligation
    for each row when (old.unit_id is distinct from new.unit_id or old.rule_key is distinct from new.rule_key)
    execute function dashboard_touch_obligation_moved();

create trigger relief_case_dashboard_insert after insert on relief_case referencing new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger relief_case_dashboard_update after update on relief_case referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger relief_case_dashboard_delete after delete on relief_case referencing old table as old_rows
    for each statement execute function dashboard_touch_unit_rows();

create trigger legal_case_dashboard_insert after insert on legal_case referencing new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger legal_case_dashboard_update after update on legal_case referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger legal_case_detail_dashboard_insert after insert on legal_case_detail referencing new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();
create trigger legal_case_detail_dashboard_update after update on legal_case_detail referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_unit_rows();

create trigger checkup_dashboard_insert after insert on checkup referencing new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger checkup_dashboard_update after update on checkup referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger checkup_dashboard_delete after delete on checkup referencing old table as old_rows
    for each statement execute function dashboard_touch_person_rows();

create trigger pairing_person_dashboard_insert after insert on pairing_person referencing new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger pairing_person_dashboard_delete after delete on pairing_person referencing old table as old_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger pairing_dashboard_update after update on pairing referencing new table as new_rows
    for each statement execute function dashboard_touch_pairing();

create trigger school_enrolment_dashboard_insert after insert on school_enrolment referencing new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger school_enrolment_dashboard_update after update on school_enrolment referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger school_enrolment_dashboard_delete after delete on school_enrolment referencing old table as old_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger school_status_change_dashboard_insert after insert on school_status_change referencing new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger school_status_change_dashboard_update after update on school_status_change referencing old table as old_rows new table as new_rows
    for each statement execute function dashboard_touch_person_rows();
create trigger school_status_change_dashboard_delete after delete on school_status_change referencing old table as old_rows
    for each statement execute function dashboard_touch_person_rows();

-- Live counts by index.
create index visit_obligation_unit_due on visit_obligation (unit_id, rule_key, next_due_at);
create index relief_case_unit_due on relief_case (unit_id, decision_due_at) where state in ('submitted', 'village_reviewed');

-- The cached counts of the given units as of today, with the cache version they were counted at
-- (read in the same statement, so the counts are no older than the version).
create function dashboard_leaf_compute(p_ids uuid[])
    returns table (unit_id uuid, version bigint, counts jsonb)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        today date := (now() at time zone 'Asia/Shanghai')::date;
        year_ago date := (now() at time zone 'Asia/Shanghai')::date - interval '12 months';
        year_start timestamptz := date_trunc('year', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai';
        school_year_start date := make_date(extract(year from (now() at time zone 'Asia/Shanghai'))::int
            - case when extract(month from (now() at time zone 'Asia/Shanghai')) >= 9 then 0 else 1 end, 9, 1);
    begin
        return query
        -- One pass over the units' active people; what a person's pairings, checkups and school
        -- rolls say is looked up by index for that person (a recount costs what the units hold).
        with each_person as (
            select p.unit_id, p.complete, p.categories,
                p.categories && array['left_behind_child', 'child_in_difficulty'] as child,
                not p.no_capable_guardian as guarded,
                p.file -> 'child' ->> 'guardianshipConfirmedOn' is not null as confirmed,
                exists (select from pairing_person pp join pairing g on g.id = pp.pairing_id
                        where pp.person_id = p.id and g.status = 'active' and g.start_on <= today
                          and (g.end_on is null or g.end_on >= today)) as paired,
                'left_behind_elder' = any(p.categories)
                    and exists (select from checkup c where c.person_id = p.id and c.checked_on >= year_ago) as elder_checked,
                'left_behind_woman' = any(p.categories)
                    and exists (select from checkup c where c.person_id = p.id and c.kind = 'women_screening' and c.checked_on >= year_ago)
                    as woman_screened,
                -- School rates as `school_rates` counts them for villages and grids: children filed here,
                -- in school per `school_person_in_school` (only asked for a child with a roll row at all).
                case when p.categories && array['left_behind_child', 'child_in_difficulty'] and p.birth_date <= today
                     then extract(year from age(today, p.birth_date))::int end as years,
                exists (select from school_enrolment e where e.person_id = p.id) as on_a_roll,
                p.id
            from person p where p.status = 'active' and p.unit_id = any(p_ids)
        ),
        schooling as (
            select e.*,
                e.on_a_roll and e.years between 3 and 15 and school_person_in_school(e.id, today) as in_school,
                e.on_a_roll and e.years between 6 and 15 and school_person_in_school(e.id, school_year_start) as in_cohort
            from each_person e
        ),
        people as (
            select s.unit_id,
                count(*) as persons,
                count(*) filter (where s.complete) as complete,
                count(*) filter (where s.child) as children,
                count(*) filter (where s.child and s.guarded) as children_guarded,
                count(*) filter (where s.child and s.confirmed) as children_confirmed,
                count(*) filter (where 'left_behind_child' = any(s.categories)) as group_left_behind_child,
                count(*) filter (where 'child_in_difficulty' = any(s.categories)) as group_child_in_difficulty,
                count(*) filter (where 'left_behind_woman' = any(s.categories)) as group_left_behind_woman,
                count(*) filter (where 'left_behind_elder' = any(s.categories)) as group_left_behind_elder,
                count(*) filter (where s.paired) as paired,
                count(*) filter (where s.elder_checked) as elders_checked,
                count(*) filter (where s.woman_screened) as women_screened,
                count(*) filter (where s.years between 6 and 15) as school_compulsory,
                count(*) filter (where s.years between 6 and 15 and s.in_school) as school_compulsory_enrolled,
                count(*) filter (where s.in_cohort) as school_cohort,
                count(*) filter (where s.in_cohort and s.in_school) as school_retained,
                count(*) filter (where s.years between 3 and 5) as school_preschool,
                count(*) filter (where s.years between 3 and 5 and s.in_school) as school_preschool_enrolled
            from schooling s
            group by s.unit_id
        ),
        -- Obligations exist only for active people (an exit deletes them).
        visits as (
            select o.unit_id,
                count(*) filter (where o.rule_key = 'daily_knock') as knock_due,
                count(*) filter (where o.rule_key = 'cadre_weekly') as cadre_due
            from visit_obligation o where o.unit_id = any(p_ids) and o.rule_key in ('daily_knock', 'cadre_weekly')
            group by o.unit_id
        ),
        relief as (
            select c.unit_id,
                count(*) filter (where c.state in ('submitted', 'village_reviewed')) as relief_awaiting_decision,
                count(*) filter (where c.state in ('approved')) as relief_approved_unpaid,
                count(*) filter (where c.decided_at is not null and c.decided_at >= year_start) as relief_decided_this_year,
                count(*) filter (where c.decided_at is not null and c.decided_at >= year_start and c.decided_at <= c.decision_due_at)
                    as relief_decided_in_time_this_year
            from relief_case c where c.unit_id = any(p_ids)
            group by c.unit_id
        ),
        -- Legal aid as `/v1/legal-aid/indicators` counts it, for cases opened this year.
        legal as (
            select k.unit_id,
                count(*) filter (where d.involves_left_behind_child and d.decision = 'eligible'
                    and (d.outcome is distinct from 'withdrawn' or d.assigned_at is not null)) as legal_child_eligible_this_year,
                count(*) filter (where d.involves_left_behind_child and d.decision = 'eligible' and d.assigned_at is not null)
                    as legal_child_aided_this_year
            from legal_case k join legal_case_detail d on d.case_id = k.id
            where k.unit_id = any(p_ids) and k.opened_at >= year_start
            group by k.unit_id
        )
        select i.id, coalesce(c.version, -1), coalesce((
            select jsonb_object_agg(m.metric, m.value) from (values
                ('persons', pe.persons), ('complete', pe.complete), ('children', pe.children), ('children_guarded', pe.children_guarded),
                ('children_confirmed', pe.children_confirmed), ('group_left_behind_child', pe.group_left_behind_child),
                ('group_child_in_difficulty', pe.group_child_in_difficulty), ('group_left_behind_woman', pe.group_left_behind_woman),
                ('group_left_behind_elder', pe.group_left_behind_elder), ('paired', pe.paired),
                ('knock_due', v.knock_due), ('cadre_due', v.cadre_due),
                ('elders_checked', pe.elders_checked), ('women_screened', pe.women_screened),
                ('relief_awaiting_decision', rc.relief_awaiting_decision), ('relief_approved_unpaid', rc.relief_approved_unpaid),
                ('relief_decided_this_year', rc.relief_decided_this_year), ('relief_decided_in_time_this_year', rc.relief_decided_in_time_this_year),
                ('legal_child_eligible_this_year', l.legal_child_eligible_this_year), ('legal_child_aided_this_year', l.legal_child_aided_this_year),
                ('school_compulsory', pe.school_compulsory), ('school_compulsory_enrolled', pe.school_compulsory_enrolled),
                ('school_cohort', pe.school_cohort), ('school_retained', pe.school_retained),
                ('school_preschool', pe.school_preschool), ('school_preschool_enrolled', pe.school_preschool_enrolled)
            ) as m(metric, value) where m.value > 0), '{}'::jsonb)
        from unnest(p_ids) i (id)
        left join dashboard_leaf_cache c on c.unit_id = i.id
        left join people pe on pe.unit_id = i.id
        left join visits v on v.unit_id = i.id
        left join relief rc on rc.unit_id = i.id
        left join legal l on l.unit_id = i.id;
    end
    $$;
revoke all on function dashboard_leaf_compute(uuid[]) from public;

-- The metrics of every unit under `p_root` (no scope check: callers check): cached counts
-- (recounted and stored for units whose cache is stale) plus the live ones.
create or replace function dashboard_counts_under(p_root ltree)
    returns table (unit_id uuid, unit_path ltree, metric text, value bigint)
    language plpgsql volatile security definer set search_path = public, pg_temp
    as $$
    declare
        today date := (now() at time zone 'Asia/Shanghai')::date;
        ids uuid[] := array(select u.id from org_unit u where u.path <@ p_root);
        -- Units this transaction wrote to (null: none), read once.
        mine uuid[] := dashboard_leaf_touched();
        stale uuid[];
        fresh jsonb;
        counted jsonb;
    begin
        -- One statement: the stored counts and the stale units as of the same moment.
        -- (A unit without a cache row, e.g. one inserted with triggers off, is counted every time.)
        select coalesce(jsonb_object_agg(c.unit_id, c.counts) filter (where c.counts is not null and c.day = today
                                                  and not i.id = any (coalesce(mine, '{}'))), '{}'),
               coalesce(array_agg(i.id) filter (where c.counts is null or c.day is distinct from today
                                                or i.id = any (coalesce(mine, '{}'))), '{}')
            into fresh, stale
            from unnest(ids) i (id) left join dashboard_leaf_cache c on c.unit_id = i.id;
        if cardinality(stale) > 0 then
            -- Count first (no locks held while counting), then store in a short statement.
            select coalesce(jsonb_agg(jsonb_build_object('unit', k.unit_id, 'version', k.version, 'counts', k.counts)), '[]')
                into counted from dashboard_leaf_compute(stale) k;
            select fresh || coalesce(jsonb_object_agg(e ->> 'unit', e -> 'counts'), '{}') into fresh from jsonb_array_elements(counted) e;
            -- A transaction that has written dashboard sources counts but never stores (its own
            -- changes are not committed yet, and its locks would meet writers' commit-time bumps).
            if current_setting('transaction_read_only') = 'off' and mine is null then
                -- Store only where the row is free now (never wait for a writer's commit) and still
                -- at the version counted (else a write committed since has made the count stale again).
                with k as (
                    select (e ->> 'unit')::uuid as unit_id, (e ->> 'version')::bigint as version, e -> 'counts' as counts
                    from jsonb_array_elements(counted) e
                ),
                free as (
                    select c.unit_id, c.version from dashboard_leaf_cache c
                    where c.unit_id = any (stale)
                    order by c.unit_id for update skip locked
                )
                update dashboard_leaf_cache c set counts = k.counts, day = today
                from k join free f on f.unit_id = k.unit_id and f.version = k.version
                where c.unit_id = k.unit_id;
            end if;
        end if;
        return query
        with cached as (select e.key::uuid as unit_id, e.value as counts from jsonb_each(fresh) e),
        overdue as (
            select o.unit_id,
                count(*) filter (where o.rule_key = 'daily_knock') as knock_overdue,
                count(*) filter (where o.rule_key = 'cadre_weekly') as cadre_overdue
            from visit_obligation o
            where o.unit_id = any(ids) and o.rule_key in ('daily_knock', 'cadre_weekly') and o.next_due_at <= now()
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
        relief_late as (
            select c.unit_id, count(*) as relief_overdue
            from relief_case c where c.unit_id = any(ids) and c.state in ('submitted', 'village_reviewed') and c.decision_due_at < now()
            group by c.unit_id
        ),
        live as (
            select k.unit_id, m.metric, m.value
            from cached k
            left join overdue o on o.unit_id = k.unit_id
            left join follow_ups f on f.unit_id = k.unit_id
            left join reports r on r.unit_id = k.unit_id
            left join relief_late rl on rl.unit_id = k.unit_id
            cross join lateral (values
                ('knock_ok', coalesce((k.counts ->> 'knock_due')::bigint, 0) - coalesce(o.knock_overdue, 0)),
                ('cadre_ok', coalesce((k.counts ->> 'cadre_due')::bigint, 0) - coalesce(o.cadre_overdue, 0)),
                ('follow_ups_open_under_7_days', f.follow_ups_open_under_7_days), ('follow_ups_open_7_to_30_days', f.follow_ups_open_7_to_30_days),
                ('follow_ups_open_over_30_days', f.follow_ups_open_over_30_days),
                ('safeguarding_unacknowledged_under_1_day', r.safeguarding_unacknowledged_under_1_day),
                ('safeguarding_unacknowledged_1_to_7_days', r.safeguarding_unacknowledged_1_to_7_days),
                ('safeguarding_unacknowledged_over_7_days', r.safeguarding_unacknowledged_over_7_days),
                ('relief_overdue', rl.relief_overdue)
            ) as m(metric, value)
            where m.value > 0
        )
        select u.id, u.path, x.metric, x.value
        from (select k.unit_id, e.key as metric, (e.value #>> '{}')::bigint as value from cached k cross join lateral jsonb_each(k.counts) e
              union all
              select l.unit_id, l.metric, l.value from live l) x
        join org_unit u on u.id = x.unit_id;
    end
    $$;

-- The caller-facing entry point now may store counts, so it is volatile too.
create or replace function dashboard_leaf_counts(p_unit uuid)
    returns table (unit_id uuid, unit_path text, metric text, value bigint)
    language plpgsql volatile security definer set search_path = public, pg_temp
    as $$
    declare
        root ltree;
    begin
        select u.path into root from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for('person_area');
        if root is null then
            return;
        end if;
        -- Legal-aid counts only for those who may read legal aid there (a count of one in a grid
        -- would point at a child's case).
        return query select c.unit_id, c.unit_path::text, c.metric, c.value from dashboard_counts_under(root) c
            where c.metric not like 'legal\_%' or root <@ liushou_scope_for('legal_aid');
    end
    $$;

-- Weekly counts as in 0010, with the same rule for legal-aid counts.
create or replace function dashboard_trend(p_unit uuid, p_weeks integer)
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
              and (s.metric not like 'legal\_%' or root <@ liushou_scope_for('legal_aid'))
            group by s.week_start, s.metric
            order by s.week_start;
    end
    $$;
