-- A person's units, household and accounts are checked a statement at a time, not a row at a time
-- (issue 23).
--
-- `person` referenced its village, grid and school (`org_unit`), its household and the accounts that
-- filled and checked the file through six foreign keys. A key checks every new row on its own: one
-- query of its own, with a row lock, per row and non-null key. In a ledger chunk of 1,000 new people
-- that was 2,000 to 4,000 lookups of the same few villages and of the importing account, about a
-- sixth of the chunk's work in the database: inserting the chunk as the application role took 367
-- million instructions with the keys and 309 million with the trigger below (callgrind, the backend
-- of a demo county's cluster, deterministic to half a percent).
--
-- The keys are replaced by triggers that keep what the keys kept, as migration 0069 did for the
-- visit obligations:
-- - an insert locks the distinct units, households and accounts its rows name (`for key share`, as
--   a key's check does, so none of them can be deleted or change its id until the transaction
--   ends), one query per column, and fails with foreign_key_violation (23503), naming the old
--   constraint and the missing row, when one is not there. Its trigger's name sorts before the
--   other statement triggers on `person` (the keys' checks, row triggers, ran before every other
--   trigger; row triggers such as the guardianless alert's staging now run before it, and a refused
--   statement takes what they wrote with it);
-- - an update that changes one of these columns checks the new value with one lookup, as the key
--   did (a row trigger with a WHEN, so an update that changes none of them runs nothing);
-- - deleting a unit, household or account that a person names, or changing its id, fails the same
--   way (`referenced_rows_deleted` and `referenced_id_changed`, for any table named without a key). Nothing deletes them (units and accounts are deactivated, households kept), and the
--   application's role may not delete them. A key checks a delete against a fresh snapshot; a
--   trigger sees its transaction's snapshot, which under REPEATABLE READ could miss a person
--   committed meanwhile: these deletes, id changes and truncates are refused outside READ
--   COMMITTED. TRUNCATE fires no delete trigger: it is refused while anyone is filed.
-- Each check reads the other table as a key's check does, past row-level security (the functions run
-- as the tables' owner).

-- Locks the rows of `p_table` named by `p_ids` (duplicates and nulls passed over) as a key's check
-- does, and fails naming `p_constraint` of `p_child` and the first id missing.
create function reference_rows_lock(p_table regclass, p_ids uuid[], p_constraint text, p_child text) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_found integer;
        v_missing uuid;
    begin
        p_ids := array(select distinct x from unnest(p_ids) x where x is not null);
        if cardinality(p_ids) = 0 then
            return;
        end if;
        execute format('select count(*) from (select t.id from %s t where t.id = any ($1) order by t.id for key share of t) l', p_table)
            into v_found using p_ids;
        if v_found < cardinality(p_ids) then
            execute format('select w.id from unnest($1) w (id) where not exists (select from %s t where t.id = w.id) limit 1', p_table)
                into v_missing using p_ids;
            raise exception '% names % %, which does not exist', p_child, p_table, v_missing
                using errcode = 'foreign_key_violation', constraint = p_constraint, table = p_child;
        end if;
    end
    $$;
revoke all on function reference_rows_lock(regclass, uuid[], text, text) from public;

-- After each inserting statement: every row's references at once.
create function person_references_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        -- Every unit named, locked in one pass in id order (as a unit move locks its subtree), before each
        -- column's check names the key of a missing one.
        perform from org_unit u
        where u.id in (select x.id from new_rows n cross join lateral (values (n.village_id), (n.grid_id), (n.school_id)) x (id))
        order by u.id
        for key share of u;
        perform reference_rows_lock('org_unit', array(select n.village_id from new_rows n), 'person_village_id_fkey', 'person');
        perform reference_rows_lock('org_unit', array(select n.grid_id from new_rows n), 'person_grid_id_fkey', 'person');
        perform reference_rows_lock('org_unit', array(select n.school_id from new_rows n), 'person_school_id_fkey', 'person');
        perform reference_rows_lock('household', array(select n.household_id from new_rows n), 'person_household_id_fkey', 'person');
        perform reference_rows_lock('account', array(select n.filled_by from new_rows n), 'person_filled_by_fkey', 'person');
        perform reference_rows_lock('account', array(select n.checked_by from new_rows n), 'person_checked_by_fkey', 'person');
        return null;
    end
    $$;
revoke all on function person_references_inserted() from public;

-- After a row's reference changed: each new value, with one lookup, as the key's check made it.
create function person_references_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if new.village_id is distinct from old.village_id and new.village_id is not null then
            perform from org_unit u where u.id = new.village_id for key share of u;
            if not found then
                raise exception 'person names org_unit %, which does not exist', new.village_id
                    using errcode = 'foreign_key_violation', constraint = 'person_village_id_fkey', table = 'person';
            end if;
        end if;
        if new.grid_id is distinct from old.grid_id and new.grid_id is not null then
            perform from org_unit u where u.id = new.grid_id for key share of u;
            if not found then
                raise exception 'person names org_unit %, which does not exist', new.grid_id
                    using errcode = 'foreign_key_violation', constraint = 'person_grid_id_fkey', table = 'person';
            end if;
        end if;
        if new.school_id is distinct from old.school_id and new.school_id is not null then
            perform from org_unit u where u.id = new.school_id for key share of u;
            if not found then
                raise exception 'person names org_unit %, which does not exist', new.school_id
                    using errcode = 'foreign_key_violation', constraint = 'person_school_id_fkey', table = 'person';
            end if;
        end if;
        if new.household_id is distinct from old.household_id and new.household_id is not null then
            perform from household h where h.id = new.household_id for key share of h;
            if not found then
                raise exception 'person names household %, which does not exist', new.household_id
                    using errcode = 'foreign_key_violation', constraint = 'person_household_id_fkey', table = 'person';
            end if;
        end if;
        if new.filled_by is distinct from old.filled_by and new.filled_by is not null then
            perform from account a where a.id = new.filled_by for key share of a;
            if not found then
                raise exception 'person names account %, which does not exist', new.filled_by
                    using errcode = 'foreign_key_violation', constraint = 'person_filled_by_fkey', table = 'person';
            end if;
        end if;
        if new.checked_by is distinct from old.checked_by and new.checked_by is not null then
            perform from account a where a.id = new.checked_by for key share of a;
            if not found then
                raise exception 'person names account %, which does not exist', new.checked_by
                    using errcode = 'foreign_key_violation', constraint = 'person_checked_by_fkey', table = 'person';
            end if;
        end if;
        return null;
    end
    $$;
revoke all on function person_references_changed() from public;

create trigger person_check_references_inserted after insert on person
    referencing new table as new_rows
    for each statement execute function person_references_inserted();
create trigger person_check_references_changed after update of village_id, grid_id, school_id, household_id, filled_by, checked_by
    on person
    for each row when (
        old.village_id is distinct from new.village_id
        or old.grid_id is distinct from new.grid_id
        or old.school_id is distinct from new.school_id
        or old.household_id is distinct from new.household_id
        or old.filled_by is distinct from new.filled_by
        or old.checked_by is distinct from new.checked_by)
    execute function person_references_changed();

-- A row that rows of other tables name without a foreign key is neither deleted nor given another id,
-- nor its table truncated, while they name it. For any table so named: TG_ARGV holds triples, a
-- naming table, its column, and the constraint an error names (for truncation, the naming tables).
create function referenced_rows_deleted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_named uuid;
    begin
        if current_setting('transaction_isolation') <> 'read committed' and exists (select from old_rows) then
            raise exception 'delete from % in a READ COMMITTED transaction: only there are the rows naming its rows checked as they are now', TG_TABLE_NAME
                using errcode = 'object_not_in_prerequisite_state';
        end if;
        for i in 0 .. TG_NARGS - 1 by 3 loop
            execute format('select o.id from old_rows o where exists (select from %I c where c.%I = o.id) limit 1', TG_ARGV[i], TG_ARGV[i + 1])
                into v_named;
            if v_named is not null then
                raise exception '% % is still named by %', TG_TABLE_NAME, v_named, TG_ARGV[i]
                    using errcode = 'foreign_key_violation', constraint = TG_ARGV[i + 2], table = TG_ARGV[i];
            end if;
        end loop;
        return null;
    end
    $$;
revoke all on function referenced_rows_deleted() from public;

create function referenced_id_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_named boolean;
    begin
        if current_setting('transaction_isolation') <> 'read committed' then
            raise exception 'change ids in % in a READ COMMITTED transaction: only there are the rows naming its rows checked as they are now', TG_TABLE_NAME
                using errcode = 'object_not_in_prerequisite_state';
        end if;
        for i in 0 .. TG_NARGS - 1 by 3 loop
            execute format('select exists (select from %I c where c.%I = $1)', TG_ARGV[i], TG_ARGV[i + 1]) into v_named using old.id;
            if v_named then
                raise exception '% % is still named by %', TG_TABLE_NAME, old.id, TG_ARGV[i]
                    using errcode = 'foreign_key_violation', constraint = TG_ARGV[i + 2], table = TG_ARGV[i];
            end if;
        end loop;
        return null;
    end
    $$;
revoke all on function referenced_id_changed() from public;

create function referenced_rows_truncated() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_table text;
        v_named boolean;
    begin
        if current_setting('transaction_isolation') <> 'read committed' then
            raise exception 'truncate % in a READ COMMITTED transaction: only there are the rows naming its rows checked as they are now', TG_TABLE_NAME
                using errcode = 'object_not_in_prerequisite_state';
        end if;
        foreach v_table in array TG_ARGV loop
            execute format('select exists (select from %I)', v_table) into v_named;
            if v_named then
                raise exception 'truncate % while % has rows: they name its rows', TG_TABLE_NAME, v_table
                    using errcode = 'foreign_key_violation', table = v_table;
            end if;
        end loop;
        return null;
    end
    $$;
revoke all on function referenced_rows_truncated() from public;

create trigger org_unit_people_kept after delete on org_unit
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted(
        'person', 'village_id', 'person_village_id_fkey', 'person', 'grid_id', 'person_grid_id_fkey',
        'person', 'school_id', 'person_school_id_fkey');
create trigger org_unit_people_keep_id after update of id on org_unit
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed(
        'person', 'village_id', 'person_village_id_fkey', 'person', 'grid_id', 'person_grid_id_fkey',
        'person', 'school_id', 'person_school_id_fkey');
create trigger org_unit_people_not_truncated before truncate on org_unit
    for each statement execute function referenced_rows_truncated('person');
create trigger household_people_kept after delete on household
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted('person', 'household_id', 'person_household_id_fkey');
create trigger household_people_keep_id after update of id on household
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('person', 'household_id', 'person_household_id_fkey');
create trigger household_people_not_truncated before truncate on household
    for each statement execute function referenced_rows_truncated('person');
create trigger account_people_kept after delete on account
    referencing old table as old_rows
    for each statement execute function referenced_rows_deleted(
        'person', 'filled_by', 'person_filled_by_fkey', 'person', 'checked_by', 'person_checked_by_fkey');
create trigger account_people_keep_id after update of id on account
    for each row when (old.id is distinct from new.id)
    execute function referenced_id_changed('person', 'filled_by', 'person_filled_by_fkey', 'person', 'checked_by', 'person_checked_by_fkey');
create trigger account_people_not_truncated before truncate on account
    for each statement execute function referenced_rows_truncated('person');

-- The checks above find people by index for a village, school or household (person_village,
-- person_school, person_household); a grid's and an account's read the table, as their keys' checks
-- did: units and accounts are never deleted, and an index would cost every new person a write.

alter table person drop constraint person_village_id_fkey;
alter table person drop constraint person_grid_id_fkey;
alter table person drop constraint person_school_id_fkey;
alter table person drop constraint person_household_id_fkey;
alter table person drop constraint person_filled_by_fkey;
alter table person drop constraint person_checked_by_fkey;
