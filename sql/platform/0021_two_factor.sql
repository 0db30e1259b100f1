-- Two-factor authentication (TOTP, RFC 6238) for the accounts the policy names (administrators and
-- auditors by default: LIUSHOU_TWO_FACTOR_ROLES). A session opened with the password alone starts
-- at `second_factor = 'pending'` (the account has an authenticator: a code is due) or 'enrol' (the
-- policy asks for one the account does not have yet) and reaches only the second-factor routes, its
-- own /me and logout until a code moves it to 'verified'. NULL: nothing asked (service tokens,
-- accounts outside the policy without an authenticator). The state belongs to the session: a new
-- login asks again.
--
-- The TOTP secret is sealed with the identifier key (re-sealed by `liushou keys rotate`); recovery
-- codes are kept as SHA-256 digests and work once. Neither table is granted to the application
-- role: only the functions below, each doing one narrow thing, touch them.

alter table credential
    add column second_factor text,
    add column second_factor_failures integer not null default 0,
    add constraint credential_second_factor_state check (second_factor in ('pending', 'enrol', 'verified'));

create table account_totp (
    account_id uuid not null,
    secret_sealed bytea not null,
    -- NULL until the first code from the app confirms the enrolment.
    confirmed_at timestamptz,
    -- The newest time step a code was accepted for: a code works once.
    last_used_step bigint not null default 0,
    -- Wrong codes in a row, across sessions (a new password login does not reset them); at the limit
    -- the authenticator refuses every code until `locked_until`.
    failures integer not null default 0,
    locked_until timestamptz,
    created_at timestamptz not null default now(),
    constraint account_totp_pkey primary key (account_id),
    constraint account_totp_account_fkey foreign key (account_id) references account (id)
);

create table account_recovery_code (
    account_id uuid not null,
    code_digest bytea not null,
    used_at timestamptz,
    constraint account_recovery_code_pkey primary key (account_id, code_digest),
    constraint account_recovery_code_account_fkey foreign key (account_id) references account (id)
);

-- Whether the account has a confirmed authenticator, and whether the policy asks one of it (it
-- holds an active grant of one of the roles named).
create function auth_two_factor_state(p_account uuid, p_roles text[])
    returns table (enrolled boolean, required boolean)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select exists (select from account_totp t where t.account_id = p_account and t.confirmed_at is not null),
               exists (select from role_grant g where g.account_id = p_account and g.revoked_at is null and g.role = any (p_roles))
    $$;

create function auth_open_session(p_credential uuid, p_account uuid, p_token_hash bytea, p_expires timestamptz, p_client text,
                                  p_second_factor text)
    returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        insert into credential (id, account_id, kind, token_hash, expires_at, client_address, second_factor)
        values (p_credential, p_account, 'session', p_token_hash, p_expires, p_client, p_second_factor)
    $$;

-- Token checks answer the session's second-factor state too (same rules as before otherwise).
drop function auth_authenticate_many(bytea[], interval);
create function auth_authenticate_many(p_token_hashes bytea[], p_session_idle interval)
    returns table (token_hash bytea, credential_id uuid, account_id uuid, username text, kind text, must_change_password boolean,
                   second_factor text, role text, unit_id uuid, unit_path text)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        return query
            with live as (
                select c.id, c.token_hash, c.last_used_at, c.second_factor, a.id as account, a.username, a.kind, a.must_change_password
                from credential c join account a on a.id = c.account_id
                where c.token_hash = any (p_token_hashes) and c.revoked_at is null
                  and (c.expires_at is null or c.expires_at > now())
                  and not (c.kind = 'session' and c.last_used_at + p_session_idle <= now())
                  and a.disabled_at is null
            ),
            due as (
                select c.id from credential c
                where c.id in (select l.id from live l where l.last_used_at < now() - interval '10 seconds')
                order by c.id for update skip locked
            ),
            touched as (
                update credential c set last_used_at = now() from due d where c.id = d.id
            )
            select l.token_hash, l.id, l.account, l.username, l.kind, l.must_change_password, l.second_factor, g.role, g.unit_id, u.path::text
            from live l
            left join role_grant g on g.account_id = l.account and g.revoked_at is null
            left join org_unit u on u.id = g.unit_id and u.active
            where g.id is null or u.id is not null;
    end
    $$;

-- Starts (or restarts) an enrolment with a new sealed secret; false when the account already has a
-- confirmed authenticator (a lost one is reset by an administrator first).
create function auth_two_factor_begin(p_account uuid, p_secret bytea) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into account_totp as t (account_id, secret_sealed) values (p_account, p_secret)
        on conflict (account_id) do update set secret_sealed = excluded.secret_sealed, created_at = now()
            where t.confirmed_at is null;
        return found;
    end
    $$;

create function auth_two_factor_secret(p_account uuid)
    returns table (secret_sealed bytea, confirmed boolean, locked_until timestamptz)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select t.secret_sealed, t.confirmed_at is not null, case when t.locked_until > now() then t.locked_until end
        from account_totp t where t.account_id = p_account
    $$;

