-- Health records: checkups uploaded by clinics (卫生院, 村卫生室), each person's health file, the
-- checkup rules that say what is due, and the follow-ups a finding opens.
--
-- Clinical details (measurements, diagnoses, findings, chronic conditions, allergies) are read only
-- by staff of a clinic serving the person's village — the town's 卫生院 serves the town's villages,
-- so its staff are the town's health officers. Everyone else who may see the person gets the
-- summary ("checked on <date>, follow-up needed yes/no") from `health_summary`, never the details.

create table checkup (
    id uuid primary key,
    person_id uuid not null references person (id),
    clinic_id uuid not null references org_unit (id),
    -- The clinic's own record id: re-uploads of the same record are recognised by it.
    record_id text not null check (length(record_id) between 1 and 64),
    checked_on date not null,
    kind text not null check (kind in ('elder_annual', 'child_health', 'women_screening', 'free_clinic', 'follow_up')),
    -- {"systolic": {"value": 135, "unit": "mmHg"}, ...}; plausibility is checked before insert.
    measurements jsonb not null default '{}',
    diagnoses text[] not null default '{}',
    findings text check (length(findings) <= 4000),
    follow_up_needed boolean not null,
    clinician text not null check (length(btrim(clinician)) between 1 and 50),
    content_hash bytea not null,
    recorded_by uuid not null references account (id),
    received_at timestamptz not null default now()
);
create unique index checkup_clinic_record on checkup (clinic_id, record_id);
create index checkup_person on checkup (person_id, kind, checked_on desc);
create index checkup_checked_on on checkup (checked_on, kind);

-- The standing part of a person's health file (clinic-maintained).
create table health_file (
    person_id uuid primary key references person (id),
    chronic_conditions text[] not null default '{}',
    allergies text[] not null default '{}',
    notes text check (length(notes) <= 2000),
    version integer not null default 1,
    updated_by uuid references account (id),
    updated_at timestamptz not null default now()
);

-- What is due: which people need which kind of checkup how often. Defaults (unit_id null) from
-- the work plans; a county, town or village overrides a key for its subtree.
create table checkup_rule (
    id uuid primary key,
    unit_id uuid references org_unit (id),
    key text not null check (key ~ '^[a-z_]{3,40}$'),
    description text not null,
    categories text[] not null,
    kind text not null check (kind in ('elder_annual', 'child_health', 'women_screening', 'free_clinic', 'follow_up')),
    cadence interval not null check (cadence >= interval '1 day'),
    active boolean not null default true
);
create unique index checkup_rule_key on checkup_rule (coalesce(unit_id, '00000000-0000-0000-0000-000000000000'::uuid), key);
insert into checkup_rule (id, unit_id, key, description, categories, kind, cadence) values
    ('7c2d0e1f-0001-4000-8000-000000000001', null, 'elder_yearly', '留守老人每年一次健康体检', array['left_behind_elder'], 'elder_annual', interval '1 year'),
    ('7c2d0e1f-0001-4000-8000-000000000002', null, 'child_yearly', '留守儿童每年一次健康检查', array['left_behind_child', 'child_in_difficulty'],
     'child_health', interval '1 year'),
    ('7c2d0e1f-0001-4000-8000-000000000003', null, 'women_screening', '留守妇女“两癌”筛查', array['left_behind_woman'], 'women_screening',
     interval '1 year');

-- Whether a clinic the caller is staff of serves the person's village.
create function liushou_person_served_by_my_clinic(p_person uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from person p join clinic_service_area a on a.village_id = p.village_id
                       join org_unit c on c.id = a.clinic_id
                       where p.id = p_person and c.path <@ liushou_scope_for('clinic'));
    end
    $$;
revoke all on function liushou_person_served_by_my_clinic(uuid) from public;
grant execute on function liushou_person_served_by_my_clinic(uuid) to liushou_app;

alter table checkup enable row level security;
create policy checkup_read on checkup for select using (liushou_person_served_by_my_clinic(person_id));
create policy checkup_insert on checkup for insert
    with check (recorded_by = liushou_account() and liushou_person_served_by_my_clinic(person_id)
        and exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id join person p on p.village_id = a.village_id
                    where a.clinic_id = checkup.clinic_id and p.id = checkup.person_id and c.path <@ liushou_scope_for('clinic')));

