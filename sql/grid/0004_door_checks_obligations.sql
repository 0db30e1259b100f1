-- Grid administration: door checks (登门 / 敲门 / 走访), visit rules and each person's obligations,
-- follow-ups of needs found, and mandatory safeguarding reports (强制报告).
--
-- Obligations are kept current as data changes, never recomputed from the history of checks:
--   * a person's obligations are rebuilt when the person is filed or changes group, risk, unit or status;
--   * a rule change rebuilds them for the people under the rule's unit;
--   * a check moves the satisfied obligations' last check and next due time forward.

-- Which row scope a safeguarding report is read in: the town's supervisor and administrators.
-- (liushou.scope.safeguarding is set per transaction like the registry's scopes.)

create table visit_rule (
    id uuid primary key,
    -- NULL: the platform default; else the county, town or village that sets (or switches off) the rule below it.
    unit_id uuid references org_unit (id),
    rule_key text not null check (rule_key ~ '^[a-z0-9_]{2,40}$'),
    description text not null check (length(btrim(description)) between 1 and 200),
    categories text[] not null check (categories <@ array['left_behind_child', 'child_in_difficulty', 'left_behind_woman', 'left_behind_elder']),
    -- NULL: any risk level.
    risk_levels text[] check (risk_levels <@ array['normal', 'attention', 'high']),
    check_kinds text[] not null check (cardinality(check_kinds) > 0
        and check_kinds <@ array['cadre_visit', 'grid_knock', 'volunteer_visit', 'teacher_home_visit']),
    cadence interval not null check (cadence >= interval '1 hour' and cadence <= interval '366 days'),
    -- An override with active = false switches the rule off below its unit.
    active boolean not null default true,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index visit_rule_key on visit_rule (coalesce(unit_id, '00000000-0000-0000-0000-000000000000'::uuid), rule_key);

-- Defaults from policy and the work plans.
insert into visit_rule (id, unit_id, rule_key, description, categories, risk_levels, check_kinds, cadence) values
    ('6a1b0c9e-0001-4000-8000-000000000001', null, 'cadre_weekly', '村干部每周一登门',
     array['left_behind_child', 'child_in_difficulty', 'left_behind_woman', 'left_behind_elder'], null, array['cadre_visit'], interval '7 days'),
    ('6a1b0c9e-0001-4000-8000-000000000002', null, 'daily_knock', '网格员或志愿者每天一敲门',
     array['left_behind_child', 'child_in_difficulty', 'left_behind_woman', 'left_behind_elder'], null,
     array['grid_knock', 'volunteer_visit'], interval '1 day'),
    ('6a1b0c9e-0001-4000-8000-000000000003', null, 'elder_high_risk', '高风险老人至少每周探访',
     array['left_behind_elder'], array['high'], array['cadre_visit', 'grid_knock', 'volunteer_visit'], interval '7 days'),
    ('6a1b0c9e-0001-4000-8000-000000000004', null, 'elder_priority', '重点老人至少每月探访',
     array['left_behind_elder'], array['attention'], array['cadre_visit', 'grid_knock', 'volunteer_visit'], interval '30 days'),
    ('6a1b0c9e-0001-4000-8000-000000000005', null, 'elder_other', '其他留守老人至少每季度探访',
     array['left_behind_elder'], array['normal'], array['cadre_visit', 'grid_knock', 'volunteer_visit'], interval '90 days');

create table visit_obligation (
    person_id uuid not null references person (id),
    rule_key text not null,
    rule_id uuid not null references visit_rule (id),
    unit_id uuid not null references org_unit (id),
    -- The unit's path, copied so overdue lists and row-level security filter without a join
    -- (rebuilt by visit_obligations_refresh_under after a unit moves).
    unit_path ltree not null,
    check_kinds text[] not null,
    cadence interval not null,
    last_check_id uuid,
    last_check_at timestamptz,
    next_due_at timestamptz not null,
    primary key (person_id, rule_key)
);
-- Overdue lists walk this index in order and stop at their limit.
create index visit_obligation_due on visit_obligation (next_due_at, person_id, rule_key);
create index visit_obligation_unit on visit_obligation using gist (unit_path);

create table door_check (
    id uuid primary key,
    person_id uuid references person (id),
    household_id uuid references household (id),
    unit_id uuid not null references org_unit (id),
    visitor_account_id uuid not null references account (id),
    visitor_name text not null,
    visitor_role text not null,
    occurred_at timestamptz not null,
    received_at timestamptz not null default now(),
    channel text not null check (channel in ('in_person', 'phone', 'video')),
    kind text not null check (kind in ('cadre_visit', 'grid_knock', 'volunteer_visit', 'teacher_home_visit')),
    outcome text not null check (outcome in ('all_well', 'needs_follow_up', 'urgent')),
    needs text[] not null check (needs <@ array['daily_life', 'health', 'study', 'legal', 'psychological', 'safety']),
    notes text check (length(notes) <= 2000),
    latitude double precision check (latitude between -90 and 90),
    longitude double precision check (longitude between -180 and 180),
    -- SHA-256 of the client's content: a retried upload with the same id is a duplicate only if equal.
    content_hash bytea not null,
    check ((person_id is null) <> (household_id is null)),
    -- Each kind of check is made by its own roles.
    check ((kind = 'cadre_visit' and visitor_role in ('village_cadre', 'child_welfare_supervisor', 'town_admin', 'county_admin'))
        or (kind = 'grid_knock' and visitor_role in ('grid_worker', 'village_cadre'))
        or (kind = 'volunteer_visit' and visitor_role = 'volunteer')
        or (kind = 'teacher_home_visit' and visitor_role = 'school_staff'))
);
create index door_check_person on door_check (person_id, occurred_at desc) where person_id is not null;
create index door_check_household on door_check (household_id, occurred_at desc) where household_id is not null;
create index door_check_unit on door_check (unit_id, occurred_at desc);

create table follow_up (
    id uuid primary key,
    check_id uuid not null references door_check (id),
    person_id uuid references person (id),
    household_id uuid references household (id),
    unit_id uuid not null references org_unit (id),
    need text not null,
    routed_role text not null,
    status text not null check (status in ('open', 'resolved')),
    opened_at timestamptz not null default now(),
    resolved_at timestamptz,
    resolved_by uuid references account (id),
    resolution text,
    version integer not null default 1,
    check ((status = 'resolved') = (resolved_at is not null and resolution is not null))
);
create index follow_up_open on follow_up (unit_id, opened_at) where status = 'open';
create index follow_up_person on follow_up (person_id);

create table safeguarding_report (
    id uuid primary key,
    person_id uuid references person (id),
    unit_id uuid not null references org_unit (id),
    kind text not null check (kind in ('living_alone', 'missing', 'guardian_incapable', 'neglect', 'violence', 'injury')),
    details text not null check (length(btrim(details)) between 1 and 4000),
    reported_by uuid not null references account (id),
    reporter_name text not null,
    reported_at timestamptz not null default now(),
    police_notified_at timestamptz,
    police_notified_by uuid references account (id),
    police_reference text,
    acknowledged_at timestamptz,
    acknowledged_by uuid references account (id),
    version integer not null default 1
);
create index safeguarding_open on safeguarding_report (unit_id, reported_at) where acknowledged_at is null;

-- Where a household has lived: every move between grids of its village.
create table household_move (
    id bigint generated always as identity primary key,
    household_id uuid not null references household (id),
    from_unit_id uuid not null references org_unit (id),
    to_unit_id uuid not null references org_unit (id),
    moved_at timestamptz not null default now(),
    moved_by uuid references account (id),
    moved_by_name text
);
create index household_move_household on household_move (household_id, id desc);

-- The role a need is routed to.
create function follow_up_role(p_need text) returns text
    language sql immutable
    as $$
        select case p_need
            when 'daily_life' then 'relief_officer'
            when 'health' then 'clinic_staff'
            when 'study' then 'school_staff'
            when 'legal' then 'legal_aid_officer'
            when 'psychological' then 'child_welfare_supervisor'
            else 'village_cadre'
        end
    $$;

-- Rebuilds one person's obligations from the effective rules: for each rule key the definition set
-- deepest among the person's unit's ancestors (a village's override beats its town's, which beats
-- the county's, which beats the default). Keeps the last check of obligations that remain.
create function visit_obligations_refresh(p_person uuid) returns void
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
            -- A new obligation starts from the person's latest check of a kind that satisfies it, else from now.
            select c.id, c.occurred_at into v_last_id, v_last_at from door_check c
                where c.person_id = p.id and c.kind = any (r.check_kinds) order by c.occurred_at desc limit 1;
            insert into visit_obligation as o (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_id,
                last_check_at, next_due_at)
            values (p.id, r.rule_key, r.id, p.unit_id, v_path, r.check_kinds, r.cadence, v_last_id, v_last_at,
                coalesce(v_last_at, greatest(p.created_at, now())) + r.cadence)
            on conflict (person_id, rule_key) do update
                set rule_id = excluded.rule_id, unit_id = excluded.unit_id, unit_path = excluded.unit_path, check_kinds = excluded.check_kinds,
                    cadence = excluded.cadence,
                    next_due_at = coalesce(o.last_check_at, excluded.last_check_at, greatest(p.created_at, now())) + excluded.cadence,
                    last_check_id = coalesce(o.last_check_id, excluded.last_check_id),
                    last_check_at = coalesce(o.last_check_at, excluded.last_check_at);
        end loop;
        delete from visit_obligation where person_id = p_person and rule_key <> all (v_keys);
    end
    $$;

create function visit_obligations_person_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform visit_obligations_refresh(new.id);
        return null;
    end
    $$;
create trigger person_visit_obligations after insert or update of status, categories, risk_level, unit_id on person
    for each row execute function visit_obligations_person_changed();

-- Rebuilds the obligations of everyone under a unit (all people for a default rule) after a rule change.
create function visit_obligations_refresh_under(p_unit uuid) returns integer
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_count integer := 0;
        v_person uuid;
    begin
        -- A caller's transaction (it names an account) may refresh only under a unit where the caller
        -- sets visit rules; the migration (no caller) refreshes everything.
        if coalesce(current_setting('liushou.account_id', true), '') <> ''
            and (p_unit is null or not liushou_unit_in_scope(p_unit, 'visit_rules')) then
            raise exception 'visit obligations can be refreshed only under a unit whose rules the caller sets' using errcode = '42501';
        end if;
        for v_person in
            select p.id from person p join org_unit u on u.id = p.unit_id
            where p.status = 'active'
              and (p_unit is null or u.path <@ (select path from org_unit where id = p_unit))
        loop
            perform visit_obligations_refresh(v_person);
            v_count := v_count + 1;
        end loop;
        return v_count;
    end
    $$;

-- Moves forward the obligations a stored check satisfies (the check's person, or every active member
-- of its household). Acts only on a check that exists, so it cannot be used to fake a visit.
create function visit_obligations_satisfy(p_check uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        c door_check%rowtype;
    begin
        select * into c from door_check where id = p_check;
        if not found then
            return;
        end if;
        if c.person_id is not null then
            update visit_obligation o
                set last_check_id = c.id, last_check_at = c.occurred_at, next_due_at = c.occurred_at + o.cadence
                where o.person_id = c.person_id and c.kind = any (o.check_kinds)
                  and (o.last_check_at is null or o.last_check_at < c.occurred_at);
        else
            update visit_obligation o
                set last_check_id = c.id, last_check_at = c.occurred_at, next_due_at = c.occurred_at + o.cadence
                where o.person_id in (select m.id from person m where m.household_id = c.household_id and m.status = 'active')
                  and c.kind = any (o.check_kinds) and (o.last_check_at is null or o.last_check_at < c.occurred_at);
        end if;
    end
    $$;

-- Records door checks given as a JSON array (one round trip for one check or a batch of 1,000).
-- Runs as the caller: row-level security decides what may be inserted. Each item answers
-- created, duplicate (same id, same content) or conflict (same id, different content).
create function door_checks_record(p_items jsonb)
    returns table (id uuid, status text)
    language plpgsql
    as $$
    #variable_conflict use_column
    declare
        item jsonb;
        v_id uuid;
        v_hash bytea;
        v_need text;
        v_member uuid;
    begin
        for item in select * from jsonb_array_elements(p_items)
        loop
            v_id := null;
            insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at,
                channel, kind, outcome, needs, notes, latitude, longitude, content_hash)
            values ((item->>'id')::uuid, (item->>'personId')::uuid, (item->>'householdId')::uuid, (item->>'unitId')::uuid,
                (item->>'visitorAccountId')::uuid, item->>'visitorName', item->>'visitorRole', (item->>'occurredAt')::timestamptz,
                item->>'channel', item->>'kind', item->>'outcome',
                array(select jsonb_array_elements_text(item->'needs')), item->>'notes',
                (item->>'latitude')::double precision, (item->>'longitude')::double precision, decode(item->>'contentHash', 'hex'))
            on conflict on constraint door_check_pkey do nothing
            returning door_check.id into v_id;
            if v_id is null then
                select c.content_hash into v_hash from door_check c where c.id = (item->>'id')::uuid;
                id := (item->>'id')::uuid;
                status := case when v_hash = decode(item->>'contentHash', 'hex') then 'duplicate' else 'conflict' end;
                return next;
                continue;
            end if;
            perform visit_obligations_satisfy(v_id);
            for v_member in
                select (item->>'personId')::uuid where item->>'personId' is not null
                union all
                select m.id from person m where item->>'householdId' is not null and m.household_id = (item->>'householdId')::uuid
                    and m.status = 'active'
            loop
                insert into person_event (id, person_id, at, module, kind, summary, account_name, record_id)
                values (gen_random_uuid(), v_member, (item->>'occurredAt')::timestamptz, 'grid', 'door_check.' || (item->>'kind'),
                    item->>'summary', item->>'visitorName', v_id::text);
            end loop;
            if item->>'outcome' <> 'all_well' then
                for v_need in select jsonb_array_elements_text(item->'needs')
                loop
                    insert into follow_up (id, check_id, person_id, household_id, unit_id, need, routed_role, status)
                    values (gen_random_uuid(), v_id, (item->>'personId')::uuid, (item->>'householdId')::uuid, (item->>'unitId')::uuid,
                        v_need, follow_up_role(v_need), 'open');
                end loop;
            end if;
            id := v_id;
            status := 'created';
            return next;
        end loop;
    end
    $$;

-- Whether a unit is a village or grid of a county the caller holds any grant in.
create function liushou_unit_in_my_county(p_unit uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (
            select from org_unit u, unnest(liushou_scope()) as s (path)
            where u.id = p_unit and u.kind in ('village', 'grid') and u.active and subpath(s.path, 0, 1) = subpath(u.path, 0, 1));
    end
    $$;
revoke all on function liushou_unit_in_my_county(uuid) from public;
grant execute on function liushou_unit_in_my_county(uuid) to liushou_app;

-- Row-level security.
alter table visit_rule enable row level security;
-- Rules are read where they apply: defaults, rules of units in scope, and rules of their ancestors.
create policy visit_rule_read on visit_rule for select
    using (unit_id is null or exists (select from org_unit u where u.id = unit_id)
        or exists (select from liushou_unit_brief(unit_id) b where b.path::ltree @> any (liushou_scope())));
create policy visit_rule_insert on visit_rule for insert with check (liushou_unit_in_scope(unit_id, 'visit_rules'));
create policy visit_rule_update on visit_rule for update
    using (liushou_unit_in_scope(unit_id, 'visit_rules')) with check (liushou_unit_in_scope(unit_id, 'visit_rules'));

alter table visit_obligation enable row level security;
create policy visit_obligation_read on visit_obligation for select
    using (unit_path <@ liushou_scope_for('person_area') or exists (select from person p where p.id = person_id));

-- A visitor records only their own checks of people (or households) they can see.
alter table door_check enable row level security;
create policy door_check_read on door_check for select
    using (visitor_account_id = liushou_account() or liushou_unit_in_scope(unit_id, 'person_area'));
create policy door_check_insert on door_check for insert
    with check (visitor_account_id = liushou_account()
        and occurred_at <= now() + interval '10 minutes' and received_at >= now() - interval '1 minute'
        and exists (select from role_grant g where g.account_id = liushou_account() and g.role = visitor_role and g.revoked_at is null)
        and (exists (select from person p where p.id = person_id and p.unit_id = door_check.unit_id and p.status = 'active')
             or exists (select from household h where h.id = household_id and h.unit_id = door_check.unit_id)));

alter table follow_up enable row level security;
create policy follow_up_read on follow_up for select
    using (liushou_unit_in_scope(unit_id, 'person_area') or exists (select from person p where p.id = person_id));
-- A follow-up is opened only by its check, for the check's own person or household and unit.
create policy follow_up_insert on follow_up for insert
    with check (status = 'open' and routed_role = follow_up_role(need)
        and exists (select from door_check c where c.id = check_id and c.unit_id = follow_up.unit_id
            and c.person_id is not distinct from follow_up.person_id and c.household_id is not distinct from follow_up.household_id));
-- Changing one means resolving it, as oneself.
create policy follow_up_update on follow_up for update
    using (liushou_unit_in_scope(unit_id, 'person_area') or exists (select from person p where p.id = person_id))
    with check (status = 'resolved' and resolved_by = liushou_account()
        and (liushou_unit_in_scope(unit_id, 'person_area') or exists (select from person p where p.id = person_id)));

-- Reports are read by the town's supervisor and administrators (and by whoever filed them).
alter table safeguarding_report enable row level security;
create policy safeguarding_read on safeguarding_report for select
    using (liushou_unit_in_scope(unit_id, 'safeguarding') or reported_by = liushou_account());
-- Anyone reports a person they see, or a village or grid of their own county (a doctor or teacher
-- reporting a child who is not on their books); a report starts unacknowledged.
create policy safeguarding_insert on safeguarding_report for insert
    with check (reported_by = liushou_account() and acknowledged_at is null and acknowledged_by is null
        and (exists (select from person p where p.id = person_id and p.unit_id = safeguarding_report.unit_id)
             or (person_id is null and liushou_unit_in_my_county(unit_id))));
create policy safeguarding_update on safeguarding_report for update
    using (liushou_unit_in_scope(unit_id, 'safeguarding')) with check (liushou_unit_in_scope(unit_id, 'safeguarding'));

alter table household_move enable row level security;
create policy household_move_read on household_move for select using (exists (select from household h where h.id = household_id));
create policy household_move_insert on household_move for insert
    with check (liushou_unit_in_scope(from_unit_id, 'person_write') and liushou_unit_in_scope(to_unit_id, 'person_write'));

grant select, insert, update on visit_rule, door_check, follow_up, safeguarding_report to liushou_app;
grant select, insert on household_move to liushou_app;
grant select on visit_obligation to liushou_app;
revoke all on function visit_obligations_refresh(uuid), visit_obligations_refresh_under(uuid), visit_obligations_satisfy(uuid) from public;
grant execute on function visit_obligations_refresh_under(uuid), visit_obligations_satisfy(uuid) to liushou_app;

-- Obligations of the people already filed.
select visit_obligations_refresh_under(null);
