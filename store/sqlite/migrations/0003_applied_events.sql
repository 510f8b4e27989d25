-- Events applied from a log that delivers in no order and may redeliver (NATS JetStream):
-- EventTx.Claim inserts (stream, seq) in the transaction that applies the event, so that a
-- redelivered event finds its row and is skipped. Store.PruneClaims deletes the rows of events
-- the log can no longer redeliver. WITHOUT ROWID: the key is the whole row, and one b-tree
-- keeps it instead of a table and an index.
CREATE TABLE applied_events (
	stream TEXT NOT NULL,
	seq INTEGER NOT NULL,
	PRIMARY KEY (stream, seq)
) WITHOUT ROWID;
