//go:build race

package bots_test

// The race detector slows the crawler list's large regular expression tenfold: the sample test
// checks fewer user agents under it (strides in bots_test.go).
const raceEnabled = true
