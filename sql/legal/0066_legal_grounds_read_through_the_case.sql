-- A legal-aid case's grounds of eligibility are read through the case (stop 52's review).
--
-- The grounds (a minor, economic hardship from the registry's assistance, a means-free category)
-- were read from the person's file under the caller's policies. The legal-aid office keeps a case
-- after the person's file moved out of its town; it then no longer saw the file, the grounds came
-- back empty, and deciding the case eligible was always refused (422). They are now read as the
-- table's owner for a case in the caller's legal-aid scope, with the settings of the county the
-- case was opened in.

create function legal_case_person_facts(p_case uuid)
    returns table (birth_date date, categories text[], assistance text[], hardship text[], means_free text[])
    language sql stable security definer set search_path = public, pg_temp
    as $$
        select p.birth_date, p.categories,
            array(select jsonb_array_elements_text(coalesce(p.file -> 'assistance', '[]'::jsonb))),
            coalesce(s.hardship_assistance, '{minimum_living,extreme_poverty}'),
            coalesce(s.means_free_categories, '{}')
        from legal_case c join person p on p.id = c.person_id
            left join legal_aid_setting s on s.county_id = liushou_county_of(c.unit_id)
        where c.id = p_case and liushou_unit_in_scope(c.unit_id, 'legal_aid')
    $$;
revoke all on function legal_case_person_facts(uuid) from public;
grant execute on function legal_case_person_facts(uuid) to liushou_app;
