-- API keys and coupons are deleted, and an INTEGER PRIMARY KEY without AUTOINCREMENT gives the
-- next row the largest id plus one: deleting the newest key and making another handed out the
-- deleted key's id again, so that "key 5" in an operator's notes could name two keys. With
-- AUTOINCREMENT SQLite remembers the largest id ever used, as PostgreSQL's identity columns do
-- (which is why store/postgres's 0008 does nothing). SQLite cannot add AUTOINCREMENT to a
-- table, so both are rebuilt; nothing references them.

CREATE TABLE coupons_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	code TEXT NOT NULL UNIQUE,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	offer_id INTEGER REFERENCES offers (id),
	created_at INTEGER NOT NULL
);
INSERT INTO coupons_new (id, code, partner_id, offer_id, created_at)
	SELECT id, code, partner_id, offer_id, created_at FROM coupons;
DROP TABLE coupons;
ALTER TABLE coupons_new RENAME TO coupons;
CREATE INDEX coupons_partner ON coupons (partner_id);
CREATE INDEX coupons_offer ON coupons (offer_id);

CREATE TABLE api_keys_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	partner_id INTEGER REFERENCES partners (id),
	advertiser_id INTEGER REFERENCES advertisers (id),
	hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);
INSERT INTO api_keys_new (id, name, role, partner_id, advertiser_id, hash, created_at)
	SELECT id, name, role, partner_id, advertiser_id, hash, created_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
