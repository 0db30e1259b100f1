-- A household's scope and units are tested inside its policies, not by functions called once a row
-- (issue 23), as 0055 did for `person`.
--
-- The household policies of 0003 called two PL/pgSQL functions for every row: `liushou_unit_in_scope`
-- (read, insert, update) and `liushou_person_units_valid` (insert, update), each started as a
-- statement of its own. A ledger import inserts a household for every new household number (50,000
-- for a ledger of 100,000 people in households of two), 500 a statement, and reads back those it
-- names again.
--
-- The same tests now stand in the policies as subqueries, planned with the statement and run by
-- index. They read `org_unit` as the caller; when a unit is hidden from the caller the functions
-- still decide, as the owner, as before, so the policies admit exactly the rows they admitted.
--
-- Measured as the demo county's administrator on 100,000 households, 50,000 of them in one village
-- (EXPLAIN ANALYZE, five runs each, rolled back): inserting 500 households 31-45 ms before, 7-11 ms
-- after; counting the village's households 374-509 ms before, 12-16 ms after.
--
-- `household_unit_id_fkey` goes too: `household_check` holds `unit_id = coalesce(grid_id, village_id)`
-- and both of those reference `org_unit`, so the third key checked again, for every row written, a
-- unit the other two had checked.

alter policy household_read on household
    using (exists (select from org_unit u where u.id = household.unit_id and u.path <@ (select liushou_scope_for('person_area')))
        or liushou_unit_in_scope(household.unit_id, 'person_area'));

alter policy household_insert on household
    with check (
        (exists (select from org_unit u where u.id = household.unit_id and u.path <@ (select liushou_scope_for('person_write')))
            or liushou_unit_in_scope(household.unit_id, 'person_write'))
        and ((exists (select from org_unit v where v.id = household.village_id and v.kind = 'village')
                and (household.grid_id is null or exists (
                    select from org_unit g, org_unit v
                    where g.id = household.grid_id and g.kind = 'grid' and v.id = household.village_id and g.path <@ v.path)))
            or liushou_person_units_valid(household.village_id, household.grid_id, null)));

alter policy household_update on household
    using (exists (select from org_unit u where u.id = household.unit_id and u.path <@ (select liushou_scope_for('person_write')))
        or liushou_unit_in_scope(household.unit_id, 'person_write'))
    with check (
        (exists (select from org_unit u where u.id = household.unit_id and u.path <@ (select liushou_scope_for('person_write')))
            or liushou_unit_in_scope(household.unit_id, 'person_write'))
        and ((exists (select from org_unit v where v.id = household.village_id and v.kind = 'village')
                and (household.grid_id is null or exists (
                    select from org_unit g, org_unit v
                    where g.id = household.grid_id and g.kind = 'grid' and v.id = household.village_id and g.path <@ v.path)))
            or liushou_person_units_valid(household.village_id, household.grid_id, null)));

alter table household drop constraint household_unit_id_fkey;
