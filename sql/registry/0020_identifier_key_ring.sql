-- Rotation of the identifier key (LIUSHOU_DATA_KEY). While `liushou keys rotate` re-seals the
-- stored ID numbers, a number may be stored under the previous key's digest or the current one's
-- (and, from before digests named their key, a bare HMAC). The unique index compares stored bytes
-- only, so the writer's check must ask with every digest the number may be stored under.
create function liushou_active_id_number_exists(p_digests bytea[]) returns boolean
    language sql stable security definer set search_path = public, pg_temp
    as $$ select exists (select from person where id_number_digest = any(p_digests) and status = 'active') $$;
revoke all on function liushou_active_id_number_exists(bytea[]) from public;
grant execute on function liushou_active_id_number_exists(bytea[]) to liushou_app;
