-- A door check's person, household, unit and visitor are checked a statement at a time, not a row at
-- a time (issue 23).
--
-- `door_check` referenced them through four foreign keys, each checked for every new row with a query
-- of its own and a row lock. A phone's offline batch of 1,000 checks cost 783 thousand instructions a
-- check in the database, 123 thousand of them in these four keys (callgrind, one transaction of
-- `door_checks_record` on a demo county); with the trigger below, 679 thousand. A transaction of one
-- check costs more with it (5.97 million instructions against 5.71: the trigger's eight statements
-- cost more than four lookups), and a group commit of the server's single checks (about 13 a
-- transaction under load) costs less. Folding the eight statements into one cost more still (6.20
-- million): not kept. The keys are replaced by a trigger that keeps what they
-- kept, as 0069, 0071 and 0072 did: an insert locks the distinct people, households, units and
-- visitors its rows name (`for key share`), one query a table planned once a session, and fails with
-- foreign_key_violation (23503), naming the old constraint and the missing row; an update that changes
-- one (nothing in the application does) checks the new value with one lookup (a check never moves
-- to another month: `door_check_keep_key`). A check written straight into one month's table is not
-- checked (see 0072 and the README's re-attach steps). Deleting, renumbering or truncating a person,
-- household, unit or account a check names is refused by 0071's guards, only in READ COMMITTED
-- (0069's reasons).
--
-- The check's key (`door_check_key_fkey`, its id and time in `door_check_key`) stays a foreign key:
-- follow-ups and volunteer visits reference the key table, and the key is what makes an id unique
-- across months.

create function door_check_references_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_ids uuid[];
        v_found integer;
        v_missing uuid;
    begin
        v_ids := array(select distinct n.person_id from new_rows n where n.person_id is not null);
        select count(*) into v_found from (select p.id from person p where p.id = any (v_ids) order by p.id for key share of p) l;
        if v_found < cardinality(v_ids) then
            select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from person p where p.id = w.id) limit 1;
            raise exception 'a door check names person %, who does not exist', v_missing
                using errcode = 'foreign_key_violation', constraint = 'door_check_person_fkey', table = 'door_check';
        end if;
        v_ids := array(select distinct n.household_id from new_rows n where n.household_id is not null);
        if cardinality(v_ids) > 0 then
            select count(*) into v_found from (select h.id from household h where h.id = any (v_ids) order by h.id for key share of h) l;
            if v_found < cardinality(v_ids) then
                select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from household h where h.id = w.id) limit 1;
                raise exception 'a door check names household %, which does not exist', v_missing
                    using errcode = 'foreign_key_violation', constraint = 'door_check_household_fkey', table = 'door_check';
            end if;
        end if;
        v_ids := array(select distinct n.unit_id from new_rows n);
        select count(*) into v_found from (select u.id from org_unit u where u.id = any (v_ids) order by u.id for key share of u) l;
        if v_found < cardinality(v_ids) then
            select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from org_unit u where u.id = w.id) limit 1;
            raise exception 'a door check names unit %, which does not exist', v_missing
                using errcode = 'foreign_key_violation', constraint = 'door_check_unit_fkey', table = 'door_check';
        end if;
        v_ids := array(select distinct n.visitor_account_id from new_rows n);
        select count(*) into v_found from (select a.id from account a where a.id = any (v_ids) order by a.id for key share of a) l;
        if v_found < cardinality(v_ids) then
            select w.id into v_missing from unnest(v_ids) w (id) where not exists (select from account a where a.id = w.id) limit 1;
            raise exception 'a door check names visitor account %, which does not exist', v_missing
                using errcode = 'foreign_key_violation', constraint = 'door_check_visitor_fkey', table = 'door_check';
        end if;
        return null;
    end
    $$;
revoke all on function door_check_references_inserted() from public;

create trigger door_check_references_inserted after insert on door_check
    referencing new table as new_rows
    for each statement execute function door_check_references_inserted();

