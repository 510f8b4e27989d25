-- Report rollups (docs/architecture.md, "Reports"). Figures are summed per time bucket (grain
-- 3600: the UTC hour starting at bucket, unix seconds; 86400: the UTC day) and per the
-- dimensions each table is keyed by. Dimension values, SKUs and categories are kept once in
-- report_values and referred to by id (0 is the empty value). Money is in minor units of the
-- offer's currency. dim is the dimension's place in pactum.RollupDims (1 for sub1...).
-- WITHOUT ROWID: the tables are read and written by their key, which is then the table's order.

CREATE TABLE report_values (
	id INTEGER PRIMARY KEY,
	value TEXT NOT NULL UNIQUE
);

CREATE TABLE report_p (
	grain INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	partner_id INTEGER NOT NULL,
	impressions INTEGER NOT NULL,
	clicks INTEGER NOT NULL,
	unique_clicks INTEGER NOT NULL,
	invalid_clicks INTEGER NOT NULL,
	conversions INTEGER NOT NULL,
	sales INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	new_customers INTEGER NOT NULL,
	refunds INTEGER NOT NULL,
	refunded_amount INTEGER NOT NULL,
	ctct_sum INTEGER NOT NULL,
	ctct_count INTEGER NOT NULL,
	PRIMARY KEY (grain, bucket, offer_id, partner_id)
) WITHOUT ROWID;
-- A partner's own reports and scorecards.
CREATE INDEX report_p_partner ON report_p (partner_id, grain, bucket);

CREATE TABLE report_d (
	grain INTEGER NOT NULL,
	dim INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	partner_id INTEGER NOT NULL,
	value_id INTEGER NOT NULL,
	impressions INTEGER NOT NULL,
	clicks INTEGER NOT NULL,
	unique_clicks INTEGER NOT NULL,
	invalid_clicks INTEGER NOT NULL,
	conversions INTEGER NOT NULL,
	sales INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	new_customers INTEGER NOT NULL,
	refunds INTEGER NOT NULL,
	refunded_amount INTEGER NOT NULL,
	ctct_sum INTEGER NOT NULL,
	ctct_count INTEGER NOT NULL,
	PRIMARY KEY (grain, dim, bucket, offer_id, partner_id, value_id)
) WITHOUT ROWID;

CREATE TABLE report_dh (
	grain INTEGER NOT NULL,
	dim INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	value_id INTEGER NOT NULL,
	impressions INTEGER NOT NULL,
	clicks INTEGER NOT NULL,
	unique_clicks INTEGER NOT NULL,
	invalid_clicks INTEGER NOT NULL,
	conversions INTEGER NOT NULL,
	sales INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	new_customers INTEGER NOT NULL,
	refunds INTEGER NOT NULL,
	refunded_amount INTEGER NOT NULL,
	ctct_sum INTEGER NOT NULL,
	ctct_count INTEGER NOT NULL,
	PRIMARY KEY (grain, dim, bucket, offer_id, value_id)
) WITHOUT ROWID;

CREATE TABLE report_l (
	grain INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	partner_id INTEGER NOT NULL,
	sku_id INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	impressions INTEGER NOT NULL,
	clicks INTEGER NOT NULL,
	unique_clicks INTEGER NOT NULL,
	invalid_clicks INTEGER NOT NULL,
	conversions INTEGER NOT NULL,
	sales INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	new_customers INTEGER NOT NULL,
	refunds INTEGER NOT NULL,
	refunded_amount INTEGER NOT NULL,
	ctct_sum INTEGER NOT NULL,
	ctct_count INTEGER NOT NULL,
	PRIMARY KEY (grain, bucket, offer_id, partner_id, sku_id, category_id)
) WITHOUT ROWID;

CREATE TABLE report_lo (
	grain INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	offer_id INTEGER NOT NULL,
	sku_id INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	impressions INTEGER NOT NULL,
	clicks INTEGER NOT NULL,
	unique_clicks INTEGER NOT NULL,
	invalid_clicks INTEGER NOT NULL,
	conversions INTEGER NOT NULL,
	sales INTEGER NOT NULL,
	payout INTEGER NOT NULL,
	revenue INTEGER NOT NULL,
	new_customers INTEGER NOT NULL,
	refunds INTEGER NOT NULL,
	refunded_amount INTEGER NOT NULL,
	ctct_sum INTEGER NOT NULL,
	ctct_count INTEGER NOT NULL,
	PRIMARY KEY (grain, bucket, offer_id, sku_id, category_id)
) WITHOUT ROWID;

-- What the reports last added for each conversion (report package's encoding), taken away when
-- the conversion changes.
CREATE TABLE report_memos (
	conversion_id INTEGER NOT NULL PRIMARY KEY,
	data BLOB NOT NULL
);

-- Flat fees of partners (influencer deals), spread evenly over the days from start_day to
-- end_day (unix seconds of the days' UTC midnights, both inclusive).
CREATE TABLE partner_costs (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	advertiser_id INTEGER NOT NULL REFERENCES advertisers (id),
	currency TEXT NOT NULL,
	amount INTEGER NOT NULL,
	start_day INTEGER NOT NULL,
	end_day INTEGER NOT NULL,
	note TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX partner_costs_partner ON partner_costs (partner_id, start_day);
