package edge

import (
	"strings"
	"sync"

	"github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/agents"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bounded"
)

// maxAgents bounds the cache of classified user agents. Real traffic repeats a few thousand user
// agents most of the time; a flood of made-up ones only resets the cache now and then.
const maxAgents = 1 << 14

// agent is what the edge records about a user agent.
type agent struct {
	device, os, browser string
	bot                 bool
}

// uaParser builds its trie once per process: building it takes a while and the trie is
// read-only afterwards.
var uaParser = sync.OnceValue(useragent.NewParser)

// agentCache classifies user agents, remembering the answer per user-agent string.
type agentCache struct {
	parser *useragent.Parser
	cache  *bounded.Map[string, *agent]
}

func newAgentCache() *agentCache {
	return &agentCache{parser: uaParser(), cache: bounded.New[string, *agent](maxAgents)}
}

var emptyAgent = &agent{device: pactum.DeviceBot, bot: true}

// classify returns what ua says; ua should already be cleaned and cut (cleanText).
func (c *agentCache) classify(ua string) *agent {
	if ua == "" {
		// Browsers always send one; its absence means a script.
		return emptyAgent
	}
	if a, ok := c.cache.Load(ua); ok {
		return a
	}
	a := c.parse(ua)
	// The key is cloned so that the cache does not keep the whole request's headers alive.
	c.cache.Store(strings.Clone(ua), a)
	return a
}

func (c *agentCache) parse(ua string) *agent {
	p := c.parser.Parse(ua)
	a := &agent{os: string(p.OS()), browser: string(p.Browser())}
	switch p.Device() {
	case agents.DeviceDesktop:
		a.device = pactum.DeviceDesktop
	case agents.DeviceMobile:
		a.device = pactum.DeviceMobile
	case agents.DeviceTablet:
		a.device = pactum.DeviceTablet
	case agents.DeviceBot:
		a.bot = true
	default:
		a.device = pactum.DeviceOther
	}
	if a.bot {
		// go-useragent knows the big crawlers; the event log's applier asks Crawler-Detect's
		// list about the rest (package bots: too slow for the click path).
		a.device = pactum.DeviceBot
	}
	return a
}
