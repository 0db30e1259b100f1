-- A wrong second-factor code locks the account's authenticator before the session's credential, as
-- every other two-factor function does.
--
-- `auth_two_factor_failed` (0022) counted the failure on the credential first and on the
-- authenticator (`account_totp`) second. A right code (`auth_two_factor_use_code`), a confirmation
-- and an administrator's reset (`auth_two_factor_reset`) take the authenticator first and the
-- credentials second. Two requests of one session sent together, one with a wrong code and one with
-- the right one, or a wrong code while an administrator resets the lost phone, could each hold the
-- row the other wanted: PostgreSQL broke the deadlock after a second by failing one of them (a 500
-- for a person typing a code). Now the wrong code waits for the authenticator first and holds
-- nothing while it waits. What it counts and answers is unchanged (0022).

create or replace function auth_two_factor_failed(p_account uuid, p_credential uuid, p_session_max integer, p_account_max integer, p_lock interval)
    returns table (session_ended boolean, locked_until timestamptz)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        session_failures integer;
        locked timestamptz;
    begin
        perform from account_totp t where t.account_id = p_account for no key update;
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
