// Package bots tells crawlers' and automation tools' user agents from people's, by Crawler-Detect's
// list of patterns (github.com/x-way/crawlerdetect, MIT, synced from JayBizzle/Crawler-Detect),
// which its maintainers keep current and which leaves in-app browsers (Instagram, TikTok,
// Facebook...) alone. Bump that module to take their updates.
//
// The list is one large regular expression: 0.2 ms for a typical user agent and tens of
// milliseconds for some (measured on the user agents in go-useragent's test data). That is too
// slow for the click path, so the edge does not ask it: the event log's applier does
// (package ingest), before a click is stored, counted or seen by a conversion rule, and each
// distinct user agent is matched once (a bounded cache).
package bots

import (
	"strings"

	"github.com/x-way/crawlerdetect"

	"github.com/pactum/pactum/bounded"
)

// maxAgents bounds the cache: real traffic repeats a few thousand user agents most of the time;
// a flood of made-up ones only resets it now and then.
const maxAgents = 1 << 14

var seen = bounded.New[string, bool](maxAgents)

// Is reports whether ua is a crawler's or an automation tool's.
func Is(ua string) bool {
	if ua == "" {
		return true // browsers always send one
	}
	if bot, ok := seen.Load(ua); ok {
		return bot
	}
	bot := crawlerdetect.IsCrawler(ua)
	// Cloned so that the cache does not keep a whole batch's memory alive.
	seen.Store(strings.Clone(ua), bot)
	return bot
}
