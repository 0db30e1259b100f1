-- A timeline entry's module and kind are checked by the characters they hold, not by a regular
-- expression (issue 23).
--
-- `person_event_module_format` and `person_event_kind_format` (0030) matched `^[a-z_]{3,30}$` and
-- `^[a-z_.]{3,60}$` with `~`, for every row written. Every bulk path writes the timeline (a
-- checkup, a door check or a new file is one entry a person), and the two regular expressions were
-- a third of an entry's insert as the owner: 2,500 entries into one month took 21-22 ms with them,
-- 13-14 ms with no check and 15 ms with these (the same database, three times each).
--
-- The new checks admit exactly what the old ones did: a length in characters within the bounds,
-- and nothing left once the allowed characters are trimmed from the start (`ltrim` stops at the
-- first other character, so an empty rest means every character is allowed; a line break, a digit,
-- a capital or any other letter is not). The names stay, so a refusal reads as before.
--
-- Dropping the parent's constraints drops the months' inherited copies; a month made by 0030's
-- `history_partition_create` (a copy of the parent, then attached) also holds its own, dropped here
-- too. Adding them again checks every stored entry once (one scan of each month, a few seconds
-- per ten million entries), during the upgrade's stop-the-world.

alter table person_event drop constraint person_event_module_format;
alter table person_event drop constraint person_event_kind_format;

do $$
    declare
        month regclass;
    begin
        for month in select i.inhrelid::regclass from pg_inherits i where i.inhparent = 'person_event'::regclass loop
            execute format('alter table %s drop constraint if exists person_event_module_format', month);
            execute format('alter table %s drop constraint if exists person_event_kind_format', month);
        end loop;
    end
$$;

alter table person_event
    add constraint person_event_module_format
        check (char_length(module) between 3 and 30 and ltrim(module, 'abcdefghijklmnopqrstuvwxyz_') = '');
alter table person_event
    add constraint person_event_kind_format
        check (char_length(kind) between 3 and 60 and ltrim(kind, 'abcdefghijklmnopqrstuvwxyz_.') = '');
