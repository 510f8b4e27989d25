package demo

import (
	"github.com/pactum/pactum"
)

// The offers of the demo program, by index in offers.
const (
	offerRunning = iota // offer 1: the first demo's, with its hero SKU rule (the loadtest's)
	offerStore
	offerOutdoor
	offerTeams
)

// offerSpec is an offer of the demo program and its commission rules (SPEC section 5).
type offerSpec struct {
	name, payout, revenue string
	holdDays              int
	visibility            string
	// cats are the categories its orders draw from, the first most often; hero is the share of
	// orders that are the hero shoe.
	cats []string
	hero float64
}

var offers = []offerSpec{
	offerRunning: {
		name:       "Spring running collection",
		payout:     `{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}},{"id":"apparel","when":{"category":["apparel"]},"rate":{"percent":"10"}}],"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}}]}`,
		revenue:    `{"default":{"percent":"12"}}`,
		holdDays:   14,
		visibility: pactum.VisibilityPublic,
		cats:       []string{catShoes, catApparel, catAccessories},
		hero:       0.35,
	},
	offerStore: {
		name: "Northwind store-wide",
		// Margins differ by category, and so do the rates: accessories pay most, outdoor gear least.
		payout: `{"default":{"percent":"7"},"rules":[` +
			`{"id":"carbon-racer","when":{"sku":["SHOE-RACE-BLK","SHOE-RACE-WHT","SHOE-RACE-RED"]},"rate":{"fixed":"20.00","per":"unit"}},` +
			`{"id":"shoes","when":{"category":["shoes"]},"rate":{"percent":"8"}},` +
			`{"id":"apparel","when":{"category":["apparel"]},"rate":{"percent":"12"}},` +
			`{"id":"accessories","when":{"category":["accessories"]},"rate":{"percent":"15"}},` +
			`{"id":"outdoor","when":{"category":["outdoor"]},"rate":{"percent":"5"}},` +
			`{"id":"kids","when":{"category":["kids"]},"rate":{"percent":"6"}}],` +
			`"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"7.50"}},` +
			`{"id":"big-basket","when":{"order_amount_gte":"250.00"},"add":{"percent":"2"}}],` +
			`"tiers":[{"id":"silver","monthly_sales_gte":"3000.00","multiplier":"1.1"},{"id":"gold","monthly_sales_gte":"8000.00","multiplier":"1.25"}]}`,
		revenue: `{"default":{"percent":"12"},"rules":[{"id":"accessories","when":{"category":["accessories"]},"rate":{"percent":"20"}},` +
			`{"id":"outdoor","when":{"category":["outdoor"]},"rate":{"percent":"8"}}]}`,
		holdDays:   7,
		visibility: pactum.VisibilityPublic,
		cats:       []string{catShoes, catApparel, catAccessories, catKids, catOutdoor},
		hero:       0.05,
	},
	offerOutdoor: {
		name: "Trail & outdoor gear",
		payout: `{"default":{"percent":"6"},"rules":[{"id":"tents","when":{"sku":["OUT-TENT-BLK","OUT-TENT-OLV","OUT-TENT-ORG","OUT-TENT-BLU","OUT-TENT-GRY"]},"rate":{"fixed":"25.00","per":"unit"}},` +
			`{"id":"trail-shoes","when":{"category":["shoes"]},"rate":{"percent":"9"}}],` +
			`"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}}],` +
			`"tiers":[{"id":"summit","monthly_sales_gte":"5000.00","multiplier":"1.2"}]}`,
		revenue:    `{"default":{"percent":"10"}}`,
		holdDays:   14,
		visibility: pactum.VisibilityPublic,
		cats:       []string{catOutdoor, catShoes, catApparel},
	},
	offerTeams: {
		name: "Team & club orders",
		payout: `{"default":{"percent":"5"},"rules":[{"id":"b2b-apparel","when":{"category":["apparel"],"partner_kind":["b2b"]},"rate":{"percent":"7"}}],` +
			`"bonuses":[{"id":"large-order","when":{"order_amount_gte":"1000.00"},"add":{"fixed":"40.00"}}]}`,
		revenue:    `{"default":{"percent":"9"}}`,
		holdDays:   21,
		visibility: pactum.VisibilityApproval,
		cats:       []string{catApparel, catShoes, catAccessories},
	},
}

// Audiences: how a partner's visitors browse, which sets their user agents.
const (
	audienceSocial  = iota // Instagram and TikTok in-app browsers, phones
	audienceMobile         // phones and tablets in their own browsers
	audienceDesktop        // desktops first
)

