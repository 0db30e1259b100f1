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
-- One statement drops both and adds them back, on the parent and with it on every month (each
-- month's copies are inherited: 0031's `history_partition_create` attaches a copy of the parent,
-- and the attach merges its constraints into the parent's); months made later copy the new checks
-- and are checked in full when they are attached, while still empty.
--
-- They are added `not valid`: PostgreSQL does not read the stored entries to prove them, which
-- here took 3.4 s for 2.3 million entries (1.5 s a million) under an exclusive lock on every month.
-- Every stored entry passed the regular expressions, validated since 0030, so every one meets
-- these; new entries are checked as before. An operator may still have PostgreSQL prove it, at
-- any time and without stopping writes (it takes a lock that lets reads and writes go on):
-- `alter table person_event validate constraint person_event_module_format` (and `…_kind_format`).
--
-- A month archived before this migration (`pg_dump -t`) still holds the regular expressions:
-- replace its two checks with these before attaching it again, or the attach refuses them.

alter table person_event
    drop constraint person_event_module_format,
    drop constraint person_event_kind_format,
    add constraint person_event_module_format
        check (char_length(module) between 3 and 30 and ltrim(module, 'abcdefghijklmnopqrstuvwxyz_') = '') not valid,
    add constraint person_event_kind_format
        check (char_length(kind) between 3 and 60 and ltrim(kind, 'abcdefghijklmnopqrstuvwxyz_.') = '') not valid;
