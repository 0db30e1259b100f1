-- A password is re-hashed at its next successful login when the server's bcrypt cost changed
-- (`LIUSHOU_BCRYPT_COST`). Checking a hash of another cost takes another time than checking the
-- decoy an unknown username is checked against, which would tell an attacker which usernames
-- exist; re-hashing brings every account to the current cost. The swap happens only if the stored
-- hash is still the one that was checked, so a password changed meanwhile is never overwritten,
-- and it changes nothing else (no version bump: the account's content did not change).
create function auth_rehash_password(p_account uuid, p_checked text, p_new text)
    returns void
    language sql security definer set search_path = public, pg_temp
    as $$
        update account set password_hash = p_new where id = p_account and kind = 'user' and password_hash = p_checked;
    $$;
revoke all on function auth_rehash_password(uuid, text, text) from public;
grant execute on function auth_rehash_password(uuid, text, text) to liushou_app;