// cast is one partner of the demo and how its traffic behaves. Partners of the same kind get
// similar clicks; what they sell differs, so that the scorecard has a story to tell.
type cast struct {
	name, email, kind string
	pending           bool // applied, not yet approved: no traffic
	links             []castLink
	coupon            string
	audience          int
	clicks            float64 // clicks a day, before the week's and the day's rhythm
	cr                float64 // share of clicks that buy
	big               int     // units per line, for team orders (0 or 1: a person's basket)
	couponSales       float64 // coupon sales a day without a click
	newShare          float64 // share of buyers who are new customers
	refunds           float64 // share of orders refunded, in part or in full
	suspicious        bool    // bursts from one address, sales seconds after the click
}

// castLink is a tracking link of a partner.
type castLink struct {
	code   string
	offer  int
	sub1   string
	source string
}

func influencer(name, email, code, coupon string, offer int, clicks, cr float64) cast {
	return cast{name: name, email: email, kind: pactum.KindInfluencer, coupon: coupon, audience: audienceSocial,
		links:  []castLink{{code, offer, "instagram", "story"}, {code + "-TT", offer, "tiktok", "video"}},
		clicks: clicks, cr: cr, couponSales: 0.2 * cr / 0.02, newShare: 0.65, refunds: 0.08}
}

func content(name, email, code string, offer int, clicks, cr float64) cast {
	return cast{name: name, email: email, kind: pactum.KindAffiliate, audience: audienceDesktop,
		links:  []castLink{{code, offer, "review", "article"}, {code + "-NL", offer, "newsletter", "email"}},
		clicks: clicks, cr: cr, newShare: 0.5, refunds: 0.06}
}

func deals(name, email, code, coupon string, clicks, cr, refunds float64) cast {
	return cast{name: name, email: email, kind: pactum.KindAffiliate, coupon: coupon, audience: audienceMobile,
		links:  []castLink{{code, offerStore, "deals", "listing"}},
		clicks: clicks, cr: cr, couponSales: 0.45, newShare: 0.25, refunds: refunds}
}

func b2b(name, email, code string, clicks, cr float64, big int) cast {
	return cast{name: name, email: email, kind: pactum.KindB2B, audience: audienceDesktop,
		links:  []castLink{{code, offerTeams, "portal", "b2b"}, {code + "-STORE", offerStore, "co-marketing", "banner"}},
		clicks: clicks, cr: cr, big: big, newShare: 0.3, refunds: 0.04}
}

func referral(name, email, code string) cast {
	return cast{name: name, email: email, kind: pactum.KindReferral, audience: audienceMobile,
		links:  []castLink{{code, offerStore, "referral", "whatsapp"}},
		clicks: 2.5, cr: 0.09, newShare: 0.95, refunds: 0.05}
}

