-- The change feed is only ever read by position (its primary key): the index by conversion
-- that 0010 made was never used by a query, and every change of every conversion paid for
-- keeping it.
DROP INDEX changes_conversion;

-- How many times a rebuild of the reports rewrote what a consumer keeps (RebuildRollups): a
-- consumer that reads outside its write transaction (ConsumeChangesRead) compares the count it
-- read with the one in its transaction, instead of reading back everything it read, to learn
-- whether a rebuild ran in between.
ALTER TABLE change_consumers ADD COLUMN rebuilds BIGINT NOT NULL DEFAULT 0;
