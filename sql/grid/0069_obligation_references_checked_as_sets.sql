-- An obligation's references are checked a statement at a time, not a row at a time (issue 23).
--
-- `visit_obligation` referenced its person, its rule and its unit through three foreign keys. A key
-- checks every new row on its own: one lookup (a query of its own, with a row lock) per row and
-- key. A new person has two or three obligations, so a ledger chunk of 1,000 new people made about
-- 7,500 of them. Inserting a chunk of 1,000 new people (a rolled-back transaction on a kept demo
-- county, five runs of each, alternating) took 105-114 ms with the keys and 69-72 ms with the
-- triggers below; without any check, 64-69 ms.
--
-- The obligations are derived rows: only this module's security-definer functions write them, from
-- `person`, `visit_rule` and `org_unit`, a set at a time. The keys are replaced by triggers that keep
-- what the keys kept:
-- - an insert locks the people, rules and units its rows name, as a key's check does (`for key
--   share`, so none of them can be deleted or change its id until the transaction ends), in one
--   query a table, and fails with foreign_key_violation (23503), naming the old constraint and the
--   missing row, when one is not there;
-- - an update that changes a row's person, rule or unit (a rebuild after an override or a move)
--   checks the reference that changed, as the key did, row by row and as fast (a trigger a column,
--   so a door check's update of the last check runs none of them);
-- - deleting a person, a rule or a unit that an obligation still names, or changing its id, fails
--   the same way. No function deletes them (people exit, rules and units are deactivated), and
--   the application's role may not delete or truncate these tables at all. A key checks a delete
--   against a fresh snapshot; a trigger sees its transaction's snapshot, which under REPEATABLE
--   READ could miss an obligation committed meanwhile: these deletes, id changes and truncates are
--   refused outside READ COMMITTED. TRUNCATE fires no delete trigger: it is refused while
--   obligations exist.
-- Each check reads the other table as a key's check does, past row-level security (the functions
-- run as the tables' owner).

-- Locks the people, rules and units named (duplicates and nulls are passed over) as a foreign key's
-- check does, and fails naming the first one missing.
create function visit_obligation_references_check(p_people uuid[], p_rules uuid[], p_units uuid[]) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_found integer;
        v_missing uuid;
    begin
        if cardinality(p_people) > 0 then
            p_people := array(select distinct x from unnest(p_people) x where x is not null);
            select count(*) into v_found from (select p.id from person p where p.id = any (p_people) for key share of p) l;
            if v_found < cardinality(p_people) then
                select w.id into v_missing from unnest(p_people) w (id) where not exists (select from person p where p.id = w.id) limit 1;
                raise exception 'an obligation names person %, who does not exist', v_missing
                    using errcode = 'foreign_key_violation', constraint = 'visit_obligation_person_id_fkey', table = 'visit_obligation';
            end if;
        end if;
        if cardinality(p_rules) > 0 then
            p_rules := array(select distinct x from unnest(p_rules) x where x is not null);
            select count(*) into v_found from (select r.id from visit_rule r where r.id = any (p_rules) for key share of r) l;
            if v_found < cardinality(p_rules) then
                select w.id into v_missing from unnest(p_rules) w (id) where not exists (select from visit_rule r where r.id = w.id) limit 1;
                raise exception 'an obligation names visit rule %, which does not exist', v_missing
                    using errcode = 'foreign_key_violation', constraint = 'visit_obligation_rule_id_fkey', table = 'visit_obligation';
            end if;
        end if;
        if cardinality(p_units) > 0 then
            p_units := array(select distinct x from unnest(p_units) x where x is not null);
            select count(*) into v_found from (select u.id from org_unit u where u.id = any (p_units) for key share of u) l;
            if v_found < cardinality(p_units) then
                select w.id into v_missing from unnest(p_units) w (id) where not exists (select from org_unit u where u.id = w.id) limit 1;
                raise exception 'an obligation names unit %, which does not exist', v_missing
                    using errcode = 'foreign_key_violation', constraint = 'visit_obligation_unit_id_fkey', table = 'visit_obligation';
            end if;
        end if;
    end
    $$;
revoke all on function visit_obligation_references_check(uuid[], uuid[], uuid[]) from public;

-- After each inserting statement: every row's references at once.
create function visit_obligation_references_inserted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        perform visit_obligation_references_check(
            array(select n.person_id from new_rows n),
            array(select n.rule_id from new_rows n),
            array(select n.unit_id from new_rows n));
        return null;
    end
    $$;
revoke all on function visit_obligation_references_inserted() from public;

-- After a row's person, rule or unit changed: that reference (TG_ARGV[0] names which), with one
-- lookup, as the key's check made it. (Through the set check above, a rebuild that changed the rule
-- of 50,000 obligations took 3.6-4.1 s; this way 1.7-2.0 s, and 1.7-1.9 s with the keys.)
create function visit_obligation_reference_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if TG_ARGV[0] = 'rule' then
            perform from visit_rule r where r.id = new.rule_id for key share of r;
            if not found then
                raise exception 'an obligation names visit rule %, which does not exist', new.rule_id
                    using errcode = 'foreign_key_violation', constraint = 'visit_obligation_rule_id_fkey', table = 'visit_obligation';
            end if;
        elsif TG_ARGV[0] = 'unit' then
            perform from org_unit u where u.id = new.unit_id for key share of u;
            if not found then
                raise exception 'an obligation names unit %, which does not exist', new.unit_id
                    using errcode = 'foreign_key_violation', constraint = 'visit_obligation_unit_id_fkey', table = 'visit_obligation';
            end if;
        else
            perform from person p where p.id = new.person_id for key share of p;
            if not found then
                raise exception 'an obligation names person %, who does not exist', new.person_id
                    using errcode = 'foreign_key_violation', constraint = 'visit_obligation_person_id_fkey', table = 'visit_obligation';
            end if;
        end if;
        return null;
    end
    $$;
revoke all on function visit_obligation_reference_changed() from public;

create trigger visit_obligation_references_inserted after insert on visit_obligation
    referencing new table as new_rows
    for each statement execute function visit_obligation_references_inserted();
create trigger visit_obligation_person_changed after update of person_id on visit_obligation
    for each row when (old.person_id is distinct from new.person_id)
    execute function visit_obligation_reference_changed('person');
create trigger visit_obligation_rule_changed after update of rule_id on visit_obligation
    for each row when (old.rule_id is distinct from new.rule_id)
    execute function visit_obligation_reference_changed('rule');
create trigger visit_obligation_unit_changed after update of unit_id on visit_obligation
    for each row when (old.unit_id is distinct from new.unit_id)
    execute function visit_obligation_reference_changed('unit');

-- A person, rule or unit still named by an obligation is neither deleted nor given another id.
-- TG_ARGV[0] names the obligation's column, TG_ARGV[1] the constraint the error names.
create function visit_obligation_referenced_rows_deleted() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_named uuid;
    begin
        if current_setting('transaction_isolation') <> 'read committed' and exists (select from old_rows) then
            raise exception 'delete from % in a READ COMMITTED transaction: only there are the visit obligations naming its rows checked as they are now', TG_TABLE_NAME
                using errcode = 'object_not_in_prerequisite_state';
        end if;
        execute format('select o.id from old_rows o where exists (select from visit_obligation v where v.%I = o.id) limit 1', TG_ARGV[0])
            into v_named;
        if v_named is not null then
            raise exception '% % is still named by a visit obligation', TG_TABLE_NAME, v_named
                using errcode = 'foreign_key_violation', constraint = TG_ARGV[1], table = 'visit_obligation';
        end if;
        return null;
    end
    $$;
revoke all on function visit_obligation_referenced_rows_deleted() from public;

create function visit_obligation_referenced_id_changed() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        v_named boolean;
    begin
        if current_setting('transaction_isolation') <> 'read committed' then
            raise exception 'change ids in % in a READ COMMITTED transaction: only there are the visit obligations naming its rows checked as they are now', TG_TABLE_NAME
                using errcode = 'object_not_in_prerequisite_state';
        end if;
        execute format('select exists (select from visit_obligation v where v.%I = $1)', TG_ARGV[0]) into v_named using old.id;
        if v_named then
            raise exception '% % is still named by a visit obligation', TG_TABLE_NAME, old.id
                using errcode = 'foreign_key_violation', constraint = TG_ARGV[1], table = 'visit_obligation';
        end if;
        return null;
    end
    $$;
revoke all on function visit_obligation_referenced_id_changed() from public;

create trigger person_obligations_kept after delete on person
    referencing old table as old_rows
    for each statement execute function visit_obligation_referenced_rows_deleted('person_id', 'visit_obligation_person_id_fkey');
create trigger person_obligations_keep_id after update of id on person
    for each row when (old.id is distinct from new.id)
    execute function visit_obligation_referenced_id_changed('person_id', 'visit_obligation_person_id_fkey');
create trigger visit_rule_obligations_kept after delete on visit_rule
    referencing old table as old_rows
    for each statement execute function visit_obligation_referenced_rows_deleted('rule_id', 'visit_obligation_rule_id_fkey');
create trigger visit_rule_obligations_keep_id after update of id on visit_rule
    for each row when (old.id is distinct from new.id)
    execute function visit_obligation_referenced_id_changed('rule_id', 'visit_obligation_rule_id_fkey');
create trigger org_unit_obligations_kept after delete on org_unit
    referencing old table as old_rows
    for each statement execute function visit_obligation_referenced_rows_deleted('unit_id', 'visit_obligation_unit_id_fkey');
create trigger org_unit_obligations_keep_id after update of id on org_unit
    for each row when (old.id is distinct from new.id)
    execute function visit_obligation_referenced_id_changed('unit_id', 'visit_obligation_unit_id_fkey');

-- TRUNCATE removes rows without a delete trigger: refused while obligations could name them.
create function visit_obligation_referenced_rows_truncated() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        if current_setting('transaction_isolation') <> 'read committed' then
            raise exception 'truncate % in a READ COMMITTED transaction: only there are the visit obligations naming its rows checked as they are now', TG_TABLE_NAME
                using errcode = 'object_not_in_prerequisite_state';
        end if;
        if exists (select from visit_obligation) then
            raise exception 'truncate % while visit obligations exist: they name its rows', TG_TABLE_NAME
                using errcode = 'foreign_key_violation', table = 'visit_obligation';
        end if;
        return null;
    end
    $$;
revoke all on function visit_obligation_referenced_rows_truncated() from public;

create trigger person_obligations_not_truncated before truncate on person
    for each statement execute function visit_obligation_referenced_rows_truncated();
create trigger visit_rule_obligations_not_truncated before truncate on visit_rule
    for each statement execute function visit_obligation_referenced_rows_truncated();
create trigger org_unit_obligations_not_truncated before truncate on org_unit
    for each statement execute function visit_obligation_referenced_rows_truncated();

-- The person's and the unit's checks above find obligations by index (the primary key, and
-- visit_obligation_unit_due); a rule's reads the table, as its key's check did: rules are never
-- deleted, and an index would cost every new obligation a write.

alter table visit_obligation drop constraint visit_obligation_person_id_fkey;
alter table visit_obligation drop constraint visit_obligation_rule_id_fkey;
alter table visit_obligation drop constraint visit_obligation_unit_id_fkey;