alter table health_file enable row level security;
create policy health_file_read on health_file for select using (liushou_person_served_by_my_clinic(person_id));
create policy health_file_insert on health_file for insert with check (liushou_person_served_by_my_clinic(person_id));
create policy health_file_update on health_file for update
    using (liushou_person_served_by_my_clinic(person_id)) with check (liushou_person_served_by_my_clinic(person_id));

alter table checkup_rule enable row level security;
create policy checkup_rule_read on checkup_rule for select using (true);

grant select, insert on checkup to liushou_app;
grant select, insert, update on health_file to liushou_app;
grant select on checkup_rule to liushou_app;

-- The rules in force for a person: per key, the definition set deepest among the person's unit's
-- ancestors (else the default), if active and the person is in one of its categories.
create function checkup_rules_for(p_person uuid)
    returns table (key text, description text, kind text, cadence interval)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
        unit_path ltree;
    begin
        select * into p from person where id = p_person;
        if not found or not liushou_person_visible(p.id, p.unit_id, p.village_id, p.school_id) then
            return;
        end if;
        select u.path into unit_path from org_unit u where u.id = p.unit_id;
        return query
            select r.key, r.description, r.kind, r.cadence
            from (select distinct on (r.key) r.* from checkup_rule r left join org_unit u on u.id = r.unit_id
                  where r.unit_id is null or unit_path <@ u.path
                  order by r.key, nlevel(u.path) desc nulls last) r
            where r.active and r.categories && p.categories
            order by r.key;
    end
    $$;
revoke all on function checkup_rules_for(uuid) from public;
grant execute on function checkup_rules_for(uuid) to liushou_app;

-- The summary anyone who may see the person gets: per kind, the last checkup's date and whether it
-- asked for a follow-up. No measurements, diagnoses or findings.
create function health_summary(p_person uuid)
    returns table (kind text, last_checked_on date, follow_up_needed boolean, checkups bigint)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
    begin
        select * into p from person where id = p_person;
        if not found or not liushou_person_visible(p.id, p.unit_id, p.village_id, p.school_id) then
            return;
        end if;
        return query
            select distinct on (c.kind) c.kind, c.checked_on, c.follow_up_needed, count(*) over (partition by c.kind)
            from checkup c where c.person_id = p_person
            order by c.kind, c.checked_on desc, c.received_at desc;
    end
    $$;
revoke all on function health_summary(uuid) from public;
grant execute on function health_summary(uuid) to liushou_app;

-- Follow-ups now also come from checkups: a finding that needs follow-up opens one for the clinic
-- and one for the village cadre (who sees only that a health follow-up is open).
alter table follow_up alter column check_id drop not null;
alter table follow_up add column checkup_id uuid references checkup (id);
alter table follow_up add constraint follow_up_one_source check ((check_id is null) <> (checkup_id is null));
drop policy follow_up_insert on follow_up;
create policy follow_up_insert on follow_up for insert
    with check (status = 'open' and (
        (check_id is not null and routed_role = follow_up_role(need)
         and exists (select from door_check c where c.id = check_id and c.unit_id = follow_up.unit_id
             and c.person_id is not distinct from follow_up.person_id and c.household_id is not distinct from follow_up.household_id))
        or (checkup_id is not null and need = 'health' and routed_role in ('clinic_staff', 'village_cadre')
            and exists (select from checkup c where c.id = checkup_id and c.person_id = follow_up.person_id)
            and follow_up.unit_id = liushou_person_unit(follow_up.person_id))));

-- Records checkups (a JSON array of rows already checked and matched to persons by the caller):
-- inserts the new ones, answers each row (by the id given to it) with created / duplicate / conflict, opens
-- follow-ups and adds timeline events (data-modifying CTEs always run to completion). Runs as the
-- caller: row-level security applies.
create type checkup_input as (id uuid, person_id uuid, clinic_id uuid, record_id text, checked_on date, kind text, measurements jsonb,
    diagnoses text[], findings text, follow_up_needed boolean, clinician text, content_hash text, summary text, account_name text);

