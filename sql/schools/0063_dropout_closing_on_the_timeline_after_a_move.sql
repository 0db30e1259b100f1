-- A dropout case closed by its town reaches the child's timeline after the child's file moved
-- (stop 52's review).
--
-- The case stays with the town where the child was filed when they dropped out; the file may have
-- moved to another town since. Closing is allowed by the case's policies (`dropout_close` on the
-- case's unit), but the timeline entry was inserted under `person_event_insert`, which asks that
-- the caller see the child now: 500. The entry is now written as the table owner for a case the
-- caller may close, with the child the case names.

create function dropout_case_timeline(p_case uuid, p_event uuid, p_summary text, p_account_name text) returns void
    language plpgsql security definer set search_path = public, pg_temp
    as $$
    begin
        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
        select p_event, d.person_id, 'schools', 'school.dropout_closed', p_summary, p_account_name, d.id::text
        from dropout_case d
        where d.id = p_case and liushou_unit_in_scope(d.unit_id, 'dropout_close');
        if not found then
            raise exception 'dropout case % is not yours to close', p_case using errcode = '42501';
        end if;
    end
    $$;
revoke all on function dropout_case_timeline(uuid, uuid, text, text) from public;
grant execute on function dropout_case_timeline(uuid, uuid, text, text) to liushou_app;
