package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// product is one SKU of Northwind Shoes' catalog.
type product struct {
	sku, name, category string
	price               decimal.Decimal
}

// The categories of the catalog. Their margins differ, and so do the offers' rates for them.
const (
	catShoes       = "shoes"
	catApparel     = "apparel"
	catAccessories = "accessories"
	catOutdoor     = "outdoor"
	catKids        = "kids"
)

// line is a model of a category: a name, its SKU stem and its price in cents; each is sold in
// every colour of its category.
type line struct {
	stem, name string
	cents      int64
}

var lines = map[string][]line{
	catShoes: {
		{"AERO", "Aero runner", 12990}, {"TEMPO", "Tempo trainer", 10990}, {"CLOUD", "Cloudstep", 14990},
		{"TRAIL", "Trail blazer", 13990}, {"RIDGE", "Ridge GTX", 16990}, {"CITY", "City sneaker", 8990},
		{"COURT", "Court classic", 7990}, {"RACE", "Race carbon", 21990}, {"WALK", "Walker comfort", 9490},
		{"HIKE", "Hiker mid", 15990}, {"SLIDE", "Recovery slide", 3990}, {"SPIKE", "Track spike", 11990},
	},
	catApparel: {
		{"TEE", "Tech tee", 2990}, {"SINGLET", "Race singlet", 3490}, {"SHORT", "Split short", 3990},
		{"TIGHT", "Winter tight", 5990}, {"JACKET", "Wind jacket", 8990}, {"HOODIE", "Fleece hoodie", 6990},
		{"BRA", "Sports bra", 3990}, {"LONG", "Long sleeve", 4490}, {"VEST", "Running vest", 5490},
		{"PANT", "Track pant", 5990},
	},
	catAccessories: {
		{"SOCK", "Run sock 3-pack", 1490}, {"CAP", "Running cap", 2400}, {"BAND", "Headband", 1200},
		{"BOTTLE", "Soft flask", 1990}, {"BELT", "Race belt", 2490}, {"GLOVE", "Light glove", 2290},
		{"LACE", "Lock laces", 790}, {"INSOLE", "Insoles", 3490}, {"BEANIE", "Beanie", 1990},
		{"SLEEVE", "Arm sleeves", 1690}, {"LAMP", "Head lamp", 3990}, {"BAG", "Gym bag", 4490},
		{"SUN", "Sunglasses", 5990}, {"WATCH", "GPS watch strap", 2990}, {"GAITER", "Neck gaiter", 1490},
	},
	catOutdoor: {
		{"PACK", "Trail pack 12L", 8990}, {"POLE", "Carbon poles", 11990}, {"TENT", "Ultralight tent", 34990},
		{"BAG", "Sleeping bag", 19990}, {"MAT", "Sleeping mat", 7990}, {"STOVE", "Camp stove", 5990},
		{"SHELL", "Rain shell", 17990}, {"DOWN", "Down jacket", 22990}, {"FILTER", "Water filter", 3990},
		{"GPS", "Handheld GPS", 29990}, {"TORCH", "Torch", 2990}, {"VEST", "Hydration vest", 12990},
	},
	catKids: {
		{"RUN", "Kids runner", 5990}, {"BOOT", "Kids boot", 6990}, {"TEE", "Kids tee", 1990},
		{"JACKET", "Kids rain jacket", 4990}, {"SOCK", "Kids socks 5-pack", 1290}, {"CAP", "Kids cap", 1490},
	},
}

var colours = map[string][]string{
	catShoes:       {"BLK", "WHT", "NVY", "RED", "GRN", "GRY", "ORG", "BLU"},
	catApparel:     {"BLK", "WHT", "NVY", "RED", "OLV", "GRY", "PNK", "BLU"},
	catAccessories: {"BLK", "WHT", "NVY", "GRY", "ORG"},
	catOutdoor:     {"BLK", "OLV", "ORG", "BLU", "GRY"},
	catKids:        {"BLU", "PNK", "GRN", "RED", "YLW"},
}

var prefixes = map[string]string{
	catShoes: "SHOE", catApparel: "APP", catAccessories: "ACC", catOutdoor: "OUT", catKids: "KIDS",
}

// catalogue is the shop's products by category, with the SKUs the loadtest and the first demo
// sales name (SHOE-9, SOCK-1, CAP-2, CAP-3) among them.
type catalogue struct {
	byCategory map[string][]product
	hero       product // SHOE-9, which the running offer pays a fixed amount per unit for
}

func newCatalogue() *catalogue {
	c := &catalogue{byCategory: map[string][]product{}}
	for _, cat := range []string{catShoes, catApparel, catAccessories, catOutdoor, catKids} {
		for _, l := range lines[cat] {
			for _, col := range colours[cat] {
				c.byCategory[cat] = append(c.byCategory[cat], product{
					sku: fmt.Sprintf("%s-%s-%s", prefixes[cat], l.stem, col), name: l.name + " " + col,
					category: cat, price: decimal.New(l.cents, -2),
				})
			}
		}
	}
	c.hero = product{sku: "SHOE-9", name: "Aero 9 (the spring collection's hero)", category: catShoes, price: decimal.RequireFromString("99.90")}
	c.byCategory[catShoes] = append(c.byCategory[catShoes], c.hero)
	c.byCategory[catAccessories] = append(c.byCategory[catAccessories],
		product{"SOCK-1", "Run sock", catAccessories, decimal.RequireFromString("9.95")},
		product{"CAP-2", "Race cap", catAccessories, decimal.RequireFromString("19.90")},
		product{"CAP-3", "Trail cap", catAccessories, decimal.RequireFromString("24.00")},
	)
	return c
}

// size is the number of SKUs.
func (c *catalogue) size() int {
	n := 0
	for _, ps := range c.byCategory {
		n += len(ps)
	}
	return n
}

// basket draws an order: a first product from one of cats (weighted as listed, the first most
// often), sometimes the hero shoe, and accessories or apparel that go with it. big is how many
// times more units a partner's customers buy (a B2B partner orders for a team).
func (c *catalogue) basket(r *rand.Rand, cats []string, hero float64, big int) []pactum.LineItem {
	var items []pactum.LineItem
	add := func(p product, qty int64) {
		for i := range items {
			if items[i].SKU == p.sku {
				items[i].Quantity += qty
				return
			}
		}
		items = append(items, pactum.LineItem{SKU: p.sku, Category: p.category, Quantity: qty, UnitPrice: p.price})
	}
	qty := func() int64 {
		q := int64(1)
		if r.Float64() < 0.15 {
			q = 2
		}
		if big > 1 {
			q *= int64(big/2 + r.IntN(big))
		}
		return q
	}
	if r.Float64() < hero {
		add(c.hero, qty())
	} else {
		cat := cats[0]
		if len(cats) > 1 && r.Float64() < 0.4 {
			cat = cats[1+r.IntN(len(cats)-1)]
		}
		ps := c.byCategory[cat]
		add(ps[r.IntN(len(ps))], qty())
	}
	for extra := r.IntN(4); extra > 0; extra-- {
		if r.Float64() < 0.5 {
			continue
		}
		cat := catAccessories
		if r.Float64() < 0.35 {
			cat = catApparel
		}
		ps := c.byCategory[cat]
		add(ps[r.IntN(len(ps))], qty())
	}
	return items
}
