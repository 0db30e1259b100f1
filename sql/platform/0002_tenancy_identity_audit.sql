-- Platform core: organisation units, accounts, role grants, credentials (sessions and API tokens)
-- and the hash-chained audit log, all under row-level security.
--
-- The server connects as liushou_app: it owns no table and cannot bypass RLS. Migrations run as
-- the owner role. The data layer sets, per transaction (set_config(..., true)):
--   liushou.scope_paths  ltree[] literal: the unit subtrees the caller holds grants on
--   liushou.account_id   the caller's account id
-- With no scope set a query sees no tenant rows at all.

do $$
begin
    if not exists (select from pg_roles where rolname = 'liushou_app') then
        create role liushou_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    end if;
end
$$;
grant usage on schema public to liushou_app;

create function liushou_scope() returns ltree[]
    language sql stable
    as $$ select coalesce(nullif(current_setting('liushou.scope_paths', true), ''), '{}')::ltree[] $$;

-- Organisation units: county → town → village → grid, plus schools and clinics under a town.
create table org_unit (
    id uuid primary key,
    kind text not null check (kind in ('county', 'town', 'village', 'grid', 'school', 'clinic')),
    name text not null check (length(btrim(name)) between 1 and 100),
    code text check (code ~ '^[0-9]{12}$'),
    parent_id uuid references org_unit (id),
    path ltree not null unique,
    active boolean not null default true,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((kind = 'county') = (parent_id is null))
);
create index org_unit_path_gist on org_unit using gist (path);
create index org_unit_parent on org_unit (parent_id);
create unique index org_unit_code_unique on org_unit (code) where code is not null;

-- Villages a clinic serves.
create table clinic_service_area (
    clinic_id uuid not null references org_unit (id),
    village_id uuid not null references org_unit (id),
    primary key (clinic_id, village_id)
);

-- Accounts: people (username + bcrypt password) and machine clients (API tokens only).
create table account (
    id uuid primary key,
    kind text not null check (kind in ('user', 'service')),
    username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    display_name text not null check (length(btrim(display_name)) between 1 and 100),
    home_unit_id uuid not null references org_unit (id),
    password_hash text,
    must_change_password boolean not null default false,
    failed_logins integer not null default 0,
    locked_until timestamptz,
    disabled_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((kind = 'user') = (password_hash is not null))
);
create index account_home_unit on account (home_unit_id);

create table role_grant (
    id uuid primary key,
    account_id uuid not null references account (id),
    role text not null check (role in ('county_admin', 'town_admin', 'child_welfare_supervisor', 'village_cadre',
        'grid_worker', 'volunteer', 'school_staff', 'clinic_staff', 'relief_officer', 'legal_aid_officer', 'auditor')),
    unit_id uuid not null references org_unit (id),
    granted_by uuid references account (id),
    granted_at timestamptz not null default now(),
    revoked_at timestamptz,
    revoked_by uuid references account (id)
);
create unique index role_grant_active on role_grant (account_id, role, unit_id) where revoked_at is null;
create index role_grant_unit on role_grant (unit_id);

-- Sessions (login) and API tokens (service accounts). Only SHA-256 hashes of tokens are stored.
create table credential (
    id uuid primary key,
    account_id uuid not null references account (id),
    kind text not null check (kind in ('session', 'api_token')),
    token_hash bytea not null unique,
    label text,
    created_at timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    client_address text
);
create index credential_account on credential (account_id) where revoked_at is null;

-- Audit log: append-only and hash-chained. Each row's hash covers the previous row's hash and the
-- row's own fields, so an edited row or a removed one breaks the chain (`liushou audit verify`).
create table audit_log (
    chain_position bigint primary key,
    at timestamptz not null,
    account_id uuid,
    account_name text,
    role text,
    unit_id uuid,
    unit_path ltree,
    action text not null,
    resource text not null,
    record_id text,
    result text not null,
    client_address text,
    request_id text,
    detail jsonb,
    prev_hash bytea not null,
    hash bytea not null
);
create index audit_log_unit_path on audit_log using gist (unit_path);
create index audit_log_at on audit_log (at);
create index audit_log_account on audit_log (account_id, chain_position);