-- After a row's reference changed (nothing in the application does that): each new value, with one
-- lookup, as the key's check made it.
create function door_check_references_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if new.person_id is distinct from old.person_id and new.person_id is not null then
            perform from person p where p.id = new.person_id for key share of p;
            if not found then
                raise exception 'a door check names person %, who does not exist', new.person_id
                    using errcode = 'foreign_key_violation', constraint = 'door_check_person_fkey', table = TG_TABLE_NAME;
            end if;
        end if;
        if new.household_id is distinct from old.household_id and new.household_id is not null then
            perform from household h where h.id = new.household_id for key share of h;
            if not found then
                raise exception 'a door check names household %, which does not exist', new.household_id
                    using errcode = 'foreign_key_violation', constraint = 'door_check_household_fkey', table = TG_TABLE_NAME;
            end if;
        end if;
        if new.unit_id is distinct from old.unit_id then
            perform from org_unit u where u.id = new.unit_id for key share of u;
            if not found then
                raise exception 'a door check names unit %, which does not exist', new.unit_id
                    using errcode = 'foreign_key_violation', constraint = 'door_check_unit_fkey', table = TG_TABLE_NAME;
            end if;
        end if;
        if new.visitor_account_id is distinct from old.visitor_account_id then
            perform from account a where a.id = new.visitor_account_id for key share of a;
            if not found then
                raise exception 'a door check names visitor account %, which does not exist', new.visitor_account_id
                    using errcode = 'foreign_key_violation', constraint = 'door_check_visitor_fkey', table = TG_TABLE_NAME;
            end if;
        end if;
        return null;
    end
    $$;
revoke all on function door_check_references_changed() from public;

create trigger door_check_references_changed after update of person_id, household_id, unit_id, visitor_account_id on door_check
    for each row when (
        old.person_id is distinct from new.person_id
        or old.household_id is distinct from new.household_id
        or old.unit_id is distinct from new.unit_id
        or old.visitor_account_id is distinct from new.visitor_account_id)
    execute function door_check_references_changed();

create trigger person_door_checks_kept after delete on person
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('door_check', 'person_id', 'door_check_person_fkey');
create trigger person_door_checks_keep_id after update of id on person
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('door_check', 'person_id', 'door_check_person_fkey');
create trigger person_door_checks_not_truncated before truncate on person
    for each statement execute function referenced_rows_truncated('door_check');
create trigger household_door_checks_kept after delete on household
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('door_check', 'household_id', 'door_check_household_fkey');
create trigger household_door_checks_keep_id after update of id on household
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('door_check', 'household_id', 'door_check_household_fkey');
create trigger household_door_checks_not_truncated before truncate on household
    for each statement execute function referenced_rows_truncated('door_check');
create trigger org_unit_door_checks_kept after delete on org_unit
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('door_check', 'unit_id', 'door_check_unit_fkey');
create trigger org_unit_door_checks_keep_id after update of id on org_unit
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('door_check', 'unit_id', 'door_check_unit_fkey');
create trigger org_unit_door_checks_not_truncated before truncate on org_unit
    for each statement execute function referenced_rows_truncated('door_check');
create trigger account_door_checks_kept after delete on account
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('door_check', 'visitor_account_id', 'door_check_visitor_fkey');
create trigger account_door_checks_keep_id after update of id on account
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('door_check', 'visitor_account_id', 'door_check_visitor_fkey');
create trigger account_door_checks_not_truncated before truncate on account
    for each statement execute function referenced_rows_truncated('door_check');

-- The guards find a person's, household's and unit's checks by index in every month (door_check_person,
-- door_check_household, door_check_unit); an account's read the table, as its key's check did:
-- accounts are never deleted.

alter table door_check drop constraint door_check_person_fkey;
alter table door_check drop constraint door_check_household_fkey;
alter table door_check drop constraint door_check_unit_fkey;
alter table door_check drop constraint door_check_visitor_fkey;
