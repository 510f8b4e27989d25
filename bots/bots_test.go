package bots_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pactum/pactum/bots"
)

func TestAutomation(t *testing.T) {
	for _, ua := range []string{"", "curl/8.5.0", "Wget/1.21.4", "python-requests/2.31.0", "Go-http-client/1.1",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)"} {
		if !bots.Is(ua) {
			t.Errorf("%q is no bot", ua)
		}
	}
}

// moduleDir returns where the go command keeps a module this one depends on.
func moduleDir(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go list -m %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// inApp marks the in-app browsers of social apps in a user agent: people tapping a link in the
// app, who must never count as bots (SPEC section 13).
var inApp = []string{"Instagram", "FBAN", "FBAV", "FB_IAB", "Snapchat", "Pinterest/iOS", "PinterestApp",
	"[Pinterest", "BytedanceWebview", "musical_ly", "TikTok", "trill_", "Twitter for", "LinkedInApp", "Line/", "GSA/"}

// Real browsers' and in-app browsers' user agents, collected by a user-agent parser's authors
// (go-useragent's data/5.txt, a sample of Dailymotion's real traffic, and data/1.txt, a list
// gathered from the web; read from the module as installed, not copied): not one in-app
// browser is a bot, and of real traffic's browsers hardly any (it holds a few crawlers that
// present as browsers). Every in-app user agent is checked, and every 10th other one: the list
// costs about 0.3 ms a user agent (fewer under the race detector, which slows it tenfold).
func TestRealBrowsersAreNotBots(t *testing.T) {
	dir := moduleDir(t, "github.com/medama-io/go-useragent")
	apps := map[string]int{}
	seen := map[string]int{} // user agents of each app met so far, checked or not
	for _, name := range []string{"5.txt", "1.txt"} {
		f, err := os.Open(filepath.Join(dir, "data", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		browsers, flagged := 0, 0
		for sc.Scan() {
			ua := strings.TrimSpace(sc.Text())
			if ua == "" || !strings.HasPrefix(ua, "Mozilla/5.0 (") {
				continue // the samples hold some tools and crawlers too; browsers say Mozilla/5.0
			}
			app := ""
			for _, m := range inApp {
				if strings.Contains(ua, m) {
					app = m
					break
				}
			}
			browsers++
			// Every in-app user agent and every 10th other one; under the race detector every
			// 5th and every 100th.
			appStride, otherStride := 1, 10
			if raceEnabled {
				appStride, otherStride = 5, 100
			}
			seen[app]++
			if (app == "" && browsers%otherStride != 0) || (app != "" && (seen[app]-1)%appStride != 0) {
				continue
			}
			if bots.Is(ua) {
				flagged++
				if app != "" {
					t.Errorf("in-app browser (%s) flagged as a bot: %s", app, ua)
				}
				continue
			}
			if app != "" {
				apps[app]++
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if browsers == 0 || (name == "5.txt" && flagged*1000 > browsers) {
			t.Errorf("%s: %d of %d browser user agents flagged as bots", name, flagged, browsers)
		}
		t.Logf("%s: %d browser user agents, %d flagged (of those checked)", name, browsers, flagged)
	}
	for _, app := range []string{"Instagram", "FBAN", "Snapchat", "[Pinterest", "BytedanceWebview"} {
		if apps[app] == 0 {
			t.Errorf("no %s user agent in the samples: the test proves nothing about it", app)
		}
	}
	t.Logf("in-app browsers seen, none a bot: %v", apps)
}