// partners is the demo's cast: the first is the first demo's Anna Runs, whose link is DEMO
// and whose coupon is ANNA10. Anna and Lena get about the same clicks; Anna sells, Lena
// collects likes. So do Shoe Review Lab and City Sneaker News among the content sites.
var partners = func() []cast {
	anna := influencer("Anna Runs", "anna@example.com", "DEMO", "ANNA10", offerRunning, 34, 0.055)
	anna.links[0].sub1, anna.links[0].source = "instagram", "story"
	cs := []cast{
		anna,
		influencer("Lena Lifestyle", "lena@lifestyle.example", "LENA", "LENA15", offerRunning, 36, 0.004),
		influencer("Marco Trails", "marco@trails.example", "MARCO", "MARCO10", offerOutdoor, 18, 0.03),
		influencer("Sofia Strides", "sofia@strides.example", "SOFIA", "SOFIA10", offerRunning, 22, 0.025),
		influencer("Jonas Fit", "jonas@fit.example", "JONAS", "JONAS10", offerStore, 20, 0.012),
		influencer("Mila Moves", "mila@moves.example", "MILA", "MILA10", offerStore, 16, 0.02),
		influencer("Tom Tempo", "tom@tempo.example", "TOMT", "TEMPO10", offerRunning, 12, 0.03),
		influencer("Clara Climbs", "clara@climbs.example", "CLARA", "CLARA10", offerOutdoor, 10, 0.028),
		influencer("Noah Outdoors", "noah@outdoors.example", "NOAH", "NOAH10", offerOutdoor, 14, 0.008),
		influencer("Emma Everyday", "emma@everyday.example", "EMMA", "EMMA10", offerStore, 24, 0.006),
		influencer("Luca Laps", "luca@laps.example", "LUCA", "LUCA10", offerRunning, 9, 0.035),
		influencer("Zoe Zen Yoga", "zoe@zen.example", "ZOE", "ZOE10", offerStore, 11, 0.015),
		influencer("Ida Ultra", "ida@ultra.example", "IDA", "IDA10", offerOutdoor, 8, 0.04),
		influencer("Felix Fitfam", "felix@fitfam.example", "FELIX", "FELIX10", offerStore, 15, 0.01),
		influencer("Hannah Hikes", "hannah@hikes.example", "HANNAH", "HANNAH10", offerOutdoor, 7, 0.03),
		influencer("Gear Reviews (YouTube)", "hello@gearreviews.example", "GEARTUBE", "GEAR10", offerStore, 19, 0.022),

		content("Shoe Review Lab", "team@shoereviewlab.example", "SRL", offerRunning, 30, 0.05),
		content("City Sneaker News", "ads@citysneaker.example", "CSN", offerStore, 31, 0.008),
		content("The Running Blog", "editor@runningblog.example", "TRB", offerRunning, 18, 0.03),
		content("Trail Runner Mag", "sales@trailrunnermag.example", "TRM", offerOutdoor, 14, 0.03),
		content("Marathon Handbook EU", "partners@marathonhb.example", "MHB", offerRunning, 16, 0.035),
		content("Outdoor Insider", "ads@outdoorinsider.example", "OIN", offerOutdoor, 12, 0.02),
		content("Fit Over 40", "hi@fitover40.example", "FO40", offerStore, 8, 0.025),
		content("Kids Gear Guide", "hello@kidsgear.example", "KGG", offerStore, 7, 0.02),
		content("Sneaker Price Compare", "feeds@sneakercompare.example", "SPC", offerStore, 25, 0.02),
		content("Run Weekly newsletter", "list@runweekly.example", "RWN", offerRunning, 10, 0.04),

		deals("DealHunter DE", "team@dealhunter.example", "DHD", "DEALHUNTER", 26, 0.035, 0.08),
		deals("Gutscheinwelt", "partner@gutscheinwelt.example", "GSW", "GSW15", 20, 0.04, 0.07),
		deals("Cashback King", "affiliates@cashbackking.example", "CBK", "CBKING", 24, 0.045, 0.25),
		deals("Voucher Cloud EU", "eu@vouchercloud.example", "VCE", "VCLOUD10", 16, 0.03, 0.08),
		deals("Sale Alarm", "ops@salealarm.example", "SALE", "SALEALARM", 14, 0.03, 0.08),
		deals("StudentDeals", "partners@studentdeals.example", "STUD", "STUDENT15", 12, 0.025, 0.06),
		deals("Bonusfuchs", "info@bonusfuchs.example", "BFX", "FUCHS10", 10, 0.03, 0.1),

		b2b("Trailhead Outfitters", "bd@trailhead.example", "THO", 3, 0.08, 3),
		b2b("City Marathon e.V.", "shop@citymarathon.example", "CME", 2, 0.1, 8),
		b2b("FitPro Gyms", "procurement@fitpro.example", "FPG", 2.5, 0.07, 5),
		b2b("Alpine Guides Co.", "gear@alpineguides.example", "AGC", 1.5, 0.09, 4),
		b2b("Corporate Wellness GmbH", "einkauf@corpwellness.example", "CWG", 1.5, 0.06, 10),
		b2b("RunClub Berlin", "kasse@runclub.example", "RCB", 2, 0.1, 6),

		referral("Petra K.", "petra.k@mail.example", "REF-PETRA"),
		referral("Jan M.", "jan.m@mail.example", "REF-JAN"),
		referral("Sara L.", "sara.l@mail.example", "REF-SARA"),
		referral("Omar B.", "omar.b@mail.example", "REF-OMAR"),
		referral("Lisa W.", "lisa.w@mail.example", "REF-LISA"),
		referral("Max R.", "max.r@mail.example", "REF-MAX"),
	}
	fast := deals("FastCash Deals", "money@fastcash.example", "FCD", "FASTCASH", 8, 0.02, 0.1)
	fast.suspicious = true
	cs = append(cs, fast)
	// Three applications waiting for the program manager: no traffic yet.
	cs = append(cs,
		cast{name: "Paula Pace", email: "paula@pace.example", kind: pactum.KindInfluencer, pending: true},
		cast{name: "Bargain Bay", email: "hello@bargainbay.example", kind: pactum.KindAffiliate, pending: true},
		cast{name: "Urban Hikers Club", email: "club@urbanhikers.example", kind: pactum.KindB2B, pending: true},
	)
	return cs
}()
