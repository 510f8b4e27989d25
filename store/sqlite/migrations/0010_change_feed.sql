-- The change feed (pactum.ChangeStore): one row for every change of a conversion, appended in
-- the same transaction as the change and its ledger entries, never updated. position comes from
-- change_head, which each writer advances last in its transaction (store/sqldb/changes.go), so
-- positions grow in commit order without gaps. The figures are the conversion's right after the
-- change, in minor units of its currency.
CREATE TABLE changes (
	position INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	time INTEGER NOT NULL,
	conversion_id INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	advertiser_id INTEGER NOT NULL,
	partner_id INTEGER,
	status TEXT NOT NULL,
	reason TEXT NOT NULL,
	currency TEXT NOT NULL,
	amount INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	refunded_amount INTEGER NOT NULL
);
CREATE INDEX changes_conversion ON changes (conversion_id, position);

CREATE TABLE change_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	position INTEGER NOT NULL
);
INSERT INTO change_head (id, position) VALUES (1, 0);

-- Where each consumer of the feed (reports, partner postbacks) is, moved in the transaction
-- that applies what it consumed.
CREATE TABLE change_consumers (
	name TEXT NOT NULL PRIMARY KEY,
	position INTEGER NOT NULL
);
