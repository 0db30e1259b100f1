-- Which of a ledger's ID numbers an active file already holds, visible to the importer or not
-- (issue 23): one call for a thousand rows instead of one call a row. It answers no more than
-- liushou_active_id_number_exists does for each digest alone — whether some active file holds
-- it — and never whose file it is.
create function liushou_active_id_numbers_taken(p_digests bytea[]) returns setof bytea
    language sql stable security definer set search_path = public, pg_temp
    as $$ select id_number_digest from person where id_number_digest = any (p_digests) and status = 'active' $$;
revoke all on function liushou_active_id_numbers_taken(bytea[]) from public;
grant execute on function liushou_active_id_numbers_taken(bytea[]) to liushou_app;
