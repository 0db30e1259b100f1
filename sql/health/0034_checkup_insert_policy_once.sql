-- A checkup's insert policy tests the clinic once (issue 23).
--
-- `checkup_insert` asked twice whether the checkup's person lives in a village the caller's clinic
-- serves: through `liushou_person_served_by_my_clinic(person_id)`, a security-definer PL/pgSQL call
-- (about 14 µs a row), and through its own subquery, which also requires that the serving clinic is
-- the checkup's `clinic_id`. Every row the subquery finds is a row the function finds (the same
-- join, one more condition, run as the caller under the policies of person, org_unit and
-- clinic_service_area, which can only hide rows), so whenever the subquery holds the function holds
-- too, and the function decided nothing. It is dropped from the insert policy; a clinic batch of
-- 5,000 checkups spent 70 ms in it. The read policy is unchanged.

alter policy checkup_insert on checkup
    with check (recorded_by = liushou_account()
        and exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id join person p on p.village_id = a.village_id
                    where a.clinic_id = checkup.clinic_id and p.id = checkup.person_id and c.path <@ liushou_scope_for('clinic')));
