package reqc

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every name headerKey knows gives what http.CanonicalHeaderKey gives, in
// each spelling it lists, and names it does not know still do.
func TestHeaderKey(t *testing.T) {
	names := []string{"x-custom", "X-CUSTOM", "weird name", "", "content_type", "Content-Type "}
	for _, c := range listedHeaderKeys(t) {
		names = append(names, c, strings.ToLower(c), strings.ToUpper(c))
	}
	for _, name := range names {
		if got, want := headerKey(name), http.CanonicalHeaderKey(name); got != want {
			t.Errorf("headerKey(%q) = %q, want %q", name, got, want)
		}
	}
}

// listedHeaderKeys reads the case labels of headerKey's switch from its
// source, so that a name added there is checked here too.
func listedHeaderKeys(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("headerkey.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(string(raw), -1) {
		out = append(out, m[1])
	}
	if len(out) < 40 {
		t.Fatalf("only %d names found in headerkey.go", len(out))
	}
	return out
}
