-- Events applied from a log that delivers in no order and may redeliver (NATS JetStream):
-- EventTx.Claim inserts (stream, seq) in the transaction that applies the event, so that a
-- redelivered event finds its row and is skipped. Store.PruneClaims deletes the rows of events
-- the log can no longer redeliver.
CREATE TABLE applied_events (
	stream TEXT NOT NULL,
	seq BIGINT NOT NULL,
	PRIMARY KEY (stream, seq)
);
