-- The audit log's hash chain in 16 stripes instead of one.
--
-- Every audited write took one global lock (pg_advisory_xact_lock(7218001)) from its audit row to
-- its commit, so all audited writes of all servers committed one at a time: with a synchronous
-- standby each commit waits for the standby's flush, and the lock caps the whole province's
-- audited writes (logins, file edits, ID reveals, refusals) at one commit per replication round
-- trip. Now each row belongs to one of 16 chains, chosen by the town its unit lies in (county-level
-- and unit-less rows by the county or by nothing), and only rows of the same chain wait for each
-- other. A town's rows stay in one chain, in order (a transaction appends all its rows to the chain
-- of its first, so it holds at most one chain's lock and two transactions cannot deadlock).
--
-- What stays: each row's hash covers the previous row of its chain and its own fields (now with
-- its chain number), rows are append-only, positions come from one sequence so they still order
-- the whole log in time (a rolled-back audited write leaves a gap: gaps no longer mean a deleted
-- row; a deleted row breaks its chain's links instead). The rows written before this migration keep
-- their single chain (`chain` null) and are verified as before; the first row of every new chain
-- follows the last of them (`audit_chain_origin.genesis`), so cutting the old chain short also
-- breaks the new ones. Checkpoints sign the head of every chain (`audit_log_heads()`), so rows
-- deleted from the end of any chain show.

alter table audit_log
    add column chain smallint;
-- Not validated: every row there now has no chain (a scan under the table's lock for nothing).
alter table audit_log
    add constraint audit_log_chain_stripe check (chain between 0 and 15) not valid;
create index audit_log_chain_order on audit_log (chain, chain_position) where chain is not null;
-- Two rows of a chain never follow the same row: a fork (an append that read a stale head, say under
-- REPEATABLE READ) fails instead of leaving a log that can never verify again.
create unique index audit_log_chain_link on audit_log (chain, prev_hash) where chain is not null;

-- Where the new chains start: the last row of the single chain (an empty hash when there was none)
-- and how many rows that chain had.
create table audit_chain_origin (
    singleton boolean primary key default true,
    legacy_rows bigint not null,
    genesis bytea not null,
    constraint audit_chain_origin_one_row check (singleton)
);
-- The single chain's positions run 1, 2, … without gaps, so its length is its last position (read
-- through the primary key, not counted).
insert into audit_chain_origin (legacy_rows, genesis)
select coalesce((select max(a.chain_position) from audit_log a), 0),
    coalesce((select a.hash from audit_log a order by a.chain_position desc limit 1), '\x'::bytea);
alter table audit_chain_origin enable row level security;
revoke all on audit_chain_origin from liushou_app;
create trigger audit_chain_origin_no_update before update or delete on audit_chain_origin
    for each row execute function audit_log_refuse_change();
create trigger audit_chain_origin_no_truncate before truncate on audit_chain_origin
    for each statement execute function audit_log_refuse_change();

create sequence audit_log_position;
select setval('audit_log_position', coalesce(max(chain_position), 0) + 1, false) from audit_log;

-- The chain of a row at `p_path`: by its town (the first two labels of the path), else by its
-- county, else chain 0. Stable: it reads only the row's own stored path.
create function audit_log_stripe(p_path ltree) returns smallint
    language sql immutable
    as $$
        select case when p_path is null then 0
                    else (abs(hashtext(subltree(p_path, 0, least(nlevel(p_path), 2))::text)::bigint) % 16)::smallint end
    $$;

-- A row's canonical text as before, plus its chain number for rows of the striped chains (rows of
-- the single chain hash exactly as they always did).
create or replace function audit_log_canonical(entry audit_log) returns text
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
        ] || case when entry.chain is null then array[]::text[] else array[entry.chain::text] end) with ordinality as fields (field, position)
    $$;

