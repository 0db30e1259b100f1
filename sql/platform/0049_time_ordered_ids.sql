-- Time-ordered ids for rows the database makes in bulk (issue 23).
--
-- `gen_random_uuid()` makes version 4 ids: 122 random bits, so every new row's id lands on a random
-- leaf page of its primary key. Where a table grows for as long as the platform runs (a month of a
-- county's timeline is millions of rows; the follow-ups are never partitioned), each insert then
-- reads and dirties a page nobody else touched lately, and after every checkpoint writes that
-- page's full image to the WAL. A version 7 id (RFC 9562) starts with the milliseconds since 1970,
-- so ids made later sort later and a table's new entries share the few pages at the end of its
-- index. The other 74 bits are random (from `gen_random_uuid()`), so ids made in one millisecond
-- are still unique and unguessable; the id tells when the row was made, which the rows that use it
-- (timeline events, follow-ups, door checks) say anyway.
--
-- PostgreSQL 15 has no `uuidv7()` (it arrives in 18): this is the usual construction, a version 4
-- id whose first 48 bits are replaced by the time and whose version nibble is set to 7 (bits 52
-- and 53 of `set_bit`'s numbering, the low bits of byte 6's high nibble: 0100 becomes 0111). The
-- variant bits stay those of the version 4 id. A SQL-standard body: the planner inlines it.
create function liushou_uuid7() returns uuid
    language sql volatile parallel safe
    return encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                from 1 for 6),
            52, 1), 53, 1),
        'hex')::uuid;
