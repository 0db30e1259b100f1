-- Person registry (一人一档): households, person files, their field-level history, the cross-module
-- timeline, and the assignments that let a paired volunteer see a person.
--
-- Visibility is decided by row-level security from per-transaction scopes the data layer sets:
--   liushou.scope.person_area   unit subtrees where the caller sees every file (cadres, officers)
--   liushou.scope.person_write  unit subtrees where the caller may create and change files
--   liushou.scope.school        schools where the caller is staff (sees the children enrolled there)
--   liushou.scope.clinic        clinics where the caller is staff (sees the villages they serve)
--   liushou.account_id          the caller (sees the people assigned to it, e.g. by a pairing)
-- ID numbers are stored sealed (AES-GCM, key outside the database) with a keyed digest for
-- uniqueness and lookup; the database never holds them in clear (nor a masked copy, which with the
-- birth date would give the whole number back).

create function liushou_scope_for(p_name text) returns ltree[]
    language sql stable
    as $$ select coalesce(nullif(current_setting('liushou.scope.' || p_name, true), ''), '{}')::ltree[] $$;

create function liushou_account() returns uuid
    language sql stable
    as $$ select nullif(current_setting('liushou.account_id', true), '')::uuid $$;

create table household (
    id uuid primary key,
    village_id uuid not null references org_unit (id),
    grid_id uuid references org_unit (id),
    unit_id uuid not null references org_unit (id),
    -- The ledger's household number (户编号), unique within a village.
    code text check (length(btrim(code)) between 1 and 40),
    address text not null check (length(btrim(address)) between 1 and 200),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (unit_id = coalesce(grid_id, village_id))
);
create unique index household_code on household (village_id, code) where code is not null;

-- Who may see a person besides the unit's staff: a volunteer paired with them (written by the
-- pairing module), and later any other one-to-one assignment.
create table person_assignment (
    id uuid primary key,
    person_id uuid not null,
    account_id uuid not null references account (id),
    unit_id uuid not null references org_unit (id),
    source text not null check (source ~ '^[a-z_]{3,40}$'),
    source_id uuid,
    started_at timestamptz not null default now(),
    ended_at timestamptz
);
create index person_assignment_account on person_assignment (account_id, person_id) where ended_at is null;
create index person_assignment_person on person_assignment (person_id);

create table person (
    id uuid primary key,
    village_id uuid not null references org_unit (id),
    grid_id uuid references org_unit (id),
    -- The finest unit the person belongs to (grid, else village): the unit scopes are checked on.
    unit_id uuid not null references org_unit (id),
    household_id uuid references household (id),
    name text not null check (length(btrim(name)) between 1 and 50),
    -- Character unigrams and bigrams of the name: substring search of Chinese names by index.
    name_grams text[] not null,
    -- The name lower-cased without any white space (full-width included), for substring checks.
    name_normalised text not null,
    sex text not null check (sex in ('male', 'female')),
    birth_date date not null,
    id_number_sealed bytea,
    id_number_digest bytea,
    categories text[] not null check (categories <@ array['left_behind_child', 'child_in_difficulty', 'left_behind_woman', 'left_behind_elder']),
    status text not null check (status in ('active', 'exited')),
    exit_reason text check (exit_reason in ('parents_returned', 'aged_out', 'moved_away', 'deceased', 'other')),
    exited_on date,
    school_stage text,
    school_id uuid references org_unit (id),
    guardianship_type text,
    no_capable_guardian boolean not null default false,
    risk_level text not null check (risk_level in ('normal', 'attention', 'high')),
    -- The rest of the file (PersonFile in LiushouRegistry), identifiers inside it sealed.
    file jsonb not null,
    complete boolean not null,
    missing_fields text[] not null,
    filled_by uuid references account (id),
    checked_by uuid references account (id),
    checked_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (unit_id = coalesce(grid_id, village_id)),
    check ((status = 'exited') = (exit_reason is not null and exited_on is not null)),
    check ((id_number_sealed is null) = (id_number_digest is null))
);
create unique index person_active_id_number on person (id_number_digest) where status = 'active' and id_number_digest is not null;
create index person_unit on person (unit_id, name, id);
create index person_village on person (village_id);
create index person_school on person (school_id) where school_id is not null;
create index person_household on person (household_id) where household_id is not null;
create index person_categories on person using gin (categories);
create index person_name_grams on person using gin (name_grams);
create index person_digest on person (id_number_digest);

alter table person_assignment add foreign key (person_id) references person (id);

