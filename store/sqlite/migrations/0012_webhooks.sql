-- Shop webhooks (SPEC section 12). Conventions as in 0001.

-- The secret each advertiser's shop signs its webhooks with, per platform. Kept as it is, not
-- hashed: checking a webhook's HMAC needs the secret itself (docs/postbacks.md says how the
-- store is to be protected). Never shown back by the API.
CREATE TABLE shop_secrets (
	advertiser_id INTEGER NOT NULL REFERENCES advertisers (id),
	platform TEXT NOT NULL,
	secret TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (advertiser_id, platform)
);

-- The webhook log: every webhook that passed verification, what it did and why, kept 30 days.
-- body is kept only while the webhook can be replayed (it failed); delivery_id is the shop's id
-- of the delivery, NULL without one, unique per advertiser and platform (a delivery sent again
-- is found, not processed again). offer_id is the URL's ?offer_id= as given (no foreign key: a
-- wrong one is logged as the reason it failed).
CREATE TABLE webhooks (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	advertiser_id INTEGER NOT NULL REFERENCES advertisers (id),
	platform TEXT NOT NULL,
	topic TEXT NOT NULL,
	delivery_id TEXT,
	offer_id INTEGER,
	received_at INTEGER NOT NULL,
	status INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	reason TEXT NOT NULL,
	order_id TEXT NOT NULL,
	conversion_id INTEGER,
	body BLOB,
	replays INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX webhooks_delivery ON webhooks (advertiser_id, platform, delivery_id);
CREATE INDEX webhooks_advertiser ON webhooks (advertiser_id, id);
CREATE INDEX webhooks_received ON webhooks (received_at);
