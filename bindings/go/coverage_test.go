package reqc_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// unwrapped lists the C functions the Go package deliberately does not
// call, each with the reason. Every other function of include/reqc.json
// must be called by the package (TestCoverage).
var unwrapped = map[string]string{
	"reqc_batch_result":               "Map and All take each result as it lands (reqc_batch_set_complete_callback), so C never holds finished responses",
	"reqc_batch_count":                "len(reqs): Map and All take the whole slice at once",
	"reqc_batch_perform":              "Map and All run a batch in steps with reqc_batch_poll, yielding between them (batch.go: run)",
	"reqc_batch_set_socket_callbacks": "event-loop integration for C programs: the binding drives a batch itself, step by step (batch.go: run)",
	"reqc_batch_start":                "event-loop integration for C programs: the binding drives a batch itself, step by step (batch.go: run)",
	"reqc_batch_socket_action":        "event-loop integration for C programs: the binding drives a batch itself, step by step (batch.go: run)",
	"reqc_batch_timeout_action":       "event-loop integration for C programs: the binding drives a batch itself, step by step (batch.go: run)",
	"reqc_session_add_hook":           "Session.AddHook keeps hooks in Go and registers them on each send's C request (session hooks first, the same order), so that a panic in a hook is repeated in the goroutine that sent",
	"reqc_session_remove_hook":        "see reqc_session_add_hook: Session.RemoveHook edits the Go list",
	"reqc_request_remove_hook":        "a Request is a Go value: remove the Hook from Request.Hooks",
	"reqc_request_unset":              "a Request is a Go value: its zero fields leave every setting to the session",
	"reqc_request_clone":              "a Request is a Go value, copied like any struct; a C request lives for one send",
	"reqc_request_body_kind":          "a Request is a Go value: its body fields say what it is",
	"reqc_hook_ctx_set_response":      "replacing a whole response needs a C response handle; HookContext.SetResponseStatus/Header/Body change it instead",
	"reqc_response_text":              "Response.Text converts the copied body in Go",
	"reqc_response_header":            "Response.Header (http.Header) holds every header, copied once",
	"reqc_response_header_at":         "Response.Header is copied from reqc_response_header_views, which makes no C string per line",
	"reqc_response_request":           "Response.Request is the Go Request that was sent",
	"reqc_response_is_streamed":       "a Response from Do streams its body unless Request.Buffered or BodyWriter asked otherwise: the caller knows",
}

// unwrappedFamilies lists the constant families of include/reqc.json the
// Go package deliberately does not name, each with the reason. Every
// constant of every other family must be named by the package (TestCoverage):
// a code or option added to the C API shows up here until it is wrapped.
var unwrappedFamilies = map[string]string{
	"reqc_watch":     "event-loop integration for C programs: the binding drives a batch itself, step by step (batch.go: run)",
	"reqc_body_kind": "see reqc_request_body_kind",
}

// TestCoverage: every function and constant of the generated API
// description is named by the package or listed in unwrapped (or
// unwrappedFamilies) with a reason, and no entry of those is stale.
func TestCoverage(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "include", "reqc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var api struct {
		Functions []struct{ Name string } `json:"functions"`
		Families  []struct {
			Name      string
			Constants []struct{ Name string }
		} `json:"families"`
		Constants []struct {
			Name  string
			Value int
		} `json:"constants"`
	}
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	c, _ := filepath.Glob("*.c")
	var src strings.Builder
	for _, f := range append(files, c...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b(reqc_[a-z0-9_]+|REQC_[A-Z0-9_]+)`).FindAllString(src.String(), -1) {
		used[m] = true
	}
	known := map[string]bool{}
	var missing []string
	for _, f := range api.Functions {
		known[f.Name] = true
		_, left := unwrapped[f.Name]
		switch {
		case used[f.Name] && left:
			t.Errorf("%s is wrapped but listed as unwrapped", f.Name)
		case !used[f.Name] && !left:
			missing = append(missing, f.Name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		t.Errorf("%s is neither wrapped nor listed in unwrapped with a reason", name)
	}
	for name, why := range unwrapped {
		if !known[name] {
			t.Errorf("unwrapped lists %s, which include/reqc.json does not have", name)
		}
		if why == "" {
			t.Errorf("unwrapped gives no reason for %s", name)
		}
	}
	for _, fam := range api.Families {
		if why, left := unwrappedFamilies[fam.Name]; left {
			if why == "" {
				t.Errorf("unwrappedFamilies gives no reason for %s", fam.Name)
			}
			continue
		}
		for _, c := range fam.Constants {
			if !used[c.Name] {
				t.Errorf("%s (%s) is neither named by the package nor its family listed in unwrappedFamilies", c.Name, fam.Name)
			}
		}
	}
	// Constants of no family are named by the package too (the value of
	// DefaultConcurrency comes from REQC_BATCH_DEFAULT_CONCURRENCY).
	for _, c := range api.Constants {
		if !used[c.Name] {
			t.Errorf("%s is not named by the package", c.Name)
		}
		if c.Name == "REQC_BATCH_DEFAULT_CONCURRENCY" && c.Value != reqc.DefaultConcurrency {
			t.Errorf("DefaultConcurrency is %d, %s %d", reqc.DefaultConcurrency, c.Name, c.Value)
		}
	}
	families := map[string]bool{}
	for _, fam := range api.Families {
		families[fam.Name] = true
	}
	for name := range unwrappedFamilies {
		if !families[name] {
			t.Errorf("unwrappedFamilies lists %s, which include/reqc.json does not have", name)
		}
	}
	if len(api.Functions) < 100 || len(api.Families) < 10 {
		t.Errorf("only %d functions and %d families in include/reqc.json", len(api.Functions), len(api.Families))
	}
}