-- Field-level history: one row per changed field, grouped by the write (change_id).
create table person_change (
    id bigint generated always as identity primary key,
    person_id uuid not null references person (id),
    change_id uuid not null,
    at timestamptz not null default now(),
    account_id uuid,
    account_name text,
    action text not null,
    field text not null,
    old_value text,
    new_value text
);
create index person_change_person on person_change (person_id, id desc);

-- Everything that happened to a person, across modules, newest first.
create table person_event (
    id uuid primary key,
    person_id uuid not null references person (id),
    at timestamptz not null default now(),
    module text not null check (module ~ '^[a-z_]{3,30}$'),
    kind text not null check (kind ~ '^[a-z_.]{3,60}$'),
    summary text not null,
    account_name text,
    record_id text,
    detail jsonb
);
create index person_event_person on person_event (person_id, at desc, id desc);

-- Whether the transaction's caller may see a person. Security definer so that row-level security
-- on the tables it reads cannot recurse into person's own policy; it reads only the caller's scopes.
-- The helpers that policies call are PL/pgSQL: their plans are cached per session, where a SQL
-- function that is not inlined is planned again in every statement (measured: 40 % of a door check).
create function liushou_person_visible(p_person uuid, p_unit uuid, p_village uuid, p_school uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        if exists (select from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for('person_area')) then
            return true;
        end if;
        if p_school is not null and exists (select from org_unit s where s.id = p_school and s.path <@ liushou_scope_for('school')) then
            return true;
        end if;
        if exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id
                   where a.village_id = p_village and c.path <@ liushou_scope_for('clinic')) then
            return true;
        end if;
        return exists (select from person_assignment pa
                       where pa.person_id = p_person and pa.account_id = liushou_account() and pa.ended_at is null);
    end
    $$;
revoke all on function liushou_person_visible(uuid, uuid, uuid, uuid) from public;
grant execute on function liushou_person_visible(uuid, uuid, uuid, uuid) to liushou_app;

create function liushou_unit_in_scope(p_unit uuid, p_scope text) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$ begin return exists (select from org_unit u where u.id = p_unit and u.path <@ liushou_scope_for(p_scope)); end $$;
revoke all on function liushou_unit_in_scope(uuid, text) from public;
grant execute on function liushou_unit_in_scope(uuid, text) to liushou_app;

-- Directory facts about any unit (kind, name, path, parent, active), whatever the caller's scope:
-- a village cadre names the town's school of a child, a volunteer's view of a person needs its
-- unit's path. Names of units are not the served people's data.
create function liushou_unit_brief(p_unit uuid)
    returns table (id uuid, kind text, name text, path text, parent_id uuid, active boolean)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return query select u.id, u.kind, u.name, u.path::text, u.parent_id, u.active from org_unit u where u.id = p_unit;
    end
    $$;
revoke all on function liushou_unit_brief(uuid) from public;
grant execute on function liushou_unit_brief(uuid) to liushou_app;

-- An active unit of a kind found by its name inside a subtree (ledgers name schools and grids, not ids).
create function liushou_unit_by_name(p_kind text, p_name text, p_within text)
    returns table (id uuid, kind text, name text, path text, parent_id uuid, active boolean)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select u.id, u.kind, u.name, u.path::text, u.parent_id, u.active from org_unit u
        where u.kind = p_kind and u.name = p_name and u.active and u.path <@ p_within::ltree
        order by u.path limit 2
    $$;
revoke all on function liushou_unit_by_name(text, text, text) from public;
grant execute on function liushou_unit_by_name(text, text, text) to liushou_app;

-- The unit (grid, else village) of a person, whatever the caller's scope.
create function liushou_person_unit(p_person uuid) returns uuid
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$ begin return (select unit_id from person where id = p_person); end $$;
revoke all on function liushou_person_unit(uuid) from public;
grant execute on function liushou_person_unit(uuid) to liushou_app;

-- Whether a village, its grid and a school form a consistent address: the grid lies in the village
-- and the school in the village's county (a row cannot point into another tenant).
create function liushou_person_units_valid(p_village uuid, p_grid uuid, p_school uuid) returns boolean
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    begin
        return exists (select from org_unit v where v.id = p_village and v.kind = 'village')
            and (p_grid is null or exists (
                select from org_unit g, org_unit v where g.id = p_grid and g.kind = 'grid' and v.id = p_village and g.path <@ v.path))
            and (p_school is null or exists (
                select from org_unit s, org_unit v
                where s.id = p_school and s.kind = 'school' and v.id = p_village and s.path <@ subpath(v.path, 0, 1)));
    end
    $$;
