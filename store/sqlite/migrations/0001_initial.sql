-- The first schema. Conventions (shared with store/postgres): ids are integers, times are unix
-- microseconds UTC, money is integer minor units of the row's currency, JSON is TEXT, hashes are
-- BLOBs, booleans are 0/1.

CREATE TABLE advertisers (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	currency TEXT NOT NULL,
	postback_token_hash BLOB UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE partners (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	currency TEXT NOT NULL,
	min_payout INTEGER NOT NULL,
	payout_method TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE offers (
	id INTEGER PRIMARY KEY,
	advertiser_id INTEGER NOT NULL REFERENCES advertisers (id),
	name TEXT NOT NULL,
	status TEXT NOT NULL,
	destination_url TEXT NOT NULL,
	fallback_url TEXT NOT NULL,
	currency TEXT NOT NULL,
	attribution_window_days INTEGER NOT NULL,
	attribution_model TEXT NOT NULL,
	hold_days INTEGER NOT NULL,
	targeting TEXT NOT NULL,
	visibility TEXT NOT NULL,
	events TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX offers_advertiser ON offers (advertiser_id);

-- A link without a short code has code NULL, so that any number of them can exist.
CREATE TABLE links (
	id INTEGER PRIMARY KEY,
	offer_id INTEGER NOT NULL REFERENCES offers (id),
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	code TEXT UNIQUE,
	sub1 TEXT NOT NULL,
	sub2 TEXT NOT NULL,
	sub3 TEXT NOT NULL,
	sub4 TEXT NOT NULL,
	sub5 TEXT NOT NULL,
	source TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX links_offer ON links (offer_id);
CREATE INDEX links_partner ON links (partner_id);

-- Codes are stored upper-cased (sqldb.CouponKey), which makes the unique code case-insensitive.
-- The integer id only orders and pages the list.
CREATE TABLE coupons (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	offer_id INTEGER REFERENCES offers (id),
	created_at INTEGER NOT NULL
);
CREATE INDEX coupons_partner ON coupons (partner_id);
CREATE INDEX coupons_offer ON coupons (offer_id);

CREATE TABLE api_keys (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	partner_id INTEGER REFERENCES partners (id),
	advertiser_id INTEGER REFERENCES advertisers (id),
	hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

-- Clicks and impressions carry no foreign keys: they are the record of what the edge saw, and a
-- reference the database refused would stop the event log from being applied at all.
CREATE TABLE clicks (
	seq INTEGER PRIMARY KEY,
	click_id TEXT NOT NULL UNIQUE,
	time INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	partner_id INTEGER NOT NULL,
	link_id INTEGER NOT NULL,
	sub1 TEXT NOT NULL,
	sub2 TEXT NOT NULL,
	sub3 TEXT NOT NULL,
	sub4 TEXT NOT NULL,
	sub5 TEXT NOT NULL,
	source TEXT NOT NULL,
	ip TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	referer TEXT NOT NULL,
	device TEXT NOT NULL,
	os TEXT NOT NULL,
	browser TEXT NOT NULL,
	country TEXT NOT NULL,
	bot INTEGER NOT NULL,
	unique_click INTEGER NOT NULL,
	rejected TEXT NOT NULL
);
CREATE INDEX clicks_offer_time ON clicks (offer_id, time);
CREATE INDEX clicks_partner_time ON clicks (partner_id, time);
CREATE INDEX clicks_time ON clicks (time);

CREATE TABLE impressions (
	seq INTEGER PRIMARY KEY,
	time INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	partner_id INTEGER NOT NULL,
	link_id INTEGER NOT NULL,
	sub1 TEXT NOT NULL,
	sub2 TEXT NOT NULL,
	sub3 TEXT NOT NULL,
	sub4 TEXT NOT NULL,
	sub5 TEXT NOT NULL,
	source TEXT NOT NULL,
	ip TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	referer TEXT NOT NULL,
	device TEXT NOT NULL,
	os TEXT NOT NULL,
	browser TEXT NOT NULL,
	country TEXT NOT NULL,
	bot INTEGER NOT NULL,
	unique_click INTEGER NOT NULL,
	rejected TEXT NOT NULL
);
CREATE INDEX impressions_offer_time ON impressions (offer_id, time);
CREATE INDEX impressions_partner_time ON impressions (partner_id, time);
CREATE INDEX impressions_time ON impressions (time);

-- The last event-log position applied per stream (sqldb.ApplyVisits).
CREATE TABLE log_positions (
	stream TEXT PRIMARY KEY,
	pos INTEGER NOT NULL
);

CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