-- The text a row's hash covers: every field prefixed with its length in bytes, so no two rows can
-- share it; `liushou audit verify` rebuilds it independently.
create function audit_log_canonical(entry audit_log) returns text
    language sql immutable
    as $$
        select string_agg(octet_length(field)::text || ':' || field, '|' order by position)
        from unnest(array[
            entry.chain_position::text,
            to_char(entry.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            coalesce(entry.account_id::text, ''), coalesce(entry.account_name, ''), coalesce(entry.role, ''),
            coalesce(entry.unit_id::text, ''), coalesce(entry.unit_path::text, ''), entry.action, entry.resource,
            coalesce(entry.record_id, ''), entry.result, coalesce(entry.client_address, ''), coalesce(entry.request_id, ''),
            coalesce(entry.detail::text, '')
        ]) with ordinality as fields (field, position)
    $$;

-- Assigns position, time and hashes under a transaction-scoped lock, so the chain never forks.
-- Audit rows are written last in a transaction to keep the lock short.
create function audit_log_chain() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        previous audit_log%rowtype;
    begin
        perform pg_advisory_xact_lock(7218001);
        select * into previous from audit_log order by chain_position desc limit 1;
        new.chain_position := coalesce(previous.chain_position, 0) + 1;
        new.prev_hash := coalesce(previous.hash, '\x'::bytea);
        new.at := date_trunc('microseconds', clock_timestamp());
        new.hash := sha256(new.prev_hash || convert_to(audit_log_canonical(new), 'UTF8'));
        return new;
    end
    $$;
create trigger audit_log_chain before insert on audit_log for each row execute function audit_log_chain();

create function audit_log_refuse_change() returns trigger
    language plpgsql
    as $$ begin raise exception 'audit_log is append-only' using errcode = '42501'; end $$;
create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_refuse_change();

-- Row-level security.
alter table org_unit enable row level security;
create policy org_unit_scope on org_unit
    using (path <@ liushou_scope())
    with check (path <@ liushou_scope());

alter table clinic_service_area enable row level security;
create policy clinic_service_area_scope on clinic_service_area
    using (exists (select from org_unit u where u.id = clinic_id))
    with check (exists (select from org_unit u where u.id = clinic_id) and exists (select from org_unit v where v.id = village_id));

alter table account enable row level security;
create policy account_scope on account
    using (exists (select from org_unit u where u.id = home_unit_id)
        or id = nullif(current_setting('liushou.account_id', true), '')::uuid)
    with check (exists (select from org_unit u where u.id = home_unit_id));

alter table role_grant enable row level security;
create policy role_grant_scope on role_grant
    using (exists (select from org_unit u where u.id = unit_id)
        or account_id = nullif(current_setting('liushou.account_id', true), '')::uuid)
    with check (exists (select from org_unit u where u.id = unit_id));

alter table credential enable row level security;
create policy credential_scope on credential
    using (exists (select from account a where a.id = account_id))
    with check (exists (select from account a where a.id = account_id));

alter table audit_log enable row level security;
create policy audit_log_read on audit_log for select
    using (unit_path <@ liushou_scope() or account_id = nullif(current_setting('liushou.account_id', true), '')::uuid);
create policy audit_log_append on audit_log for insert with check (true);

grant select, insert, update on org_unit, clinic_service_area, account, role_grant, credential to liushou_app;
-- A clinic's service area is replaced as a set; its changes are kept in the audit log.
grant delete on clinic_service_area to liushou_app;
grant select, insert on audit_log to liushou_app;

-- Authentication happens before a caller (and so a scope) exists: these functions run as the
-- owner, do one narrow thing each, and are the only unscoped access the server has.
create function auth_login_candidate(p_username text)
    returns table (account_id uuid, password_hash text, must_change_password boolean, locked_until timestamptz, disabled boolean,
                   home_unit_id uuid, home_unit_path text)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select a.id, a.password_hash, a.must_change_password, a.locked_until, a.disabled_at is not null, a.home_unit_id, u.path::text
        from account a join org_unit u on u.id = a.home_unit_id
        where a.username = lower(p_username) and a.kind = 'user'
    $$;

-- Counts an attempt before the password is checked, atomically: while an account has had
-- p_max_failures failed attempts in a row it is locked for p_lock, however many attempts arrive at
-- once. Returns whether this attempt may check its password.
create function auth_begin_login(p_account uuid, p_max_failures integer, p_lock interval)
    returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        allowed boolean;
    begin
        update account
            set locked_until = case when failed_logins >= p_max_failures then now() + p_lock else locked_until end,
                failed_logins = case when failed_logins >= p_max_failures then 0 else failed_logins + 1 end
            where id = p_account and disabled_at is null and (locked_until is null or locked_until <= now())
            returning locked_until is null or locked_until <= now() into allowed;
        return coalesce(allowed, false);
    end
    $$;

-- Settles a checked attempt. A right password clears the count unless the account locked
-- meanwhile (then the login is refused); a wrong one locks at once when it was the last allowed.
-- Returns whether the login succeeds.
create function auth_finish_login(p_account uuid, p_success boolean, p_max_failures integer, p_lock interval)
    returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        accepted boolean;
    begin
        if p_success then
            update account set failed_logins = 0
                where id = p_account and disabled_at is null and (locked_until is null or locked_until <= now())
                returning true into accepted;
            return coalesce(accepted, false);
        end if;
        update account set locked_until = now() + p_lock, failed_logins = 0
            where id = p_account and failed_logins >= p_max_failures and (locked_until is null or locked_until <= now());
        return false;
    end
    $$;

create function auth_open_session(p_credential uuid, p_account uuid, p_token_hash bytea, p_expires timestamptz, p_client text)
    returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        insert into credential (id, account_id, kind, token_hash, expires_at, client_address)
        values (p_credential, p_account, 'session', p_token_hash, p_expires, p_client)
    $$;

-- The caller behind a token: one row per active grant (or one row with NULL role when it has none).
-- Expired, idle-expired, revoked tokens and disabled accounts yield no entry.
create function auth_authenticate(p_token_hash bytea, p_session_idle interval)
    returns table (credential_id uuid, account_id uuid, username text, kind text, must_change_password boolean,
                   role text, unit_id uuid, unit_path text)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        c credential%rowtype;
        a account%rowtype;
    begin
        select * into c from credential where token_hash = p_token_hash and revoked_at is null;
        if not found or (c.expires_at is not null and c.expires_at <= now())
            or (c.kind = 'session' and c.last_used_at + p_session_idle <= now()) then
            return;
        end if;
        select * into a from account where id = c.account_id;
        if a.disabled_at is not null then
            return;
        end if;
        if c.last_used_at < now() - interval '10 seconds' then
            update credential set last_used_at = now() where id = c.id;
        end if;
        return query
            select c.id, a.id, a.username, a.kind, a.must_change_password, g.role, g.unit_id, u.path::text
            from (select 1) as one
            left join role_grant g on g.account_id = a.id and g.revoked_at is null
            left join org_unit u on u.id = g.unit_id and u.active
            where g.id is null or u.id is not null;
    end
    $$;

-- Only the credential's own account (liushou.account_id of the transaction) may revoke it this way.
create function auth_revoke_credential(p_credential uuid)
    returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        update credential set revoked_at = now()
        where id = p_credential and revoked_at is null
          and account_id = nullif(current_setting('liushou.account_id', true), '')::uuid
    $$;

revoke all on function auth_login_candidate(text), auth_begin_login(uuid, integer, interval),
    auth_finish_login(uuid, boolean, integer, interval),
    auth_open_session(uuid, uuid, bytea, timestamptz, text), auth_authenticate(bytea, interval),
    auth_revoke_credential(uuid) from public;
grant execute on function auth_login_candidate(text), auth_begin_login(uuid, integer, interval),
    auth_finish_login(uuid, boolean, integer, interval),
    auth_open_session(uuid, uuid, bytea, timestamptz, text), auth_authenticate(bytea, interval),
    auth_revoke_credential(uuid) to liushou_app;

-- Readiness checks compare applied migrations with the build's.
grant select on liushou_schema_migrations to liushou_app;

-- A user's own password change: a user may lack rights over its own account row. It acts only on
-- the account named by the transaction's liushou.account_id.
-- It clears the must-change flag and ends every other session of the account.
create function auth_set_own_password(p_account uuid, p_credential uuid, p_hash text)
    returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        update account set password_hash = p_hash, must_change_password = false, version = version + 1, updated_at = now()
            where id = p_account and kind = 'user' and id = nullif(current_setting('liushou.account_id', true), '')::uuid;
        update credential set revoked_at = now()
            where account_id = p_account and id <> p_credential and kind = 'session' and revoked_at is null
              and account_id = nullif(current_setting('liushou.account_id', true), '')::uuid;
    $$;
revoke all on function auth_set_own_password(uuid, uuid, text) from public;
grant execute on function auth_set_own_password(uuid, uuid, text) to liushou_app;

-- Every active grant of an account with its unit path, whatever the caller's scope: administrators
-- may act on an account only when all of its grants lie where they could have granted them.
create function account_active_grants(p_account uuid)
    returns table (role text, unit_path text)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select g.role, u.path::text from role_grant g join org_unit u on u.id = g.unit_id
        where g.account_id = p_account and g.revoked_at is null
    $$;
revoke all on function account_active_grants(uuid) from public;
grant execute on function account_active_grants(uuid) to liushou_app;