create function checkups_record(p_rows jsonb)
    returns table (input_id uuid, id uuid, status text)
    language plpgsql
    as $$
    declare
        input checkup_input[] := array(select r from jsonb_populate_recordset(null::checkup_input, p_rows) r);
        created uuid[];
    begin
        with inserted as (
            insert into checkup (id, person_id, clinic_id, record_id, checked_on, kind, measurements, diagnoses, findings, follow_up_needed,
                clinician, content_hash, recorded_by)
            select i.id, i.person_id, i.clinic_id, i.record_id, i.checked_on, i.kind, coalesce(i.measurements, '{}'), coalesce(i.diagnoses, '{}'),
                i.findings, i.follow_up_needed, i.clinician, decode(i.content_hash, 'hex'), liushou_account()
            from unnest(input) i
            on conflict (clinic_id, record_id) do nothing
            returning checkup.id
        )
        select coalesce(array_agg(inserted.id), '{}') into created from inserted;
        -- Separate statements: a policy's subquery sees only rows of earlier statements.
        insert into follow_up (id, check_id, checkup_id, person_id, unit_id, need, routed_role, status)
        select gen_random_uuid(), null, i.id, i.person_id, liushou_person_unit(i.person_id), 'health', r.role, 'open'
        from unnest(input) i join unnest(created) n(id) on n.id = i.id cross join (values ('clinic_staff'), ('village_cadre')) as r(role)
        where i.follow_up_needed;
        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
        select gen_random_uuid(), i.person_id, 'health', 'checkup', i.summary, i.account_name, i.id::text
        from unnest(input) i join unnest(created) n(id) on n.id = i.id;
        return query
            select i.id, coalesce(n.id, c.id),
                case when n.id is not null then 'created'
                     when encode(c.content_hash, 'hex') = i.content_hash then 'duplicate'
                     else 'conflict' end
            from unnest(input) i
            left join (select c.id from unnest(created) c(id)) n on n.id = i.id
            left join checkup c on n.id is null and c.clinic_id = i.clinic_id and c.record_id = i.record_id;
    end
    $$;
grant execute on function checkups_record(jsonb) to liushou_app;

-- Checkup coverage for a unit and its child units (runs as definer; callable only for a unit in
-- the caller's person area): active elders with any checkup in the last 12 months ÷ active elders,
-- active left-behind women screened (women_screening) in the last 12 months ÷ such women.
create function health_coverage(p_unit uuid)
    returns table (unit_id uuid, unit_name text, elders bigint, elders_checked bigint, women bigint, women_screened bigint)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        root ltree;
        since date := (now() at time zone 'Asia/Shanghai')::date - interval '12 months';
    begin
        select u.path into root from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for('person_area');
        if root is null then
            return;
        end if;
        return query
            with units as (
                select u.id, u.name, u.path from org_unit u where u.id = p_unit
                union all
                select c.id, c.name, c.path from org_unit c where c.parent_id = p_unit and c.active and c.kind in ('town', 'village', 'grid')
            ),
            people as (
                select pu.path, 'left_behind_elder' = any(p.categories) as elder, 'left_behind_woman' = any(p.categories) as woman,
                    exists (select from checkup c where c.person_id = p.id and c.checked_on >= since) as checked,
                    exists (select from checkup c where c.person_id = p.id and c.kind = 'women_screening' and c.checked_on >= since) as screened
                from person p join org_unit pu on pu.id = p.unit_id
                where p.status = 'active' and pu.path <@ root and p.categories && array['left_behind_elder', 'left_behind_woman']
            )
            select u.id, u.name,
                count(pe.path) filter (where pe.elder), count(pe.path) filter (where pe.elder and pe.checked),
                count(pe.path) filter (where pe.woman), count(pe.path) filter (where pe.woman and pe.screened)
            from units u left join people pe on pe.path <@ u.path
            group by u.id, u.name, u.path
            order by u.path = root desc, u.name;
    end
    $$;
revoke all on function health_coverage(uuid) from public;
grant execute on function health_coverage(uuid) to liushou_app;
