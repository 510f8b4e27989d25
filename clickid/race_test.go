//go:build race

package clickid

// raceEnabled skips allocation counts, which the race detector inflates.
const raceEnabled = true
