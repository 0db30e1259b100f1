-- A change of school roll (enrolment, transfer, completion, dropout) is copied into the person file
-- by `school_roll_sync_person`, but the copy left the file's completeness as it was: a child filed
-- at 小学 without a school stayed incomplete after being enrolled, and a child who left every roll
-- of the county stayed complete with no school named. 建档完整率 was wrong by those children.
--
-- The roll touches two of the required fields (FileCompleteness in Swift): `child.schoolStage`, and
-- `child.schoolId` when the stage attends a school. The sync now recomputes those two entries of
-- `missing_fields`, keeps the Swift order of the list, and sets `complete` from it. Files already
-- stale are repaired once, below. Tests compare the result with FileCompleteness on the same file.

-- The required fields in the order FileCompleteness lists them.
create function person_required_field_order() returns text[]
    language sql immutable
    as $$
        select array['idNumber', 'ethnicity', 'householdRegistration', 'currentAddress', 'health', 'child.schoolStage', 'child.schoolId',
                     'child.guardianshipType', 'child.guardianshipAssessment', 'child.guardian', 'child.guardian.phone',
                     'child.guardianshipConfirmedOn', 'child.parentsAway', 'elder.livingArrangement', 'elder.selfCare', 'woman.employment',
                     'migrantFamily']
    $$;

-- `p_missing` with its school entries recomputed for a file of `p_categories` at `p_stage` in `p_school`.
create function person_missing_fields_with_school(p_missing text[], p_categories text[], p_stage text, p_school uuid)
    returns text[]
    language sql immutable
    as $$
        select coalesce(array_agg(f order by array_position(person_required_field_order(), f)), '{}')
        from (
            select f from unnest(p_missing) f where f not in ('child.schoolStage', 'child.schoolId')
            union
            select 'child.schoolStage' where p_categories && array['left_behind_child', 'child_in_difficulty'] and p_stage is null
            union
            select 'child.schoolId' where p_categories && array['left_behind_child', 'child_in_difficulty']
                and p_stage in ('kindergarten', 'primary', 'junior_secondary', 'senior_secondary', 'vocational') and p_school is null
        ) fields (f)
    $$;

create or replace function school_roll_sync_person(p_person uuid) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    declare
        p person%rowtype;
        e school_enrolment%rowtype;
        v_school uuid;
        v_stage text;
        v_missing text[];
        v_change uuid := gen_random_uuid();
        v_name text := (select a.username from account a where a.id = liushou_account());
    begin
        select * into p from person where id = p_person for update;
        if not found then
            return;
        end if;
        select * into e from school_enrolment where person_id = p_person and ended_on is null;
        if found then
            v_school := e.school_id;
            v_stage := case when e.status = 'dropped_out' then 'dropped_out' else e.stage end;
        else
            -- Off every roll of the county: a transfer elsewhere keeps the stage, the school is unknown here.
            v_school := null;
            v_stage := p.school_stage;
        end if;
        if p.school_id is not distinct from v_school and p.school_stage is not distinct from v_stage then
            return;
        end if;
        v_missing := person_missing_fields_with_school(p.missing_fields, p.categories, v_stage, v_school);
        update person set school_id = v_school, school_stage = v_stage,
            file = file || jsonb_build_object('child', (coalesce(file -> 'child', '{}'::jsonb) - 'schoolId')
                || jsonb_build_object('schoolStage', v_stage)
                || case when v_school is null then '{}'::jsonb else jsonb_build_object('schoolId', v_school) end
                || case when e.id is null then '{}'::jsonb else jsonb_build_object('boarding', e.boarding) end),
            missing_fields = v_missing, complete = cardinality(v_missing) = 0,
            version = version + 1, updated_at = now()
        where id = p_person;
        insert into person_change (person_id, change_id, account_id, account_name, action, field, old_value, new_value)
        select p_person, v_change, liushou_account(), v_name, 'school.roll', f.field, f.old_value, f.new_value
        from (values ('child.schoolId', p.school_id::text, v_school::text), ('child.schoolStage', p.school_stage, v_stage)) as f (field, old_value, new_value)
        where f.old_value is distinct from f.new_value;
    end
    $$;
revoke all on function school_roll_sync_person(uuid) from public;

-- Files the old sync left stale. Only the two school entries can be wrong, so only they are recomputed.
update person p set missing_fields = fixed.missing, complete = cardinality(fixed.missing) = 0
from (
    select id, person_missing_fields_with_school(missing_fields, categories, school_stage, school_id) as missing from person
) fixed
where fixed.id = p.id and fixed.missing is distinct from p.missing_fields;
