-- Token checks for many requests in one statement: requests arriving at the same moment are
-- checked together (one round trip instead of one each). Same rules as `auth_authenticate`:
-- a credential that is revoked, expired or idle too long, or whose account is disabled, answers
-- nothing; a live one is marked used (at most every 10 seconds, skipped while another check holds
-- the row) and answers its account and grants,
-- one row per grant (or one row without a grant), each tagged with the token hash it answers.
create function auth_authenticate_many(p_token_hashes bytea[], p_session_idle interval)
    returns table (token_hash bytea, credential_id uuid, account_id uuid, username text, kind text, must_change_password boolean,
                   role text, unit_id uuid, unit_path text)
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        return query
            with live as (
                select c.id, c.token_hash, c.last_used_at, a.id as account, a.username, a.kind, a.must_change_password
                from credential c join account a on a.id = c.account_id
                where c.token_hash = any (p_token_hashes) and c.revoked_at is null
                  and (c.expires_at is null or c.expires_at > now())
                  and not (c.kind = 'session' and c.last_used_at + p_session_idle <= now())
                  and a.disabled_at is null
            ),
            -- Best effort: a row another check is touching right now is left to it (never wait, and
            -- concurrent batches cannot deadlock on credentials).
            due as (
                select c.id from credential c
                where c.id in (select l.id from live l where l.last_used_at < now() - interval '10 seconds')
                order by c.id for update skip locked
            ),
            touched as (
                update credential c set last_used_at = now() from due d where c.id = d.id
            )
            select l.token_hash, l.id, l.account, l.username, l.kind, l.must_change_password, g.role, g.unit_id, u.path::text
            from live l
            left join role_grant g on g.account_id = l.account and g.revoked_at is null
            left join org_unit u on u.id = g.unit_id and u.active
            where g.id is null or u.id is not null;
    end
    $$;
revoke all on function auth_authenticate_many(bytea[], interval) from public;
grant execute on function auth_authenticate_many(bytea[], interval) to liushou_app;
