-- The second factor a session owes is decided on every request, not only at login (0021 stored it
-- once in `credential.second_factor`). A session opened before 0021, a session of an account granted
-- an administrator role after it logged in, and the other sessions of an account that enrols
-- elsewhere all kept full access on the password alone. Now a session that has not given its second
-- factor owes a code when the account has a confirmed authenticator, and an enrolment when it holds
-- one of the roles the policy names (passed by the server, as at login); only 'verified' sessions,
-- API tokens and service accounts are passed as stored.
--
-- Also:
-- * An enrolment is confirmed only for the secret its code was checked against: a second enrol in
--   another tab between the check and the confirmation replaced the secret, and the account would
--   have been confirmed with a secret nobody's app holds.
-- * Ten wrong codes lock the authenticator once; wrong codes while it is locked no longer re-arm the
--   lock, and the count starts again after the lock expires (one wrong code after a lock used to
--   lock the account for another quarter of an hour).
-- * The pre-0021 `auth_open_session` without a second-factor argument and the one-token
--   `auth_authenticate` of 0002 (which answers no second-factor state) are dropped: a server older
--   than this could otherwise open or accept sessions that skip the factor. Upgrades are
--   stop-the-world (stop every server, migrate, start the new version); README "Upgrading".

drop function auth_open_session(uuid, uuid, bytea, timestamptz, text);
drop function auth_authenticate(bytea, interval);

-- Token checks, many at once (group commit), with the second factor each session owes now.

drop function auth_authenticate_many(bytea[], interval);
create function auth_authenticate_many(p_token_hashes bytea[], p_session_idle interval, p_second_factor_roles text[])
    returns table (token_hash bytea, credential_id uuid, account_id uuid, username text, kind text, must_change_password boolean,
                   second_factor text, role text, unit_id uuid, unit_path text)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        return query
            with live as (
                select c.id, c.token_hash, c.last_used_at,
                       case
                           when c.kind <> 'session' or a.kind <> 'user' or c.second_factor = 'verified' then c.second_factor
                           when exists (select from account_totp t where t.account_id = a.id and t.confirmed_at is not null) then 'pending'
                           when exists (select from role_grant g where g.account_id = a.id and g.revoked_at is null
                                                                      and g.role = any (p_second_factor_roles)) then 'enrol'
                       end as second_factor,
                       a.id as account, a.username, a.kind, a.must_change_password
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

-- Confirms an enrolment with the step of a valid code — only the secret that code was checked
-- against — stores the recovery codes' digests and verifies the session; false otherwise.
drop function auth_two_factor_confirm(uuid, uuid, bigint, bytea[]);
create function auth_two_factor_confirm(p_account uuid, p_credential uuid, p_secret bytea, p_step bigint, p_codes bytea[]) returns boolean
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        update account_totp set confirmed_at = now(), last_used_step = p_step, failures = 0, locked_until = null
            where account_id = p_account and confirmed_at is null and secret_sealed = p_secret;
        if not found then
            return false;
        end if;
        delete from account_recovery_code where account_id = p_account;
        insert into account_recovery_code (account_id, code_digest) select p_account, unnest(p_codes);
        update credential set second_factor = 'verified', second_factor_failures = 0 where id = p_credential and account_id = p_account;
        return true;
    end
    $$;

-- Counts a wrong code against the session (revoked at p_session_max) and, unless it is locked, the
-- account's authenticator (locked for p_lock at p_account_max in a row). Answers both outcomes.
create or replace function auth_two_factor_failed(p_account uuid, p_credential uuid, p_session_max integer, p_account_max integer, p_lock interval)
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
        -- While locked nothing is counted; after the lock the count starts again.
        update account_totp t
            set failures = case when t.locked_until is not null then 1 else t.failures + 1 end,
                locked_until = case
                    when (case when t.locked_until is not null then 1 else t.failures + 1 end) >= p_account_max then now() + p_lock
                end
            where t.account_id = p_account and (t.locked_until is null or t.locked_until <= now());
        select case when t.locked_until > now() then t.locked_until end into locked from account_totp t where t.account_id = p_account;
        return query select coalesce(session_failures >= p_session_max, false), locked;
    end
    $$;

revoke all on function auth_authenticate_many(bytea[], interval, text[]), auth_two_factor_confirm(uuid, uuid, bytea, bigint, bytea[]) from public;
grant execute on function auth_authenticate_many(bytea[], interval, text[]), auth_two_factor_confirm(uuid, uuid, bytea, bigint, bytea[])
    to liushou_app;
