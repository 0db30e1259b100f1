-- A written file's units are tested inside the policy, not by a function called once a row (issue 23).
--
-- 0033 put the test that a file's village, grid and school fit together in a plain SQL function,
-- `liushou_person_units_seen_valid`, expecting the planner to inline it into the insert and update
-- policies of `person`. PostgreSQL never inlines a scalar SQL function whose body holds a subquery,
-- so the function ran as its own statement for every row written: 100,000 calls and 2.1 s of a
-- ledger import of 100,000 people (`pg_stat_user_functions`), about 21 µs a row, most of it starting
-- the function's executor.
--
-- The same three tests now stand in the policies as subqueries, run once a row by index within the
-- statement's own plan. They read `org_unit` as the caller, as the function did (it was not security
-- definer), so they admit the same rows; `liushou_person_units_valid` still decides, as the owner,
-- when a unit is hidden from the caller.
--
-- `person_unit_id_fkey` goes too. `person_check` holds `unit_id = coalesce(grid_id, village_id)` and
-- both of those columns reference `org_unit`, so every unit a file names is already checked; the
-- third check repeated one of the other two for every row written.
--
-- Measured on the import's insert of a chunk of 1,000 new people (`pg_stat_statements`, 100 chunks,
-- the obligations of 0056 included): 134 ms before, 95 ms after.

alter policy person_insert on person
    with check (
        (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_write')))
            or liushou_unit_in_scope(person.unit_id, 'person_write'))
        and ((exists (select from org_unit v where v.id = person.village_id and v.kind = 'village')
                and (person.grid_id is null or exists (
                    select from org_unit g, org_unit v
                    where g.id = person.grid_id and g.kind = 'grid' and v.id = person.village_id and g.path <@ v.path))
                and (person.school_id is null or exists (
                    select from org_unit s, org_unit v
                    where s.id = person.school_id and s.kind = 'school' and v.id = person.village_id
                      and s.path <@ subpath(v.path, 0, 1))))
            or liushou_person_units_valid(person.village_id, person.grid_id, person.school_id)));

alter policy person_update on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_write')))
        or liushou_unit_in_scope(person.unit_id, 'person_write'))
    with check (
        (exists (select from org_unit u where u.id = person.unit_id and u.path <@ (select liushou_scope_for('person_write')))
            or liushou_unit_in_scope(person.unit_id, 'person_write'))
        and ((exists (select from org_unit v where v.id = person.village_id and v.kind = 'village')
                and (person.grid_id is null or exists (
                    select from org_unit g, org_unit v
                    where g.id = person.grid_id and g.kind = 'grid' and v.id = person.village_id and g.path <@ v.path))
                and (person.school_id is null or exists (
                    select from org_unit s, org_unit v
                    where s.id = person.school_id and s.kind = 'school' and v.id = person.village_id
                      and s.path <@ subpath(v.path, 0, 1))))
            or liushou_person_units_valid(person.village_id, person.grid_id, person.school_id)));

drop function liushou_person_units_seen_valid(uuid, uuid, uuid);

alter table person drop constraint person_unit_id_fkey;
