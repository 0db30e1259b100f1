-- A relief case's steps reach the person's timeline after the person's file moved (stop 52's review).
--
-- A case stays with the unit it was raised in; a file may move on (another grid, another town).
-- The step itself is allowed by the case's policies, but its timeline entry was inserted under
-- `person_event_insert`, which asks that the caller see the person now: a grid worker withdrawing
-- a case after the person moved to another grid answered 500. The entry is now written as the
-- table owner for a case the caller may act on (its unit in the caller's relief scope, or raised by
-- the caller), with the person the case names.

create function relief_case_timeline(p_case uuid, p_event uuid, p_kind text, p_summary text, p_account_name text) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
        select p_event, c.person_id, 'relief', p_kind, p_summary, p_account_name, c.id::text
        from relief_case c
        where c.id = p_case and (liushou_unit_in_scope(c.unit_id, 'relief') or c.raised_by = liushou_account());
        if not found then
            raise exception 'relief case % is not yours to act on', p_case using errcode = '42501';
        end if;
    end
    $$;
revoke all on function relief_case_timeline(uuid, uuid, text, text, text) from public;
grant execute on function relief_case_timeline(uuid, uuid, text, text, text) to liushou_app;
