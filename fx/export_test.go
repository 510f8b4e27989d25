package fx

// SetMaxBytes lowers the bound on a file's size for a test, so that it need not produce 32 MiB,
// and returns the function that restores it.
func SetMaxBytes(n int64) (restore func()) {
	maxBytes = n
	return func() { maxBytes = MaxBytes }
}
