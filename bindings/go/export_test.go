package reqc

// SetBuildAhead turns AllSeq's building of requests ahead (between the
// batch's steps) on or off; off, every request is pulled inside the source
// callback, the path the callback falls back to. It returns the previous
// setting. For the tests of both paths.
func SetBuildAhead(on bool) bool { return !pullInCallback.Swap(!on) }

// SetCompleteFault makes every complete callback run f first (nil: none),
// so a test can make the binding's own code panic there.
func SetCompleteFault(f func()) { completeFault = f }