revoke all on function liushou_person_units_valid(uuid, uuid, uuid) from public;
grant execute on function liushou_person_units_valid(uuid, uuid, uuid) to liushou_app;

-- Whether any active file holds an ID number (by keyed digest), whatever the caller's scope: one
-- active file per number across the deployment, and a writer must hear of a clash before inserting.
create function liushou_active_id_number_exists(p_digest bytea) returns boolean
    language sql stable security definer set search_path = public, pg_temp
    as $$ select exists (select from person where id_number_digest = p_digest and status = 'active') $$;
revoke all on function liushou_active_id_number_exists(bytea) from public;
grant execute on function liushou_active_id_number_exists(bytea) to liushou_app;

alter table household enable row level security;
create policy household_read on household for select using (liushou_unit_in_scope(unit_id, 'person_area'));
create policy household_insert on household for insert
    with check (liushou_unit_in_scope(unit_id, 'person_write') and liushou_person_units_valid(village_id, grid_id, null));
create policy household_update on household for update
    using (liushou_unit_in_scope(unit_id, 'person_write'))
    with check (liushou_unit_in_scope(unit_id, 'person_write') and liushou_person_units_valid(village_id, grid_id, null));

alter table person enable row level security;
create policy person_read on person for select using (liushou_person_visible(id, unit_id, village_id, school_id));
create policy person_insert on person for insert
    with check (liushou_unit_in_scope(unit_id, 'person_write') and liushou_person_units_valid(village_id, grid_id, school_id));
create policy person_update on person for update
    using (liushou_unit_in_scope(unit_id, 'person_write'))
    with check (liushou_unit_in_scope(unit_id, 'person_write') and liushou_person_units_valid(village_id, grid_id, school_id));

alter table person_assignment enable row level security;
create policy person_assignment_read on person_assignment for select
    using (account_id = liushou_account() or liushou_unit_in_scope(unit_id, 'person_area'));
-- An assignment is made by staff of the person's own unit, filed under that unit, for an account
-- they can see: nobody can assign themselves a person of another unit.
create policy person_assignment_insert on person_assignment for insert
    with check (unit_id = liushou_person_unit(person_id) and liushou_unit_in_scope(unit_id, 'person_area')
        and exists (select from account a where a.id = account_id));
create policy person_assignment_update on person_assignment for update
    using (liushou_unit_in_scope(unit_id, 'person_area'))
    with check (unit_id = liushou_person_unit(person_id) and liushou_unit_in_scope(unit_id, 'person_area'));

alter table person_change enable row level security;
create policy person_change_read on person_change for select using (exists (select from person p where p.id = person_id));
create policy person_change_insert on person_change for insert
    with check (liushou_unit_in_scope(liushou_person_unit(person_id), 'person_write'));

alter table person_event enable row level security;
create policy person_event_read on person_event for select using (exists (select from person p where p.id = person_id));
create policy person_event_insert on person_event for insert with check (exists (select from person p where p.id = person_id));

grant select, insert, update on household, person, person_assignment to liushou_app;
grant select, insert on person_change, person_event to liushou_app;

-- The organisational directory a contact card prints for a person the caller can see: the village
-- cadres and grid workers responsible for the person's units, the clinics serving the village and
-- the accounts assigned to the person. Staff names are directory facts, not the served people's data.
create function person_card_directory(p_person uuid)
    returns table (kind text, name text)
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
            select g.role, a.display_name
            from role_grant g join account a on a.id = g.account_id
            where g.revoked_at is null and a.disabled_at is null and a.kind = 'user'
              and ((g.role = 'village_cadre' and g.unit_id = p.village_id) or (g.role = 'grid_worker' and g.unit_id = p.grid_id))
            union all
            select 'clinic', c.name from clinic_service_area s join org_unit c on c.id = s.clinic_id
            where s.village_id = p.village_id and c.active
            union all
            select 'assignee:' || pa.source, a.display_name from person_assignment pa join account a on a.id = pa.account_id
            where pa.person_id = p.id and pa.ended_at is null
            order by 1, 2;
    end
    $$;
revoke all on function person_card_directory(uuid) from public;
grant execute on function person_card_directory(uuid) to liushou_app;

-- Owner-side tools (`liushou import persons`) act as the application role (SET LOCAL ROLE), so
-- row-level security applies to them as to the server.
grant liushou_app to current_user;
