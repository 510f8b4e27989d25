-- Partner postbacks (SPEC section 11). Conventions as in 0001. Postbacks are deleted, so their
-- ids (and their deliveries' and attempts', pruned after 30 days) are never handed out again
-- (AUTOINCREMENT, as 0008 explains).

-- secret and previous_secret sign deliveries, so they are kept as they are, not hashed: the
-- store must be protected like the secrets themselves (docs/postbacks.md). events is a JSON list.
CREATE TABLE postbacks (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	offer_id INTEGER REFERENCES offers (id),
	url TEXT NOT NULL,
	method TEXT NOT NULL,
	events TEXT NOT NULL,
	secret TEXT NOT NULL,
	previous_secret TEXT NOT NULL,
	previous_until INTEGER,
	enabled INTEGER NOT NULL,
	disabled_reason TEXT NOT NULL,
	disabled_at INTEGER,
	failures_since INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX postbacks_partner ON postbacks (partner_id);

-- What to send, recorded by the change feed's "postbacks" consumer in the transaction that
-- moves its position, and sent by the delivery workers. lease_until is when a worker's claim
-- runs out (0: not claimed). position is the change's (0 for a test delivery).
CREATE TABLE postback_deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	postback_id INTEGER NOT NULL REFERENCES postbacks (id),
	partner_id INTEGER NOT NULL,
	conversion_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	event TEXT NOT NULL,
	method TEXT NOT NULL,
	url TEXT NOT NULL,
	body TEXT NOT NULL,
	idempotency_key TEXT NOT NULL UNIQUE,
	test INTEGER NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_at INTEGER NOT NULL,
	lease_until INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	finished_at INTEGER
);
-- The workers' claim, the delivery log's pages, the run of failures and the pruning.
CREATE INDEX postback_deliveries_due ON postback_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX postback_deliveries_postback ON postback_deliveries (postback_id, id);
CREATE INDEX postback_deliveries_finished ON postback_deliveries (postback_id, status, finished_at);
CREATE INDEX postback_deliveries_prune ON postback_deliveries (finished_at) WHERE finished_at IS NOT NULL;

-- The delivery log: one row per attempt. url has secret-looking values masked; answer is the
-- first 1 KB of what the receiver answered.
CREATE TABLE postback_attempts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	delivery_id INTEGER NOT NULL REFERENCES postback_deliveries (id),
	postback_id INTEGER NOT NULL,
	time INTEGER NOT NULL,
	url TEXT NOT NULL,
	status_code INTEGER NOT NULL,
	error TEXT NOT NULL,
	latency_us INTEGER NOT NULL,
	answer TEXT NOT NULL
);
CREATE INDEX postback_attempts_delivery ON postback_attempts (delivery_id, id);