-- Assigns chain, position, time and hashes under the chain's lock (held to commit), so no chain
-- forks and a chain's positions rise in the order its rows were linked. A transaction appends all
-- its rows to the chain of its first (`liushou.audit_chain`, transaction-local): it holds one chain
-- lock at most, so two transactions can never wait for each other's chains (a deadlock).
create or replace function audit_log_chain() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        previous bytea;
    begin
        new.chain := coalesce(nullif(current_setting('liushou.audit_chain', true), '')::smallint, audit_log_stripe(new.unit_path));
        perform set_config('liushou.audit_chain', new.chain::text, true);
        perform pg_advisory_xact_lock(7218001, new.chain);
        select a.hash into previous from audit_log a where a.chain = new.chain order by a.chain_position desc limit 1;
        if previous is null then
            select o.genesis into previous from audit_chain_origin o;
        end if;
        new.chain_position := nextval('audit_log_position');
        new.prev_hash := previous;
        new.at := date_trunc('microseconds', clock_timestamp());
        new.hash := sha256(new.prev_hash || convert_to(audit_log_canonical(new), 'UTF8'));
        return new;
    end
    $$;

-- The newest row of every chain (`chain` null: the single chain before 0029), for signed
-- checkpoints. Positions and hashes only: no row contents.
create function audit_log_heads()
    returns table (chain smallint, chain_position bigint, hash bytea, at timestamptz)
    language sql stable security definer set search_path = public, pg_temp
    as $$
        -- The single chain ended when the stripes began: its head is the origin's.
        select null::smallint, a.chain_position, a.hash, a.at
        from audit_chain_origin o join audit_log a on a.chain_position = o.legacy_rows
        union all
        select s.stripe::smallint, h.chain_position, h.hash, h.at
        from generate_series(0, 15) s (stripe)
        cross join lateral (
            select a.chain_position, a.hash, a.at from audit_log a where a.chain = s.stripe order by a.chain_position desc limit 1
        ) h
    $$;
revoke all on function audit_log_heads() from public;
grant execute on function audit_log_heads() to liushou_app;

-- `GET /v1/audit/verify` with the same checks as `liushou audit verify` (AuditVerifier): the single
-- chain as before (positions 1, 2, … without gaps, each linked to the one before), its length and
-- last hash as recorded when the stripes began, then each stripe in position order, linked from
-- that last hash.
create or replace function audit_log_verify()
    returns table (rows_checked bigint, problem text)
    language plpgsql stable security definer set search_path = public, pg_temp
    as $$
    declare
        entry audit_log%rowtype;
        origin audit_chain_origin%rowtype;
        previous bytea := '\x'::bytea;
        expected bigint := 1;
        checked bigint := 0;
    begin
        for entry in select * from audit_log a where a.chain is null order by a.chain_position loop
            if entry.chain_position <> expected then
                return query select checked, format('row %s is missing (next row is %s)', expected, entry.chain_position);
                return;
            end if;
            if entry.prev_hash <> previous then
                return query select checked, format('row %s does not follow row %s (chain link broken)', expected, expected - 1);
                return;
            end if;
            if entry.hash <> sha256(entry.prev_hash || convert_to(audit_log_canonical(entry), 'UTF8')) then
                return query select checked, format('row %s was altered (its hash does not match its fields)', expected);
                return;
            end if;
            previous := entry.hash;
            expected := expected + 1;
            checked := checked + 1;
        end loop;
        select * into origin from audit_chain_origin;
        if not found then
            return query select checked, 'the start of the audit log''s chains is missing'::text;
            return;
        end if;
        if origin.legacy_rows is distinct from checked or origin.genesis is distinct from previous then
            return query select checked, format('rows %s…%s of the log before its chains were striped are missing', checked + 1, origin.legacy_rows);
            return;
        end if;
        for stripe in 0..15 loop
            previous := origin.genesis;
            for entry in select * from audit_log a where a.chain = stripe order by a.chain_position loop
                if entry.prev_hash is distinct from previous then
                    return query select checked, format(
                        'row %s does not follow the row before it in chain %s (a row between them is missing, or the link was altered)',
                        entry.chain_position, stripe);
                    return;
                end if;
                if entry.hash is distinct from sha256(entry.prev_hash || convert_to(audit_log_canonical(entry), 'UTF8')) then
                    return query select checked, format('row %s was altered (its hash does not match its fields)', entry.chain_position);
                    return;
                end if;
                previous := entry.hash;
                checked := checked + 1;
            end loop;
        end loop;
        return query select checked, null::text;
    end
    $$;
