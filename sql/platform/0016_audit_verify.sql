-- `GET /v1/audit/verify`: the audit log's hash chain rebuilt in the database for auditors and
-- administrators (audit.read), who otherwise see only their scope's rows. It runs as the owner,
-- reads every row, changes nothing and answers only counts and the first break (no row contents).
-- Same checks as `liushou audit verify` (AuditVerifier): positions without gaps, each row's
-- prev_hash equal to the previous row's hash, each hash equal to sha256(prev_hash || canonical row).
create function audit_log_verify()
    returns table (rows_checked bigint, problem text)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        entry audit_log%rowtype;
        previous bytea := '\x'::bytea;
        expected bigint := 1;
    begin
        for entry in select * from audit_log order by chain_position loop
            if entry.chain_position <> expected then
                return query select expected - 1, format('row %s is missing (next row is %s)', expected, entry.chain_position);
                return;
            end if;
            if entry.prev_hash <> previous then
                return query select expected - 1, format('row %s does not follow row %s (chain link broken)', expected, expected - 1);
                return;
            end if;
            if entry.hash <> sha256(entry.prev_hash || convert_to(audit_log_canonical(entry), 'UTF8')) then
                return query select expected - 1, format('row %s was altered (its hash does not match its fields)', expected);
                return;
            end if;
            previous := entry.hash;
            expected := expected + 1;
        end loop;
        return query select expected - 1, null::text;
    end
    $$;
revoke all on function audit_log_verify() from public;
grant execute on function audit_log_verify() to liushou_app;