-- Confirms an enrolment with the step of a valid code, stores the new recovery codes' digests and
-- marks the session verified; false when there is no enrolment to confirm.
create function auth_two_factor_confirm(p_account uuid, p_credential uuid, p_step bigint, p_codes bytea[]) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        update account_totp set confirmed_at = now(), last_used_step = p_step
            where account_id = p_account and confirmed_at is null;
        if not found then
            return false;
        end if;
        delete from account_recovery_code where account_id = p_account;
        insert into account_recovery_code (account_id, code_digest) select p_account, unnest(p_codes);
        update credential set second_factor = 'verified', second_factor_failures = 0 where id = p_credential and account_id = p_account;
        return true;
    end
    $$;

-- Accepts a code's step once (never a step at or before the last one used) and verifies the session.
create function auth_two_factor_use_code(p_account uuid, p_credential uuid, p_step bigint) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        update account_totp set last_used_step = p_step, failures = 0, locked_until = null
            where account_id = p_account and confirmed_at is not null and last_used_step < p_step
              and (locked_until is null or locked_until <= now());
        if not found then
            return false;
        end if;
        update credential set second_factor = 'verified', second_factor_failures = 0 where id = p_credential and account_id = p_account;
        return true;
    end
    $$;

-- Uses a recovery code once and verifies the session; answers the codes left, or -1 for no match.
create function auth_two_factor_use_recovery(p_account uuid, p_credential uuid, p_digest bytea) returns integer
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        update account_recovery_code set used_at = now()
            where account_id = p_account and code_digest = p_digest and used_at is null
              and not exists (select from account_totp t where t.account_id = p_account and t.locked_until > now());
        if not found then
            return -1;
        end if;
        update account_totp set failures = 0, locked_until = null where account_id = p_account;
        update credential set second_factor = 'verified', second_factor_failures = 0 where id = p_credential and account_id = p_account;
        return (select count(*) from account_recovery_code where account_id = p_account and used_at is null);
    end
    $$;

-- Counts a wrong code against the session and the account's authenticator. At p_session_max the
-- session is revoked (the next try needs the password again); at p_account_max wrong codes in a row
-- the authenticator refuses every code for p_lock, however many sessions an attacker who knows the
-- password opens. Answers both outcomes.
create function auth_two_factor_failed(p_account uuid, p_credential uuid, p_session_max integer, p_account_max integer, p_lock interval)
    returns table (session_ended boolean, locked_until timestamptz)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        session_failures integer;
        locked timestamptz;
    begin
        update credential set second_factor_failures = second_factor_failures + 1
            where id = p_credential and account_id = p_account and revoked_at is null
            returning second_factor_failures into session_failures;
        if session_failures >= p_session_max then
            update credential set revoked_at = now() where id = p_credential;
        end if;
        update account_totp t set failures = t.failures + 1,
                locked_until = case when t.failures + 1 >= p_account_max then now() + p_lock else t.locked_until end
            where t.account_id = p_account
            returning case when t.locked_until > now() then t.locked_until end into locked;
        return query select coalesce(session_failures >= p_session_max, false), locked;
    end
    $$;

-- Removes an account's authenticator and recovery codes and ends its sessions (a lost phone). The
-- server allows it only to an administrator above the account; false when there was nothing.
create function auth_two_factor_reset(p_account uuid) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        existed boolean;
    begin
        delete from account_recovery_code where account_id = p_account;
        delete from account_totp where account_id = p_account;
        existed := found;
        update credential set revoked_at = now() where account_id = p_account and kind = 'session' and revoked_at is null;
        return existed;
    end
    $$;

revoke all on function auth_two_factor_state(uuid, text[]), auth_open_session(uuid, uuid, bytea, timestamptz, text, text),
    auth_authenticate_many(bytea[], interval), auth_two_factor_begin(uuid, bytea), auth_two_factor_secret(uuid),
    auth_two_factor_confirm(uuid, uuid, bigint, bytea[]), auth_two_factor_use_code(uuid, uuid, bigint),
    auth_two_factor_use_recovery(uuid, uuid, bytea), auth_two_factor_failed(uuid, uuid, integer, integer, interval), auth_two_factor_reset(uuid) from public;
grant execute on function auth_two_factor_state(uuid, text[]), auth_open_session(uuid, uuid, bytea, timestamptz, text, text),
    auth_authenticate_many(bytea[], interval), auth_two_factor_begin(uuid, bytea), auth_two_factor_secret(uuid),
    auth_two_factor_confirm(uuid, uuid, bigint, bytea[]), auth_two_factor_use_code(uuid, uuid, bigint),
    auth_two_factor_use_recovery(uuid, uuid, bytea), auth_two_factor_failed(uuid, uuid, integer, integer, interval), auth_two_factor_reset(uuid) to liushou_app;
