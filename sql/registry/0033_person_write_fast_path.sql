-- Who may write a file, decided faster (issue 23), as 0026 did for who may read one.
--
-- The insert and update policies of `person` called two security-definer PL/pgSQL functions for
-- every row written, `liushou_unit_in_scope(unit_id, 'person_write')` and
-- `liushou_person_units_valid(village_id, grid_id, school_id)`, and the insert policy of
-- `person_change` two more for every change recorded. Each call costs 12–25 µs, most of it
-- the call itself; a ledger import of 20,000 people spent 0.9 s in them, a seventh of its time.
--
-- Each test now comes first as an inline subquery the planner runs by index, then the function
-- only when the subquery fails. The answer does not change: each subquery is the function's own
-- test run as the caller, and the policies of `org_unit` and `person` can only hide rows from it, never add any.
-- A unit hidden from the caller (a school of the county outside a village cadre's scope) falls
-- through to the function, which decides as before. The consistency test is a plain SQL function
-- so that the planner inlines it into the policy; a SET search_path would stop the inlining, so its
-- table is named with its schema (a caller's temporary table named org_unit cannot stand in for it).

create function liushou_person_units_seen_valid(p_village uuid, p_grid uuid, p_school uuid) returns boolean
    language sql stable
    as $$
        select exists (select from public.org_unit v where v.id = p_village and v.kind = 'village')
            and (p_grid is null or exists (
                select from public.org_unit g, public.org_unit v
                where g.id = p_grid and g.kind = 'grid' and v.id = p_village and g.path <@ v.path))
            and (p_school is null or exists (
                select from public.org_unit s, public.org_unit v
                where s.id = p_school and s.kind = 'school' and v.id = p_village and s.path <@ subpath(v.path, 0, 1)))
    $$;
revoke all on function liushou_person_units_seen_valid(uuid, uuid, uuid) from public;
grant execute on function liushou_person_units_seen_valid(uuid, uuid, uuid) to liushou_app;

alter policy person_insert on person
    with check (
        (exists (select from org_unit u where u.id = person.unit_id and u.path <@ liushou_scope_for('person_write'))
            or liushou_unit_in_scope(person.unit_id, 'person_write'))
        and (liushou_person_units_seen_valid(person.village_id, person.grid_id, person.school_id)
            or liushou_person_units_valid(person.village_id, person.grid_id, person.school_id)));

alter policy person_update on person
    using (exists (select from org_unit u where u.id = person.unit_id and u.path <@ liushou_scope_for('person_write'))
        or liushou_unit_in_scope(person.unit_id, 'person_write'))
    with check (
        (exists (select from org_unit u where u.id = person.unit_id and u.path <@ liushou_scope_for('person_write'))
            or liushou_unit_in_scope(person.unit_id, 'person_write'))
        and (liushou_person_units_seen_valid(person.village_id, person.grid_id, person.school_id)
            or liushou_person_units_valid(person.village_id, person.grid_id, person.school_id)));

-- A file's field history is written with every change, under the same test of the file's unit.
alter policy person_change_insert on person_change
    with check (
        exists (select from person p join org_unit u on u.id = p.unit_id
                where p.id = person_change.person_id and u.path <@ liushou_scope_for('person_write'))
        or liushou_unit_in_scope(liushou_person_unit(person_change.person_id), 'person_write'));
