-- Conversions (issue 3), and the offer and advertiser settings they need. Conventions as in
-- 0001: times are unix microseconds UTC, money is integer minor units of the row's currency,
-- JSON is TEXT, booleans are 0/1.

ALTER TABLE offers ADD COLUMN min_conversion_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN returning_customers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN accept_pixel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE advertisers ADD COLUMN postback_ips TEXT NOT NULL DEFAULT '[]';

-- Like clicks, conversions carry no foreign keys: the event processor writes them, and a
-- reference the database refused would stop the event log from being applied at all. partner_id
-- is NULL for an unattributed conversion, click_time NULL without a click, dedup_key NULL when the
-- conversion has none: the unique index then holds only real keys, and the database itself
-- refuses a second conversion with the same key, even from two transactions at once.
CREATE TABLE conversions (
	id INTEGER PRIMARY KEY,
	offer_id INTEGER NOT NULL,
	advertiser_id INTEGER NOT NULL,
	event TEXT NOT NULL,
	partner_id INTEGER,
	click_id TEXT NOT NULL,
	click_time INTEGER,
	order_id TEXT NOT NULL,
	dedup_key TEXT,
	currency TEXT NOT NULL,
	amount INTEGER NOT NULL,
	items TEXT NOT NULL,
	coupon TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	new_customer INTEGER NOT NULL,
	country TEXT NOT NULL,
	attribution TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	source TEXT NOT NULL,
	time INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	payout_breakdown TEXT NOT NULL,
	revenue_breakdown TEXT NOT NULL,
	refunded_amount INTEGER NOT NULL,
	refunds TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX conversions_dedup_key ON conversions (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX conversions_partner_time ON conversions (partner_id, time);
CREATE INDEX conversions_advertiser_time ON conversions (advertiser_id, time);
-- Returning customers (sqldb.CustomerPartner); most conversions name no customer, and an
-- index that leaves them out costs their inserts nothing.
CREATE INDEX conversions_offer_customer ON conversions (offer_id, customer_id, time) WHERE customer_id <> '';
-- Tiers and caps (sqldb.PartnerStats), and lists by offer (its first column).
CREATE INDEX conversions_offer_partner_time ON conversions (offer_id, partner_id, time);
