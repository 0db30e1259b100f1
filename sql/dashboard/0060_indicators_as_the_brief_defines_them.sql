-- The joint meeting's indicators as the domain brief defines them (stop 52's review).
--
-- * A left-behind child is counted as a child until 16 and a child in difficulty until 18, by
--   today's age (China time). A file's category stays open until someone exits it, so a left-behind
--   child who turned 16 last month was still in the guardian and confirmation denominators and in
--   the group count; the validator lets a child category stay open to 17 for children in difficulty.
-- * A visit is overdue once its due time has passed (`next_due_at < now()`), as the obligations,
--   the overdue list and the alerts have always said; the dashboard alone counted the due instant.
-- * Open follow-ups count needs: a checkup's finding or a school's alert is routed to two roles as
--   two rows and was counted twice. A need is open while either row is, aged from the first.
--
-- Both functions are 0011's otherwise, statement for statement. Counts cached today were counted
-- by the old rules, so every unit is recounted at its next read.

create or replace function dashboard_leaf_compute(p_ids uuid[])
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
                -- A left-behind child until 16, a child in difficulty until 18, by today's age.
                ('left_behind_child' = any(p.categories) and (p.birth_date is null or p.birth_date > today - interval '16 years'))
                    as left_behind_child,
                ('child_in_difficulty' = any(p.categories) and (p.birth_date is null or p.birth_date > today - interval '18 years'))
                    as child_in_difficulty,
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
                count(*) filter (where s.left_behind_child or s.child_in_difficulty) as children,
                count(*) filter (where (s.left_behind_child or s.child_in_difficulty) and s.guarded) as children_guarded,
                count(*) filter (where (s.left_behind_child or s.child_in_difficulty) and s.confirmed) as children_confirmed,
                count(*) filter (where s.left_behind_child) as group_left_behind_child,
                count(*) filter (where s.child_in_difficulty) as group_child_in_difficulty,
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
            where o.unit_id = any(ids) and o.rule_key in ('daily_knock', 'cadre_weekly') and o.next_due_at < now()
            group by o.unit_id
        ),
        follow_ups as (
            select f.unit_id,
                count(*) filter (where f.opened_at > now() - interval '7 days') as follow_ups_open_under_7_days,
                count(*) filter (where f.opened_at <= now() - interval '7 days' and f.opened_at > now() - interval '30 days')
                    as follow_ups_open_7_to_30_days,
                count(*) filter (where f.opened_at <= now() - interval '30 days') as follow_ups_open_over_30_days
            from (
                -- A need routed to two roles (a checkup's finding, a school's alert) is one need,
                -- open while either's row is.
                select f.unit_id, min(f.opened_at) as opened_at
                from follow_up f where f.status = 'open' and f.unit_id = any(ids)
                group by f.unit_id, coalesce(f.check_id, f.checkup_id, f.school_status_change_id), f.need, f.person_id, f.household_id
            ) f
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


update dashboard_leaf_cache set day = null;
