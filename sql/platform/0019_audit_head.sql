-- Anchored audit: the hash chain shows an edited or removed row in the middle, but not rows
-- removed from the end (the chain up to the new last row is still intact). The server therefore
-- writes signed checkpoints — the newest row's position and hash — outside the database, and
-- `liushou audit verify --checkpoint FILE` fails when the log no longer reaches a checkpoint.
--
-- The application role sees only its scope's audit rows; this function answers the newest row of
-- the whole log (position, hash, time) and nothing else.
create function audit_log_head()
    returns table (chain_position bigint, hash bytea, at timestamptz)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select a.chain_position, a.hash, a.at from audit_log a order by a.chain_position desc limit 1
    $$;
revoke all on function audit_log_head() from public;
grant execute on function audit_log_head() to liushou_app;
